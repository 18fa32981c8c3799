// One load phase of the HTTP benchmarks (bench/ping.mjs, bench/scale.mjs): `total` requests from
// `concurrency` clients as fast as the worker answers; req/s, p50/p99 latency, errors by status,
// the answers of the successful ones, and (given the worker's process group) the CPU the
// worker's workerd processes spent per request (bench/workerdCpu.mjs).
import { workerdCpuSeconds } from "./workerdCpu.mjs";

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Runs the phase; `makeRequest(i)` gets the request's index (0..total-1) and returns a fetch
 * promise; an answer other than `okStatus` counts as an error under its status. With `pid` (the
 * wrangler process the worker runs under), `cpuMs` is workerd's CPU per request over the phase.
 */
export async function phase(name, total, concurrency, makeRequest, { okStatus = 200, pid } = {}) {
  const latencies = [];
  const errors = {};
  const answers = [];
  let next = 0;
  const cpu0 = pid === undefined ? 0 : workerdCpuSeconds(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        try {
          const res = await makeRequest(i);
          const body = await res.text();
          latencies.push(performance.now() - t);
          if (res.status !== okStatus) errors[res.status] = (errors[res.status] ?? 0) + 1;
          else answers.push(body);
        } catch (e) {
          errors[e.code ?? "network"] = (errors[e.code ?? "network"] ?? 0) + 1;
        }
      }
    }),
  );
  const ended = performance.now();
  const cpuMs = pid === undefined ? null : ((workerdCpuSeconds(pid) - cpu0) * 1000) / total;
  latencies.sort((a, b) => a - b);
  const r = {
    name,
    rps: total / ((ended - started) / 1000),
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    errors,
    answers,
    ended,
    cpuMs,
  };
  console.log(
    `${name.padEnd(28)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms` +
      `${cpuMs === null ? "" : `  workerd CPU ${cpuMs.toFixed(2)} ms/req`}  errors ${JSON.stringify(errors)}`,
  );
  return r;
}
