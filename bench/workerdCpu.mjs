// CPU seconds (user + system) spent so far by the workerd processes under one process (`wrangler
// dev`'s: the worker's requests, its queue consumer, local D1/R2/queue simulation), read from
// /proc (Linux). Differences of two readings measure a phase's CPU whatever else the machine runs,
// which wall-clock req/s on shared cores cannot.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function workerdCpuSeconds(rootPid) {
  const procs = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces, so split after ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    procs.push({
      pid: Number(entry),
      comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
      ppid: Number(rest[1]),
      ticks: Number(rest[11]) + Number(rest[12]),
    });
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
  }
  return (
    procs.filter((p) => tree.has(p.pid) && p.comm.startsWith("workerd")).reduce((n, p) => n + p.ticks, 0) /
    TICKS_PER_SECOND
  );
}
