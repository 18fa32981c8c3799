/**
 * The installation key: a random secret the instance client creates with its state file and
 * never shows to anyone. It travels only in `Authorization: Bearer <key>` on the installation's
 * own requests (`POST /v1/ping`, `DELETE /v1/instances/:id`), never in a body, so it never lands
 * in a ledger, a last-report file, a debug payload or a browser. The worker stores only a
 * SHA-256 digest of it; the first report that carries it registers it for the instance (trust on
 * first use), and from then on pings and erasure of that instance need it.
 */
import { z } from "zod";

/** Bytes of randomness of a key the Candor client makes (256 bits; 43 base64url characters). */
export const instanceKeyBytes = 32;

/** A key: 43-128 base64url characters (at least 256 bits from a client that makes its own). */
export const instanceKey = z.string().regex(/^[A-Za-z0-9_-]{43,128}$/, "43-128 base64url characters");

/** The Authorization header value that carries `key`. */
export const instanceKeyAuthorization = (key: string): string => `Bearer ${key}`;
