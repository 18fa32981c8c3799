import { z } from "zod";
import { productName } from "./common.ts";
import { snippetLimits } from "./snippet.ts";

export { customEventName, customPropKey, licenseTier, snippetLimits, snippetProps } from "./snippet.ts";

/** Limits of the PostHog-compatible capture endpoints (POST /e/, /batch/, ...). */
export const captureLimits = {
  /** Request body as sent (compressed or not). */
  bodyBytes: 1024 * 1024,
  /** Body after gunzip / base64: enforced while inflating (a gzip bomb stops here). */
  decodedBytes: 8 * 1024 * 1024,
  events: 1000,
  eventName: snippetLimits.eventName,
  path: 512,
  customProps: snippetLimits.customProps,
  customString: snippetLimits.customString,
} as const;

export const pageEvents = ["$pageview", "$pageleave"] as const;

/** A project API key as posthog-js sends it (`phc_...` or any token-like string). */
const captureToken = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, "letters, digits, '_' or '-'");

/** Path parameter of GET /array/:token/config(.js) (400 invalid_field at `$.token`). */
export const tokenPath = z.object({ token: captureToken });

/** CAPTURE_TOKENS: JSON map project token -> product. */
export const captureTokens = z.record(captureToken, productName);

/** Why one event of a batch was dropped (the rest are kept). */
export const rejectReasons = [
  "not_an_object",
  "missing_uuid",
  "invalid_uuid",
  "missing_event",
  "invalid_event_name",
  "event_not_allowed",
  "invalid_properties",
  "token_mismatch",
] as const;
export type RejectReason = (typeof rejectReasons)[number];

/** 200 answer of the capture endpoints. `status: 1` is what PostHog's own capture answers. */
export const captureResponse = z.object({
  status: z.literal(1),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), reason: z.enum(rejectReasons) })),
});
export type CaptureResponse = z.infer<typeof captureResponse>;
