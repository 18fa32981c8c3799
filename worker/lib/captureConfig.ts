import { captureTokens } from "../../schema/wire/capture";
import { HttpError } from "./error";
import { log } from "./log";

let cached: { raw: string; tokens: Record<string, string> } | undefined;

/** CAPTURE_TOKENS (JSON map token -> product), parsed once per isolate; malformed -> 503. */
export function tokenMap(env: Env): Record<string, string> {
  const raw = env.CAPTURE_TOKENS ?? "";
  if (cached?.raw === raw) return cached.tokens;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const result = captureTokens.safeParse(parsed);
  if (!result.success) {
    log("error", "CAPTURE_TOKENS is not a JSON map of token -> product");
    throw new HttpError(503, "not_configured", "Capture is not configured.");
  }
  cached = { raw, tokens: result.data };
  return result.data;
}

/** ALLOWED_ORIGINS: "*" or a comma list of origins such as https://console.example.com. */
export function originAllowed(env: Env, origin: string | null): boolean {
  const list = (env.ALLOWED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.includes("*")) return true;
  return origin !== null && list.includes(origin);
}

/**
 * Browser requests from an origin that is not allowed are refused (401) before anything is read:
 * CORS alone would hide the answer but still let a simple POST store events.
 * Requests without an Origin header (servers, posthog-node) pass. The 401 names that origin in
 * `Access-Control-Allow-Origin` so the browser lets posthog-js read the status (a 4xx is not
 * retried; an unreadable answer is status 0, which posthog-js retries up to 10 times).
 */
export function requireAllowedOrigin(request: Request, env: Env): void {
  const origin = request.headers.get("origin");
  if (origin !== null && !originAllowed(env, origin)) {
    throw new HttpError(401, "unauthorized", "Origin not allowed.", {}, { "access-control-allow-origin": origin });
  }
}
