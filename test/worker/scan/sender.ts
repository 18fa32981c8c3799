import { planted } from "./planted";

export interface Sender {
  name: string;
  /**
   * Sends its bodies, asserting each was accepted, and returns values of those bodies that must
   * be in D1 afterwards (instance ids, kept fields): proof that the bodies were stored, so the
   * scan cannot pass on an empty database.
   */
  send: () => Promise<string[]>;
}

/** Request headers carrying the client's address and a raw User-Agent. */
export const clientHeaders = (ip: string = planted.ipv4) => ({
  "cf-connecting-ip": ip,
  "x-forwarded-for": `${ip}, ${planted.ipv4b}`,
  "x-real-ip": ip,
  "user-agent": planted.userAgent,
});
