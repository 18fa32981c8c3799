// Worker entry: wiring only. Routes live in router.ts, cron work in scheduled.ts, queue
// consumers in queue.ts.
import { router } from "./router";
import { runScheduled } from "./scheduled";
import { runQueue } from "./queue";

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  scheduled: async (controller, env) => runScheduled(env, controller.scheduledTime),
  queue: async (batch, env) => runQueue(batch, env, Date.now()),
} satisfies ExportedHandler<Env>;
