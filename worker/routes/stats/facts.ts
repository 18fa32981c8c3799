import { factStats } from "../../pipeline/stats/more";
import { statsRoute } from "./common";

/** GET /v1/admin/stats/facts : installations per fact key and value per day. */
export const getFactStats = statsRoute(factStats);
