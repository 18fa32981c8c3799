import { exceptionStats } from "../../pipeline/stats/more";
import { statsRoute } from "./common";

/** GET /v1/admin/stats/exceptions : groups by fingerprint. */
export const getExceptionStats = statsRoute(exceptionStats);
