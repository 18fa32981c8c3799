/**
 * The worker's configuration: every `[vars]` value and secret of wrangler.toml, parsed once per
 * isolate from `Env` into a typed `Config`. A missing or malformed value is one 503
 * `not_configured` that names the variable (never a silent default, never a half-open route);
 * bindings (D1, rate limiters) are checked where they are used (store/db.ts, lib/rateLimit.ts).
 *
 * The documented table (docs/configuration.md) is checked against `configVariables` by a test.
 */
import { z } from "zod";
import { captureTokens, productName, sentryMessageFacts, sentryProjects } from "../schema";
import type { SentryMessageFacts, SentryProjects } from "../schema";
import { HttpError } from "./lib/error";
import { log } from "./lib/log";

/** A JSON-valued variable: parse errors and shape errors both fail the variable. */
function jsonVar<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((raw, ctx): unknown => {
      try {
        return JSON.parse(raw);
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** "*" or a comma list of origins (scheme://host[:port], no path). */
const originList = z
  .string()
  .transform((raw) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.union([z.literal("*"), z.string().regex(/^https?:\/\/[^/\s]+$/)])).min(1));

/** The variables, by their wrangler.toml names. */
/**
 * The shortest RETENTION_DAYS. No rollup reads a raw window any more (active-N and facts come
 * from instance_activity), and the cron's retention never deletes a day a pending rebuild reads
 * (pipeline/rollup/steps.ts keepFrom). 7 = the 3 days every run rebuilds from their own raw rows
 * + 4 days, Cloudflare Queues' default message retention: a ping the queue delivers late still
 * lands in a day whose raw rows are kept (and a week of raw pings stays for export).
 */
export const RETENTION_MIN_DAYS = 7;

export const configSchema = z.object({
  /** Product assumed when a ping names none (FlowFuse never does). */
  DEFAULT_PRODUCT: productName,
  /** Product FerretDB beacon reports (POST / and /v1/ferretdb) are stored under. */
  FERRETDB_PRODUCT: productName.default("ferretdb"),
  /** Product Firefly III submissions (POST /submit and /v1/firefly/submit) are stored under. */
  FIREFLY_PRODUCT: productName.default("firefly-iii"),
  /** Capture project tokens -> product (JSON). */
  CAPTURE_TOKENS: jsonVar(captureTokens),
  /** Sentry project id -> {product, keys}: which DSNs the Sentry routes accept (JSON). */
  SENTRY_PROJECTS: jsonVar(sentryProjects),
  /** Product -> the Sentry message texts stored as facts (JSON); every other message is dropped. */
  SENTRY_MESSAGE_FACTS: jsonVar(sentryMessageFacts),
  /** Browser origins allowed on the PostHog routes. */
  ALLOWED_ORIGINS: originList,
  /** Days raw pings are kept (rollups are kept for good); at least RETENTION_MIN_DAYS. */
  RETENTION_DAYS: z.string().default("90").transform(Number).pipe(z.number().int().min(RETENTION_MIN_DAYS).max(3650)),
  /**
   * Days raw events stay in D1 (today's and the days before it), where the cron rebuilds the
   * recent days' frontend rollups from them and the admin event list reads them; the R2 archive
   * keeps them for exports. 0 = never written to D1 (the writer's counters and its dedupe
   * horizon, event_ids, need no raw row); else >= 4: the 3 recent days the cron rebuilds
   * (RECENT_DAYS) plus one for retries and replays across midnight.
   */
  EVENTS_D1_DAYS: z
    .string()
    .default("7")
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .max(3650)
        .refine((n) => n === 0 || n >= 4, "0, or 4 and more"),
    ),
  /** "true" allows ?source=raw on the versions stats route (benchmarks only). */
  STATS_RAW_COMPARE: z.enum(["true", "false"]).default("false"),
  /** "off" skips the limiter on the ping routes (a WAF rule guards them instead). */
  PING_DAMPING: z.enum(["on", "off"]).default("on"),
  /** "queue": ingestion routes answer after INGEST_QUEUE accepted their rows; "direct": after D1 did. */
  INGEST_MODE: z.enum(["queue", "direct"]).default("queue"),
  /** Secret bearer token of /v1/admin/*: optional here; the admin guard answers 503 without it (or when shorter than 16). */
  ADMIN_TOKEN: z.string().optional(),
});

/** Names of every configuration variable, for the documentation check. */
export const configVariables = Object.keys(configSchema.shape) as Array<keyof typeof configSchema.shape>;

export interface Config {
  defaultProduct: string;
  ferretdbProduct: string;
  /** Ingestion routes hand their rows to INGEST_QUEUE (true) or write them to D1 before answering. */
  ingestQueued: boolean;
  fireflyProduct: string;
  captureTokens: Record<string, string>;
  sentryProjects: SentryProjects;
  sentryMessageFacts: SentryMessageFacts;
  /** ["*"] or exact origins. */
  allowedOrigins: string[];
  retentionDays: number;
  /** Days raw events are kept in D1, 0 = none (the archive in R2 keeps them all). */
  eventsD1Days: number;
  statsRawCompare: boolean;
  pingDamping: boolean;
  adminToken: string | undefined;
}

/** Per-isolate cache: `env` is the same object for every request of an isolate (a cache, not request state). */
const parsed = new WeakMap<object, Config>();

/** Parses `env` (memoised per env object); a bad or missing variable -> 503 not_configured naming it. */
export function config(env: Env): Config {
  const hit = parsed.get(env);
  if (hit) return hit;
  const vars: Record<string, unknown> = {};
  for (const name of configVariables) vars[name] = (env as unknown as Record<string, unknown>)[name];
  const result = configSchema.safeParse(vars);
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((i) => String(i.path[0])))].sort();
    log("error", "configuration invalid", { variables: names });
    throw new HttpError(503, "not_configured", `Configuration variable ${names.join(", ")} is missing or invalid.`);
  }
  const v = result.data;
  const out: Config = {
    defaultProduct: v.DEFAULT_PRODUCT,
    ferretdbProduct: v.FERRETDB_PRODUCT,
    fireflyProduct: v.FIREFLY_PRODUCT,
    captureTokens: v.CAPTURE_TOKENS,
    sentryProjects: v.SENTRY_PROJECTS,
    sentryMessageFacts: v.SENTRY_MESSAGE_FACTS,
    allowedOrigins: v.ALLOWED_ORIGINS,
    retentionDays: v.RETENTION_DAYS,
    eventsD1Days: v.EVENTS_D1_DAYS,
    statsRawCompare: v.STATS_RAW_COMPARE === "true",
    pingDamping: v.PING_DAMPING === "on",
    ingestQueued: v.INGEST_MODE === "queue",
    adminToken: v.ADMIN_TOKEN,
  };
  parsed.set(env, out);
  return out;
}

/** Whether a browser `origin` may call the PostHog routes. */
export function originAllowed(cfg: Config, origin: string | null): boolean {
  if (cfg.allowedOrigins.includes("*")) return true;
  return origin !== null && cfg.allowedOrigins.includes(origin);
}
