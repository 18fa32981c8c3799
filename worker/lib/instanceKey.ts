/**
 * The installation key on the worker's side (schema/wire/instanceKey.ts): read from the
 * Authorization header, reduced to a digest (the only form ever stored or compared), and
 * compared in constant time.
 */
import { instanceKey } from "../../schema";
import { HttpError } from "./error";
import { toHex } from "./hex";

/** Domain separation of the stored digest (a key digest never equals any other SHA-256 we keep). */
const LABEL = "candor.instance-key.v1:";

/**
 * The key in `Authorization: Bearer <key>`, or null when the header is absent (a keyless client
 * such as FlowFuse's ping). A header that is present but not a well-formed key is 400
 * invalid_header: a client that means to prove itself must not be treated as keyless.
 */
export function instanceKeyHeader(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match || !instanceKey.safeParse(match[1]).success)
    throw new HttpError(400, "invalid_header", "Authorization must be `Bearer <installation key>`.", {
      header: "Authorization",
    });
  return match[1]!;
}

/** Hex SHA-256 of the labelled key: what `instances.key_hash` holds. */
export async function instanceKeyHash(key: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(LABEL + key)));
}

/**
 * Whether two key digests (64 hex characters each) are equal, in constant time:
 * timingSafeEqual throws on unequal lengths, so both sides are hashed once more first.
 */
export async function sameKeyHash(a: string, b: string): Promise<boolean> {
  const digest = (s: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(x, y);
}
