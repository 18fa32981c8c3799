import type { IRequest } from "itty-router";
import { adminCredential, adminUnauthorized } from "../../http/auth";

/**
 * The admin guard: itty-router middleware that router.ts runs once for every request under
 * /v1/admin/ (any method, known path or not) before any admin handler. It returns nothing when
 * the bearer token is right, so routing goes on; otherwise it throws 401 (or 503 without a
 * configured ADMIN_TOKEN).
 */
export async function adminGuard(request: IRequest, env: Env): Promise<void> {
  if ((await adminCredential(request, env)) !== "ok") throw adminUnauthorized();
}
