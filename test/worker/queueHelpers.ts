import { env } from "cloudflare:workers";
import { createMessageBatch } from "cloudflare:test";
import worker from "../../worker/index";
import { ADMIN, callWith } from "./helpers";

/** A message as the queue holds it: id, body, deliveries so far. */
export interface Held {
  id: string;
  body: unknown;
  attempts: number;
}

/**
 * A producer that keeps what the routes send (the real queue would hand it to the consumer on its
 * own schedule; the tests deliver it themselves, with Cloudflare's rules: see deliver()).
 */
export function holdingQueue(): { queue: Queue; held: Held[] } {
  const held: Held[] = [];
  let n = 0;
  const keep = (body: unknown) => held.push({ id: `m${++n}`, body, attempts: 0 });
  const queue = {
    async send(body: unknown) {
      keep(body);
    },
    async sendBatch(messages: Iterable<MessageSendRequest>) {
      for (const m of messages) keep(m.body);
    },
    async metrics() {
      return { backlogCount: held.length, backlogBytes: 0 };
    },
  };
  return { queue: queue as unknown as Queue, held };
}

/**
 * A real D1 binding whose `batch` throws when `fail(call)` says so (call numbers start at 1):
 * a D1 error injected at a chosen transaction, everything else reaching the real database.
 */
export function flakyDb(fail: (call: number) => boolean): D1Database {
  let calls = 0;
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          calls++;
          if (fail(calls)) throw new Error("injected D1 failure");
          return target.batch(statements);
        };
      }
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Runs the worker's queue() handler on one batch of `queueName`; resolves to whether it threw. */
export async function consume(queueName: string, messages: Held[], overrides: Partial<Env> = {}): Promise<boolean> {
  const batch = createMessageBatch(
    queueName,
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts + 1, body: m.body })),
  );
  try {
    await worker.queue(batch, { ...env, ...overrides } as Env);
    return true;
  } catch {
    return false;
  }
}

/**
 * Delivers `pending` as Cloudflare Queues does with wrangler.toml's consumer settings: batches of
 * up to 100 in order, a batch that throws is redelivered whole, a message delivered
 * 1 + max_retries (4) times without success goes to the dead-letter queue. `dbFor(n)` gives the
 * D1 binding of the n-th consumer invocation. Returns the dead-lettered messages.
 */
export async function deliver(pending: Held[], dbFor: (invocation: number) => D1Database): Promise<Held[]> {
  const dead: Held[] = [];
  let invocation = 0;
  while (pending.length > 0) {
    const batch = pending.splice(0, 100);
    const ok = await consume("candor-ingest", batch, { DB: dbFor(++invocation) });
    if (ok) continue;
    for (const m of batch) {
      m.attempts++;
      if (m.attempts > 3) dead.push(m);
      else pending.push(m);
    }
  }
  return dead;
}

/** Resolves after a timer: workerd's clock moves on across timers, not within a task. */
export const later = () => new Promise((r) => setTimeout(r, 5));

/**
 * The maintainer's erase of installation `id` at a moment of its own: the clock moves on before
 * and after it, so a message received before it is held back by it and one received after is
 * not. Returns the erase's status (404 when nothing was stored yet: the erase is recorded all the
 * same).
 */
export async function eraseBetween(id: string): Promise<number> {
  await later();
  const res = await callWith({}, `/v1/admin/instances/${id}`, { method: "DELETE", headers: ADMIN });
  await later();
  return res.status;
}
