/**
 * FerretDB's beacon and Firefly III's /submit for the privacy scan (senders.ts): their recorded
 * bodies (test/fixtures/protocols) with private values planted in every free-text field.
 */
import { expect } from "vitest";
import ferretV2 from "../../fixtures/protocols/ferretdb-v2.7.0-docker-1day.json?raw";
import ferretV1 from "../../fixtures/protocols/ferretdb-v1.24.2-postgresql.json?raw";
import firefly546 from "../../fixtures/protocols/firefly-5.4.6-docker-batch.json?raw";
import firefly527 from "../../fixtures/protocols/firefly-5.2.7-bad-uuid-batch.json?raw";
import { call, uuid } from "../helpers";
import { planted, plantedSentence } from "./planted";
import { clientHeaders, type Sender } from "./sender";

async function send(path: string, body: string, headers: Record<string, string>, status: number): Promise<void> {
  const res = await call(path, { method: "POST", body, headers: { ...clientHeaders(), ...headers } });
  expect(res.status, path).toBe(status);
}

export const ferretdb: Sender = {
  name: "FerretDB beacon (POST /, /v1/ferretdb; v2.7.0 and v1.24.2 reports)",
  send: async () => {
    const ids: string[] = [];
    for (const [path, fixture] of [
      ["/", ferretV2],
      ["/v1/ferretdb", ferretV1],
    ] as const) {
      const id = uuid();
      ids.push(id);
      const report = {
        ...(JSON.parse(fixture) as Record<string, unknown>),
        uuid: id.toUpperCase(),
        version: `v2.7.0-${planted.email}`,
        os: planted.home,
        arch: planted.ipv4,
        branch: planted.email,
        commit: planted.githubToken,
        package: `docker-local-${planted.user}`,
        postgresql_version: `PostgreSQL 17.6 on ${planted.host} (${planted.email})`,
        documentdb_version: plantedSentence.slice(0, 100),
        handler: planted.dnsHost,
        handler_version: planted.credentialUrl,
        build_environment: {
          "go.version": "go1.25.4",
          GOARCH: planted.ipv4b,
          "vcs.revision": planted.githubToken,
          "-buildmode": `${planted.home}/x`,
        },
        command_metrics: {
          OP_MSG: { [planted.email]: { [planted.home]: { [planted.ipv4]: 3 } }, find: { unknown: { ok: 2 } } },
        },
      };
      const headers = { "content-type": "application/json; charset=utf-8", "user-agent": planted.userAgent };
      await send(path, JSON.stringify(report), headers, 201);
    }
    return ids;
  },
};

export const firefly: Sender = {
  name: "Firefly III /submit (5.4.6 and 5.2.7 batches)",
  send: async () => {
    const id = uuid();
    type Row = { installation_id: string; collected_at: string; type: string; key: string; value: string };
    const rows = (JSON.parse(firefly546) as Row[]).map((r, i) => ({
      ...r,
      installation_id: id.toUpperCase(),
      value: i % 3 === 0 ? `${r.value} ${planted.email}` : i % 3 === 1 ? `${planted.home}/${r.value}` : r.value,
    }));
    rows.push({ ...rows[0]!, key: planted.email, value: planted.ipv4 });
    rows.push({ ...rows[0]!, installation_id: planted.email, value: planted.home });
    const headers = { "content-type": "application/json", "user-agent": `FireflyIII/5.4.6 (${planted.email})` };
    await send("/submit", JSON.stringify(rows), headers, 200);
    const shared = (JSON.parse(firefly527) as Row[]).map((r) => ({ ...r, value: `${r.value}${planted.ipv4b}` }));
    await send("/v1/firefly/submit", JSON.stringify(shared), { ...headers, "user-agent": planted.userAgent }, 200);
    return [id];
  },
};
