import type { IRequest } from "itty-router";
import { statsQuery } from "../../../schema";
import { json } from "../../http/respond";
import { validateQuery } from "../../lib/validate";
import { resolveSlice } from "../../pipeline/stats/steps";
import { config } from "../../config";
import { database, type Db } from "../../store/db";
import {
  activeStats,
  distributionStats,
  exceptionStats,
  factStats,
  frontendStats,
  platformStats,
  sessionStats,
  type Range,
} from "../../pipeline/stats/run";
import { eventStats } from "../../pipeline/stats/eventStats";

/** A GET /v1/admin/stats/* handler (after the router's admin guard): ?product=&from=&to= validated, JSON answer. */
export function statsRoute(answer: (db: Db, range: Range) => Promise<unknown>) {
  return async (request: IRequest, env: Env): Promise<Response> => {
    const range = resolveSlice(validateQuery(statsQuery, request), config(env).defaultProduct, Date.now());
    return json(await answer(database(env), range));
  };
}

/** GET /v1/admin/stats/active : installations seen per day, in 7 and in 30 days. */
export const getActiveStats = statsRoute(activeStats);

/** GET /v1/admin/stats/distributions : OS type/arch, runtimes, licence types, countries. */
export const getDistributionStats = statsRoute(distributionStats);

/** GET /v1/admin/stats/platform : platform.counts (reporting, sum, median, p90) and config flags. */
export const getPlatformStats = statsRoute(platformStats);

/** GET /v1/admin/stats/facts : installations per fact key and value per day. */
export const getFactStats = statsRoute(factStats);

/** GET /v1/admin/stats/exceptions : groups by fingerprint. */
export const getExceptionStats = statsRoute(exceptionStats);

/** GET /v1/admin/stats/frontend : pageviews, sessions, pages, time on page. */
export const getFrontendStats = statsRoute(frontendStats);

/** GET /v1/admin/stats/events : custom events by name per day, per app version, top property values. */
export const getEventStats = statsRoute(eventStats);

/** GET /v1/admin/stats/sessions : release health (Sentry sessions per version, crash-free share) and client-report drops. */
export const getSessionStats = statsRoute(sessionStats);
