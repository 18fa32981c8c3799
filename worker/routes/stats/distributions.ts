import { distributionStats } from "../../pipeline/stats/run";
import { statsRoute } from "./common";

/** GET /v1/admin/stats/distributions : OS type/arch, runtimes, licence types, countries. */
export const getDistributionStats = statsRoute(distributionStats);
