import { frontendStats } from "../../pipeline/stats/more";
import { statsRoute } from "./common";

/** GET /v1/admin/stats/frontend : pageviews, sessions, pages, time on page. */
export const getFrontendStats = statsRoute(frontendStats);
