import { json } from "../http/respond";

/** GET /v1/health : does no work (no storage); the benchmark's baseline route. */
export function health(): Response {
  return json({ ok: true });
}
