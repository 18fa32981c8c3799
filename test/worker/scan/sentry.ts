/**
 * The Sentry routes for the privacy scan (senders.ts): every recorded fixture as its SDK sends it
 * (test/fixtures/sentry), plus FlowFuse- and vigilant-shaped events with private values planted
 * in every field an SDK fills on its own (user, server name, request, breadcrumbs, frame paths,
 * vars and source lines, contexts, extra, modules, tags, the message) and in session ids.
 */
import { expect } from "vitest";
import {
  FLOWFUSE,
  VIGILANT,
  VIGILANT_INSTANCE,
  envelope,
  fixture,
  gzip,
  nodePost,
  pythonPost,
  text,
} from "../sentryHelpers";
import { planted, plantedSentence } from "./planted";
import { clientHeaders, type Sender } from "./sender";

const frame = (fn: string, lineno: number) => ({
  filename: `${planted.home}/flowfuse/forge/db.js`,
  abs_path: `${planted.home}/flowfuse/forge/db.js`,
  module: `forge.${planted.user}`,
  function: fn,
  lineno,
  colno: 5,
  in_app: true,
  pre_context: [`const password = "${planted.password}"`],
  context_line: `connect("${planted.credentialUrl}")`,
  post_context: [planted.email],
  vars: { password: planted.password, email: planted.email, token: planted.githubToken },
});

/** An event as @sentry/node (FlowFuse) or sentry-python (vigilant) fills it, private values everywhere. */
function plantedEvent(eventId: string, userId: string) {
  return {
    event_id: eventId,
    level: "error",
    timestamp: 1796044309.685,
    release: "flowfuse@2.24.0",
    environment: planted.host,
    server_name: planted.host,
    user: {
      id: userId,
      username: planted.user,
      email: planted.email,
      name: `Alice ${planted.user}`,
      ip_address: planted.ipv4,
    },
    request: {
      url: planted.queryUrl,
      headers: {
        Cookie: `sid=${planted.password}`,
        Authorization: `Bearer ${planted.githubToken}`,
        "X-Forwarded-For": planted.ipv4b,
      },
      query_string: `token=${planted.password}`,
      data: { password: planted.password, email: planted.email },
      env: { REMOTE_ADDR: planted.ipv4 },
    },
    breadcrumbs: {
      values: [
        { category: "console", message: plantedSentence },
        { category: "http", data: { url: planted.credentialUrl } },
      ],
    },
    exception: {
      values: [
        {
          type: "Error",
          value: plantedSentence,
          mechanism: { type: "generic", handled: false },
          stacktrace: { frames: [frame("connect", 12), frame(`handle_${planted.user}`, 40)] },
        },
      ],
    },
    contexts: {
      device: { cpu_description: planted.host, boot_time: planted.email },
      culture: { locale: planted.user, timezone: planted.home },
      cloud_resource: { "host.id": planted.githubToken },
      os: { kernel_version: planted.user, name: "Debian" },
    },
    extra: { "sys.argv": ["forge", "--password", planted.password] },
    modules: { [`private-${planted.user}`]: "1.0.0" },
    tags: { hostname: planted.host, email: planted.email },
  };
}

export const sentry: Sender = {
  name: "Sentry SDKs (POST /api/:projectId/store/ and /envelope/)",
  send: async () => {
    const headers = clientHeaders();
    const sends = [
      pythonPost("store", fixture("sentry-python-1.9.10-store-message-start-watch.json.gz"), VIGILANT, headers),
      pythonPost("store", fixture("sentry-python-1.9.10-store-exception-excepthook.json.gz"), VIGILANT, headers),
      pythonPost("envelope", fixture("sentry-python-1.9.10-envelope-sessions.envelope.gz"), VIGILANT, headers),
      nodePost(fixture("sentry-node-10.78.0-vigilant-01-session-init.envelope"), VIGILANT, headers),
      nodePost(fixture("sentry-node-10.78.0-vigilant-06-event-handled-exception.envelope"), VIGILANT, headers),
      nodePost(fixture("sentry-node-10.78.0-flowfuse-01-session.envelope"), FLOWFUSE, headers),
      // FlowFuse: its user id is a hashid (no installation), through /envelope/ as @sentry/node sends it.
      nodePost(
        envelope({ event_id: "5c".repeat(16), trace: { public_key: FLOWFUSE.key } }, [
          [{ type: "event" }, plantedEvent("5c".repeat(16), "p8Wq3Zk1")],
          [
            { type: "session" },
            {
              sid: planted.email,
              did: planted.email,
              status: "crashed",
              attrs: { release: "flowfuse@2.24.0", ip_address: planted.ipv4 },
            },
          ],
          [
            { type: "client_report" },
            { discarded_events: [{ reason: planted.email, category: planted.host, quantity: 2 }] },
          ],
        ]),
        FLOWFUSE,
        headers,
      ),
      // vigilant: an e-mail as user id (no installation, no fact), through /store/ as sentry-python sends it.
      pythonPost(
        "store",
        await gzip(text(JSON.stringify(plantedEvent("5d".repeat(16), planted.email)))),
        VIGILANT,
        headers,
      ),
      pythonPost(
        "store",
        await gzip(
          text(
            JSON.stringify({
              event_id: "5e".repeat(16),
              message: plantedSentence,
              user: { id: "9b1f0c3e7d2a4f6b8e5c1a0d3f7b9e2c" },
            }),
          ),
        ),
        VIGILANT,
        headers,
      ),
    ];
    for (const res of await Promise.all(sends)) expect(res.status, "sentry").toBe(200);
    return [VIGILANT_INSTANCE, "Start watch", "AttributeError", "handled: exchange timeout"];
  },
};
