import type { StatsFilters } from "../../schema/wire/stats";

/**
 * The dashboard's state lives in the URL: `#/<route>[/<arg>]?product=&from=&to=&version=&license_type=&country=`.
 * A link or a reload shows the same view with the same filters; the browser's back button undoes
 * a filter. A filter given empty (`country=`) selects "unknown", as in the admin API.
 */
export interface Query {
  product: string;
  from: string;
  to: string;
  filters: StatsFilters;
}

export const filterKeys = ["version", "license_type", "country"] as const;
export const filterLabels: Record<(typeof filterKeys)[number], string> = {
  version: "Version",
  license_type: "Licence type",
  country: "Country",
};

export interface Location {
  route: string;
  params: URLSearchParams;
}

/** The current hash as a route ("overview", "installation/<id>"...) and its query parameters. */
export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#\/?/, "");
  const at = raw.indexOf("?");
  const route = (at < 0 ? raw : raw.slice(0, at)) || "overview";
  return { route, params: new URLSearchParams(at < 0 ? "" : raw.slice(at + 1)) };
}

/** The filters named in the parameters (only those present). */
export function filtersOf(params: URLSearchParams): StatsFilters {
  const f: StatsFilters = {};
  for (const k of filterKeys) {
    const v = params.get(k);
    if (v !== null) f[k] = v;
  }
  return f;
}

/** product, from, to and the filters as a query string (the stats routes' parameters). */
export function queryString(q: Query, withFilters = true): string {
  const p = new URLSearchParams({ product: q.product, from: q.from, to: q.to });
  if (withFilters) for (const k of filterKeys) if (q.filters[k] !== undefined) p.set(k, q.filters[k]!);
  return p.toString();
}

/** A hash for `route` that keeps the query (the nav links and in-page links use it). */
export function hrefFor(route: string, q: Query): string {
  return `#/${route}?${queryString(q)}`;
}

export const isFiltered = (q: Query): boolean => filterKeys.some((k) => q.filters[k] !== undefined);

/** "Version 2.5.1 · Country DE" ('' reads "(unknown)"). */
export function describeFilters(q: Query): string {
  return filterKeys
    .filter((k) => q.filters[k] !== undefined)
    .map((k) => `${filterLabels[k]} ${q.filters[k] === "" ? "(unknown)" : q.filters[k]}`)
    .join(" · ");
}
