// Worker entry: wiring only. Routes live in router.ts, cron work in scheduled.ts.
import { router } from "./router";
import { runScheduled } from "./scheduled";

export default {
  fetch: (request, env, ctx) => router.fetch(request, env, ctx),
  scheduled: async (controller, env) => runScheduled(env, controller.scheduledTime),
} satisfies ExportedHandler<Env>;
