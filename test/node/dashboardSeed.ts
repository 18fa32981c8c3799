// The dashboard test's data set (raw rows over 14 days, written before the worker starts) and
// what it reads off the page.
import type { Page } from "playwright-core";
import { activityBackfillSql } from "../harness/localD1.ts";

const DAY = 86_400_000;
export const day = (k: number) => new Date(Date.now() - k * DAY).toISOString().slice(0, 10);
const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
const chunks = <T>(xs: T[], n: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/**
 * 14 days of raw rows. acme: 40 installations (instance i pings from day 13 - i % 5 to today), half
 * upgrading to 1.1.0 a week ago (the release, set that day), a ui.theme fact each, frontend
 * events, custom events with properties, exceptions of two groups (fp-export only on 1.1.0).
 * beta: 3 installations every day. webonly: frontend events only (no pings).
 */
export function seedSql(): string {
  const inst: string[] = [];
  const pings: string[] = [];
  const facts: string[] = [];
  const events: string[] = [];
  const ping = (
    id: string,
    product: string,
    k: number,
    version: string,
    os: string,
    counts: string | null,
    config: string | null,
    i: number,
  ) =>
    `(${q(`p-${id}-${k}`)}, ${q(id)}, ${q(product)}, ${q(version)}, ${Date.parse(`${day(k)}T06:00:00Z`) + i}, ${q(day(k))}, ${q(os)}, 'x64', 'CE', 'DE', ${counts === null ? "NULL" : q(counts)}, ${config === null ? "NULL" : q(config)})`;
  for (let i = 0; i < 40; i++) {
    const id = `30000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    inst.push(`(${q(id)}, 'acme', 0, 0, 1)`);
    facts.push(
      `(${q(`f-${i}`)}, ${q(id)}, 'feature', 'ui.theme', ${q(i % 3 === 0 ? "dark" : "light")}, ${Date.parse(`${day(13)}T05:00:00Z`)}, ${Date.parse(`${day(13)}T05:00:00Z`)}, ${q(day(13))})`,
    );
    for (let k = 13 - (i % 5); k >= 0; k--) {
      pings.push(
        ping(
          id,
          "acme",
          k,
          i % 2 === 0 && k < 7 ? "1.1.0" : "1.0.0",
          i % 3 === 0 ? "Darwin" : "Linux",
          JSON.stringify({ users: i + 1 }),
          JSON.stringify({ ha: i % 4 === 0 }),
          i,
        ),
      );
    }
  }
  for (let i = 0; i < 3; i++) {
    const id = `40000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    inst.push(`(${q(id)}, 'beta', 0, 0, 1)`);
    for (let k = 13; k >= 0; k--) pings.push(ping(id, "beta", k, "2.0.0", "Linux", null, null, i));
  }
  for (let k = 13; k >= 0; k--) {
    for (let s = 0; s < 3 + (k % 4); s++) {
      const t = Date.parse(`${day(k)}T09:00:00Z`) + s * 1000;
      events.push(
        `(${q(`e-${k}-${s}-a`)}, 'acme', '$pageview', ${t}, ${t}, ${q(day(k))}, ${q(`s-${k}-${s}`)}, '/flows', NULL)`,
      );
      events.push(
        `(${q(`e-${k}-${s}-b`)}, 'acme', '$pageleave', ${t + 500}, ${t + 500}, ${q(day(k))}, ${q(`s-${k}-${s}`)}, '/flows', ${(s + 1) * 4000})`,
      );
    }
  }
  // Custom events (Candor.capture) with properties and app versions.
  const custom: string[] = [];
  for (let k = 13; k >= 0; k--) {
    for (let s = 0; s < 2 + (k % 3); s++) {
      const t = Date.parse(`${day(k)}T10:00:00Z`) + s * 1000;
      const name = s % 2 === 0 ? "export_done" : "flow_created";
      const props = JSON.stringify(name === "export_done" ? { format: s % 4 === 0 ? "csv" : "pdf" } : { nodes: s + 2 });
      custom.push(
        `(${q(`c-${k}-${s}`)}, 'acme', ${q(name)}, ${t}, ${t}, ${q(day(k))}, ${q(k < 7 ? "1.1.0" : "1.0.0")}, ${q(props)})`,
      );
    }
  }
  // Exceptions: one group from both versions (instances 0..5), one only on 1.1.0 (new in the release).
  const exceptions: string[] = [];
  for (let i = 0; i < 6; i++) {
    const id = `30000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    for (const k of [9, 3, 1]) {
      const version = i % 2 === 0 && k < 7 ? "1.1.0" : "1.0.0";
      const t = Date.parse(`${day(k)}T07:00:00Z`) + i;
      exceptions.push(
        `(${q(`x-${i}-${k}`)}, ${q(id)}, 'fp-flows', 'TypeError', 'Cannot read properties of undefined (reading ''nodes'')', ${q("TypeError: Cannot read properties of undefined\n    at runFlow (app/flows.js:120:14)\n    at Scheduler.tick (app/scheduler.js:42:9)")}, ${q(version)}, ${t}, ${t}, ${q(day(k))})`,
      );
    }
  }
  exceptions.push(
    `('x-new', '30000000-0000-4000-8000-000000000002', 'fp-export', 'RangeError', 'Invalid time value', NULL, '1.1.0', ${Date.parse(`${day(1)}T08:00:00Z`)}, ${Date.parse(`${day(1)}T08:00:00Z`)}, ${q(day(1))})`,
  );
  events.push(
    `('w-1', 'webonly', '$pageview', ${Date.parse(`${day(1)}T09:00:00Z`)}, ${Date.parse(`${day(1)}T09:00:00Z`)}, ${q(day(1))}, 'ws', '/', NULL)`,
  );
  return [
    `INSERT INTO instances (id, product, first_seen, last_seen, ping_count) VALUES ${inst.join(",")};`,
    ...chunks(pings, 200).map(
      (c) =>
        `INSERT INTO pings (uuid, instance_id, product, version, received_at, day, os_type, os_arch, license_type, country, counts, config) VALUES ${c.join(",")};`,
    ),
    `INSERT INTO facts (id, instance_id, kind, key, value, collected_at, received_at, day) VALUES ${facts.join(",")};`,
    `INSERT INTO events (uuid, product, event, timestamp, received_at, day, session_id, path, duration_ms) VALUES ${events.join(",")};`,
    `INSERT INTO events (uuid, product, event, timestamp, received_at, day, app_version, props) VALUES ${custom.join(",")};`,
    `INSERT INTO exceptions (id, instance_id, fingerprint, type, message, stack, version, collected_at, received_at, day) VALUES ${exceptions.join(",")};`,
    `INSERT INTO releases (product, version, updated_at) VALUES ('acme', '1.1.0', ${Date.parse(`${day(7)}T12:00:00Z`)});`,
    activityBackfillSql(),
  ].join("\n");
}

/**
 * Per chart on the page: pixels of the series' stroke colours (saturated: axes, grid and labels
 * are greys, so an empty chart counts 0) and its x tick times (seconds).
 */
export function charts(page: Page): Promise<Array<{ series: number; xticks: number[] }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>(".chart")).flatMap((box) => {
      const c = box.querySelector("canvas");
      if (!c) return [];
      const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
      let series = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
        if (a >= 128 && Math.max(r, g, b) - Math.min(r, g, b) >= 80) series++;
      }
      return [
        {
          series,
          xticks: (box.dataset.xticks ?? "")
            .split(",")
            .filter((s) => s !== "")
            .map(Number),
        },
      ];
    }),
  );
}
