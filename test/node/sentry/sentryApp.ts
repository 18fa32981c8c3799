/**
 * A product that reports with the real @sentry/node, configured like FlowFuse's backend
 * (release, environment, client reports) and, like vigilant, with a uuid4().hex user id. It
 * plants private values where an SDK picks them up on its own (user, server name, breadcrumbs,
 * extra, paths in messages). Run as `node sentryApp.ts <dsn> <message|handled|crash>`.
 */
import * as Sentry from "@sentry/node";

const [dsn, mode] = process.argv.slice(2);
export const USER_ID = "7c9e6679742540de944be07fc1f90ae7"; // uuid.uuid4().hex

Sentry.init({
  dsn,
  release: "acme@1.2.3",
  environment: "production",
  sendClientReports: true,
  serverName: "alice-laptop.example.com",
});
Sentry.setUser({ id: USER_ID, email: "alice.smith@example.com", username: "alice.smith", name: "Alice Smith" });
console.log("BREADCRUMB_PLANTED connecting to db as alice.smith with password hunter2");

if (mode === "message") {
  Sentry.captureMessage("Start watch");
  Sentry.captureMessage("a message that is not listed: alice.smith@example.com");
  await Sentry.close(5000);
} else if (mode === "handled") {
  // Over 32 KiB: @sentry/node gzips this envelope (still chunked, no Content-Type).
  Sentry.setExtra("blob", "EXTRA_PLANTED ".repeat(3000));
  Sentry.captureException(new Error("handled: connect ECONNREFUSED 10.0.0.12:5432 for alice.smith@example.com"));
  await Sentry.close(5000);
} else if (mode === "crash") {
  setTimeout(() => {
    throw new TypeError("crash reading /home/alice/acme/config.yml");
  }, 10);
}
