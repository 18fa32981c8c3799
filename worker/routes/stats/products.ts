import type { IRequest } from "itty-router";
import type { ProductList } from "../../../schema";
import { json } from "../../http/respond";
import { database } from "../../store/db";
import { readState } from "../../store/rollups";
import { productList } from "../../store/stats";

/** GET /v1/admin/stats/products : products with rollups (for the dashboard's switcher) and rollup progress. */
export async function getStatsProducts(request: IRequest, env: Env): Promise<Response> {
  const db = database(env);
  const [rows, state] = await Promise.all([productList(db), readState(db)]);
  const body: ProductList = {
    products: rows.map((r) => ({
      product: r.product,
      first_day: r.firstDay,
      last_day: r.lastDay,
      latest_release: r.latest,
    })),
    rollups: state ? { built_through: state.builtThrough, built_at: new Date(state.builtAt).toISOString() } : null,
  };
  return json(body);
}
