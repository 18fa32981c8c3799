import { toHex } from "./hex";

/**
 * A UUID (version 8, RFC 9562 "custom") made from the SHA-256 of `text`: the same text always
 * gives the same id, so a resent record or batch is recognised. 122 of the digest's bits are kept.
 */
export async function derivedUuid(text: string): Promise<string> {
  const b = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).slice(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = toHex(b);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
