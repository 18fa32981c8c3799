/**
 * Every body the routes accept, with private values planted (planted.ts), for the whole-database
 * privacy scan (privacyScan.test.ts). To cover a new route or protocol, write a `Sender` in its
 * own file beside this one (as protocols.ts does for FerretDB and Firefly III, sentry.ts for Sentry),
 * recorded fixtures and all, and add it to `senders` below: the scan then holds for it too.
 */
import { expect } from "vitest";
import ce from "../../fixtures/ping-flowfuse-ce.json";
import ee from "../../fixtures/ping-flowfuse-ee.json";
import flat from "../../fixtures/ping-flowfuse-flat.json";
import { call, post, uuid } from "../helpers";
import { planted, plantedFact, plantedSentence, plantedStack } from "./planted";
import { ferretdb, firefly } from "./protocols";
import { sentry } from "./sentry";
import { clientHeaders, type Sender } from "./sender";

async function ping(path: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const res = await post(path, body, { ...clientHeaders(), ...headers });
  expect(res.status, `${path} ${JSON.stringify(body).slice(0, 80)}`).toBe(200);
}

/** FlowFuse's current ping (CE and EE) and its old flat shape, private values in every string. */
const flowfuse: Sender = {
  name: "FlowFuse /ping (CE, EE, old flat shape)",
  send: async () => {
    const ids: string[] = [];
    for (const [fixture, licence] of [
      [ce, ""],
      [ee, planted.licenceId],
      [flat, planted.licenceUuid],
    ] as const) {
      const instanceId = uuid().toUpperCase(); // stored lower-case
      ids.push(instanceId.toLowerCase());
      await ping("/ping", {
        ...fixture,
        instanceId,
        os: { type: planted.email, release: `${planted.ipv4}:22`, arch: planted.home },
        platform: {
          ...fixture.platform,
          config: { ...fixture.platform.config, driver: planted.credentialUrl },
          license: { id: licence, type: planted.licenceUuid },
        },
      });
    }
    return ids;
  },
};

/** The native ping with every field the schema accepts carrying something private. */
const nativePing: Sender = {
  name: "POST /v1/ping with every field",
  send: async () => {
    const instanceId = uuid();
    await ping(
      "/v1/ping",
      {
        instanceId,
        product: planted.ipv4b,
        version: `2.0.0+${planted.email}`,
        os: { type: planted.host, release: planted.winHome, arch: planted.githubToken },
        env: { nodejs: "v22.11.0", [planted.email]: "1", custom: planted.queryUrl, API_TOKEN: "x7" },
        platform: {
          counts: { users: 3, [planted.email]: 1, byHost: { [planted.host]: 2, ok: 1 } },
          config: {
            driver: "docker",
            smtp: { host: planted.host, user: planted.email, password: planted.password, port: 25 },
            [planted.user + "@" + planted.host]: true,
            paths: { data: `${planted.home}/data` },
          },
          license: { id: planted.licenceId, type: planted.email },
        },
        uptime: 1234,
        facts: [
          { id: uuid(), kind: "feature", key: "export.target", value: plantedFact, collectedAt: 1 },
          { id: uuid(), kind: "recurring", key: planted.email, value: "1", collectedAt: 1 },
          { id: uuid(), kind: "feature", key: "ui.theme", value: "dark", collectedAt: 1 },
        ],
        exceptions: [
          {
            id: uuid(),
            type: `Error@${planted.host}`,
            message: plantedSentence,
            stack: plantedStack,
            collectedAt: 1_700_000_000_000,
          },
        ],
        hostname: planted.host,
        user: { email: planted.email },
      },
      { "idempotency-key": planted.email },
    );
    return [instanceId, "export.target", "ui.theme"];
  },
};

/** One posthog-js event with private values in every free-text property. */
function plantedEvent(name = "$pageview") {
  return {
    uuid: uuid(),
    event: name,
    timestamp: new Date().toISOString(),
    distinct_id: planted.email2,
    properties: {
      token: "phc_candor_dev",
      distinct_id: planted.email,
      $session_id: planted.queryUrl,
      $device_id: planted.email,
      $current_url: `https://console.acme.test/devices/${planted.ipv4b}/logs?token=${planted.password}#${planted.email}`,
      $pathname: `/devices/${planted.ipv4b}/logs`,
      $referrer: `http://${planted.host}/team/${planted.user}`,
      $referring_domain: planted.host,
      $lib: planted.email,
      $lib_version: `${planted.ipv4}:80`,
      $raw_user_agent: planted.userAgent,
      $ip: planted.ipv4,
      $set: { email: planted.email, name: planted.user },
      $browser: "Chrome",
      $os: "Linux",
      candor_route: `/users/${planted.email}/settings`,
      candor_instance_id: uuid().toUpperCase(),
      candor_app_version: `${planted.home}/build`,
      candor_license_type: planted.licenceUuid,
      candor_license_id: planted.licenceId,
      candor_props: { plan: "team", who: planted.email, where: planted.ipv4 },
    },
  };
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function capture(path: string, body: BodyInit, headers: Record<string, string>): Promise<void> {
  const res = await call(path, { method: "POST", body, headers: { ...clientHeaders(planted.ipv4b), ...headers } });
  expect(res.status, path).toBe(200);
}

/** The capture routes in every encoding posthog-js and posthog-js-lite use. */
const captureRoutes: Sender = {
  name: "capture (/e, /batch, /i/v0/e, /capture, /track; JSON, gzip, base64 form)",
  send: async () => {
    const events = Array.from({ length: 7 }, (_, i) => plantedEvent(i % 2 ? "$pageleave" : "$pageview"));
    const [a, b, c, d, e, f, g] = events;
    const batch = (list: unknown[]) => JSON.stringify({ api_key: "phc_candor_dev", batch: list });
    await capture("/e/", batch([a, plantedEvent(`login from ${planted.ipv4}`)]), {
      "content-type": "application/json",
    });
    await capture("/batch/", await gzip(batch([b])), { "content-type": "text/plain" });
    await capture("/i/v0/e/", await gzip(batch([c])), {
      "content-type": "application/json",
      "content-encoding": "gzip",
    });
    const form = `data=${encodeURIComponent(btoa(batch([d])))}`;
    await capture("/e/?compression=base64", form, { "content-type": "application/x-www-form-urlencoded" });
    await capture("/capture/", JSON.stringify({ ...e, api_key: "phc_candor_dev" }), { "content-type": "text/plain" });
    await capture("/track/", JSON.stringify([f, g]), { "content-type": "application/json" });
    return events.map((x) => x.uuid);
  },
};

/** posthog-node's Capture V1 (server-side: an app may identify people by e-mail there). */
const captureV1: Sender = {
  name: "posthog-node Capture V1 (/i/v1/analytics/events, gzip, Bearer key)",
  send: async () => {
    const v1 = (event: string, extra: Record<string, unknown> = {}) => ({
      event,
      uuid: uuid(),
      distinct_id: planted.email,
      timestamp: new Date().toISOString(),
      session_id: planted.queryUrl,
      options: {},
      properties: {
        $current_url: `https://app.acme.test/devices/${planted.ipv4b}/logs?k=${planted.password}`,
        $ip: planted.ipv4,
        host: planted.host,
        ...extra,
      },
    });
    const events = [v1("$pageview"), v1("job_finished", { who: planted.email })];
    const body = JSON.stringify({
      created_at: new Date().toISOString(),
      batch: [...events, v1(`sync ${planted.ipv4}`)],
    });
    await capture("/i/v1/analytics/events", await gzip(body), {
      "content-type": "application/json",
      "content-encoding": "gzip",
      authorization: "Bearer phc_candor_dev",
      "posthog-sdk-info": `${planted.email}/${planted.ipv4}:80`,
    });
    return events.map((e) => e.uuid);
  },
};

/** Add a protocol's senders here (one file each): the scan covers them from then on. */
export const senders: Sender[] = [flowfuse, nativePing, captureRoutes, captureV1, ferretdb, firefly, sentry];
