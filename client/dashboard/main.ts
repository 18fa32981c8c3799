import type { DistributionStats, ProductList, VersionStats } from "../../schema/wire/stats";
import "./dashboard.css";
import { getJson, token, Unauthorized, view } from "./api";
import { resetCharts } from "./charts";
import { card, h } from "./dom";
import { eventsView } from "./eventsView";
import { exceptionView } from "./exceptionView";
import { frontendView } from "./frontendView";
import { installationsView, installationView } from "./installations";
import { alertsView, releasesView } from "./manage";
import { overview } from "./overview";
import { describeError, panel } from "./panel";
import { filterKeys, filterLabels, filtersOf, hrefFor, parseHash, queryString, type Query } from "./state";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $<HTMLElement>("main");
const login = $<HTMLFormElement>("login");
const controls = $<HTMLFormElement>("controls");
const productSelect = $<HTMLSelectElement>("product");
const fromInput = $<HTMLInputElement>("from");
const toInput = $<HTMLInputElement>("to");
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isDay = (s: string | null): s is string => s !== null && /^\d{4}-\d{2}-\d{2}$/.test(s);
/** The filter selects: "*" = no filter, "" = unknown, else the value. */
const ALL = "*";
const filterSelect = (k: (typeof filterKeys)[number]) => $<HTMLSelectElement>(`f-${k}`);

function setRange(days: number): void {
  toInput.value = day(Date.now());
  fromInput.value = day(Date.now() - (days - 1) * 86_400_000);
}

function showLogin(message = ""): void {
  token.clear();
  for (const el of [controls, $("nav"), $("signout")]) el.hidden = true;
  main.replaceChildren();
  login.hidden = false;
  $("login-error").textContent = message;
  $<HTMLInputElement>("token").focus();
}

function emptyState(): HTMLElement {
  const origin = location.origin;
  return card(
    "No data yet",
    h("p", {}, "Nothing has been received yet. Send a first ping from an installation (or by hand):"),
    h(
      "pre",
      {},
      `curl -X POST ${origin}/v1/ping \\\n  -H 'content-type: application/json' \\\n  -d '{"instanceId":"${crypto.randomUUID()}","product":"myapp","version":"1.0.0"}'`,
    ),
    h(
      "p",
      {},
      "It shows up here within seconds: today's active installations, versions, OS, licence and country. Platform counts, flags, facts and exceptions follow the hourly rollup (locally: ",
      h("code", {}, "wrangler dev --test-scheduled"),
      " then open ",
      h("code", {}, "/__scheduled"),
      "). Releases and alerts can be set already, from the menu.",
    ),
  );
}

/** A failure that is not a refused token: the token is kept, the message says what to do. */
function failure(err: unknown, retry: () => void): HTMLElement {
  const again = h("button", { type: "button" }, "Retry");
  again.addEventListener("click", retry);
  return card("Could not load", h("p", { class: "error", role: "alert" }, describeError(err)), again);
}

let controller: AbortController | undefined;
const refused = () => showLogin("That token was refused.");

/** The view of a route (#/name/arg); its panels load on their own. */
function viewFor(route: string, q: Query): HTMLElement {
  const [name = "overview", arg = ""] = route.split("/");
  const o = { onUnauthorized: refused };
  const whole = (title: string, load: () => Promise<HTMLElement>) => panel(title, async () => [await load()], o);
  switch (name) {
    case "releases":
      return whole("Releases", () => releasesView(q.product));
    case "alerts":
      return whole("Alerts", () => alertsView(q.product));
    case "installations":
      return installationsView(q, refused);
    case "installation":
      return installationView(decodeURIComponent(arg), refused);
    case "exception":
      return exceptionView(q, decodeURIComponent(arg), refused);
  }
  if (!q.product) return emptyState();
  if (name === "frontend") return frontendView(q, refused);
  if (name === "events") return eventsView(q, refused);
  return overview(q, refused);
}

/**
 * Renders the current route. The previous view stays until the new one replaces it, and the new
 * one shows per-panel loading (never a full-page "Loading…"); a newer render aborts this one's
 * requests, and its panels drop their answers.
 */
function render(): void {
  controller?.abort();
  controller = new AbortController();
  view.signal = controller.signal;
  const { route, params } = parseHash(location.hash);
  // The URL wins over the controls (a shared link, a reload, the back button); a link without a
  // query (an in-page link) keeps the controls' product and range, and no filter.
  const product = params.get("product");
  if (product && [...productSelect.options].some((o) => o.value === product)) productSelect.value = product;
  if (isDay(params.get("from"))) fromInput.value = params.get("from")!;
  if (isDay(params.get("to"))) toInput.value = params.get("to")!;
  const q: Query = {
    product: productSelect.value,
    from: fromInput.value,
    to: toInput.value,
    filters: filtersOf(params),
  };
  const section = route.split("/")[0];
  for (const a of document.querySelectorAll<HTMLAnchorElement>("#nav a")) {
    const target = a.dataset.route ?? "";
    a.href = hrefFor(target, q);
    if (target === section || (target === "installations" && section === "installation"))
      a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  void syncFilters(q);
  resetCharts();
  main.replaceChildren(viewFor(route, q));
  main.dataset.route = route; // which view is shown (tests and tools wait on it)
}

/** Shows `q` (the controls' product and range, the filter selects) as the current route's URL, which renders it. */
function go(filters = currentFilters()): void {
  const { route } = parseHash(location.hash);
  const q: Query = { product: productSelect.value, from: fromInput.value, to: toInput.value, filters };
  const next = hrefFor(route, q);
  if (location.hash === next) render();
  else location.hash = next;
}

function currentFilters(): Query["filters"] {
  const f: Query["filters"] = {};
  for (const k of filterKeys) {
    const v = filterSelect(k).value;
    if (v !== ALL) f[k] = v;
  }
  return f;
}

/** Filter choices per product and range: versions, licence types and countries seen in it (unfiltered). */
const choices = new Map<string, Promise<Record<(typeof filterKeys)[number], string[]>>>();
function choicesFor(q: Query) {
  const key = queryString(q, false);
  let c = choices.get(key);
  if (!c) {
    c = Promise.all([
      getJson<VersionStats>(`/v1/admin/stats/versions?${key}`),
      getJson<DistributionStats>(`/v1/admin/stats/distributions?${key}`),
    ]).then(([v, d]) => ({
      version: v.versions.map((x) => x.version),
      license_type: d.license.map((x) => x.value),
      country: d.country.map((x) => x.value).sort(),
    }));
    c.catch(() => choices.delete(key));
    choices.set(key, c);
  }
  return c;
}

/** Fills the filter selects for the view's product and range, and selects the URL's filters. */
async function syncFilters(q: Query): Promise<void> {
  const fill = (values: Record<string, string[]>) => {
    for (const k of filterKeys) {
      const select = filterSelect(k);
      const chosen = q.filters[k];
      const list = [...new Set([...(values[k] ?? []), ...(chosen === undefined ? [] : [chosen])])];
      select.replaceChildren(
        h("option", { value: ALL }, `All`),
        ...list.map((v) => h("option", { value: v }, v === "" ? "(unknown)" : v)),
      );
      select.value = chosen ?? ALL;
      select.classList.toggle("active", chosen !== undefined);
    }
    $("clear-filters").hidden = filterKeys.every((k) => q.filters[k] === undefined);
  };
  fill({});
  if (!q.product) return;
  try {
    fill(await choicesFor(q));
  } catch {
    // The selects keep "All" and the current filter; the views show their own errors.
  }
}

async function start(): Promise<void> {
  try {
    const { products, rollups } = await getJson<ProductList>("/v1/admin/stats/products");
    const current = productSelect.value;
    productSelect.replaceChildren(...products.map((p) => h("option", { value: p.product }, p.product)));
    if (products.some((p) => p.product === current)) productSelect.value = current;
    $("asof").textContent = rollups
      ? `Rollups built ${rollups.built_at.slice(0, 16).replace("T", " ")} UTC`
      : "No rollups yet";
  } catch (err) {
    // Only a refused token signs out; anything else keeps it and offers a retry.
    if (err instanceof Unauthorized) return showLogin(token.get() ? "That token was refused." : "");
    login.hidden = true;
    return void main.replaceChildren(failure(err, () => void start()));
  }
  login.hidden = true;
  for (const el of [controls, $("nav"), $("signout")]) el.hidden = false;
  render();
}

login.addEventListener("submit", (e) => {
  e.preventDefault();
  token.set($<HTMLInputElement>("token").value.trim());
  $<HTMLInputElement>("token").value = "";
  void start();
});
controls.addEventListener("submit", (e) => {
  e.preventDefault();
  go();
});
// A product has its own versions, licences and countries: switching clears the filters.
productSelect.addEventListener("change", () => go({}));
for (const k of filterKeys) {
  filterSelect(k).setAttribute("aria-label", `Filter by ${filterLabels[k].toLowerCase()}`);
  filterSelect(k).addEventListener("change", () => go());
}
$("clear-filters").addEventListener("click", () => go({}));
for (const b of document.querySelectorAll<HTMLButtonElement>(".quick button")) {
  b.addEventListener("click", () => {
    setRange(Number(b.dataset.days));
    go();
  });
}
$("signout").addEventListener("click", () => showLogin());
addEventListener("hashchange", () => render());
main.addEventListener("saved", () => render());

setRange(30);
if (token.get()) void start();
else showLogin();
