import { platformStats } from "../../pipeline/stats/run";
import { statsRoute } from "./common";

/** GET /v1/admin/stats/platform : platform.counts (reporting, sum, median, p90) and config flags. */
export const getPlatformStats = statsRoute(platformStats);
