// Installation identities for the worker tests: an id, its key and browser reference, and the
// requests an installation (or someone who only knows its id) makes.
import { env } from "cloudflare:workers";
import { browserRef } from "../../schema/wire/browserRef";
import { call, count, post, uuid } from "./helpers";

export interface Identity {
  id: string;
  key: string;
  ref: string;
}

/** A random installation key, as the Node client makes it: 32 random bytes, base64url. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function newIdentity(): Promise<Identity> {
  const id = uuid();
  return { id, key: newKey(), ref: await browserRef(id) };
}

const bearer = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** A ping for `id` with a fact and an exception, with `key` as Authorization when given. */
export function ping(
  id: string,
  key?: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return post(
    "/v1/ping",
    {
      instanceId: id,
      product: "p-identity",
      version: "1.0.0",
      facts: [{ id: uuid(), kind: "feature", key: "k", value: "v", collectedAt: 1 }],
      exceptions: [{ id: uuid(), type: "Error", message: "m", collectedAt: 1 }],
      ...extra,
    },
    { ...bearer(key), ...headers },
  );
}

/** DELETE /v1/instances/:id, with `key` as Authorization when given. */
export function forget(id: string, key?: string, headers: Record<string, string> = {}) {
  return call(`/v1/instances/${id}`, { method: "DELETE", headers: { ...bearer(key), ...headers } });
}

/** One $pageview through the real capture route, carrying `ref` as the snippet does. */
export async function pageview(ref: string): Promise<void> {
  const res = await call("/e/", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: JSON.stringify({
      api_key: "phc_candor_dev",
      batch: [{ uuid: uuid(), event: "$pageview", properties: { candor_instance_ref: ref, $pathname: "/" } }],
    }),
  });
  if (res.status !== 200) throw new Error(`capture answered ${res.status}`);
}

/** Rows that belong to the installation, per table (events by its browser reference; activity = instance_activity). */
export async function rowsOf(who: Identity): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ["pings", "facts", "exceptions"]) out[t] = await count(`${t} WHERE instance_id = '${who.id}'`);
  out.events = await count(`events WHERE instance_ref = '${who.ref}'`);
  out.instances = await count(`instances WHERE id = '${who.id}'`);
  out.activity = await count(`instance_activity WHERE instance_id = '${who.id}'`);
  return out;
}

/** The instance row's key digest and browser reference, straight from D1. */
export function identityColumns(id: string) {
  return env.DB.prepare("SELECT key_hash, browser_ref FROM instances WHERE id = ?")
    .bind(id)
    .first<{ key_hash: string | null; browser_ref: string | null }>();
}
