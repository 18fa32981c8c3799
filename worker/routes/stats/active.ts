import { activeStats } from "../../pipeline/stats/run";
import { statsRoute } from "./common";

/** GET /v1/admin/stats/active : installations seen per day, in 7 and in 30 days. */
export const getActiveStats = statsRoute(activeStats);
