import type { ProductList } from "../../schema/wire/stats";
import "./dashboard.css";
import { ApiError, getJson, token, Unauthorized, view } from "./api";
import { resetCharts } from "./charts";
import { card, h } from "./dom";
import { frontendView } from "./frontendView";
import { alertsView, releasesView } from "./manage";
import { overview, type Query } from "./overview";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = $<HTMLElement>("main");
const login = $<HTMLFormElement>("login");
const controls = $<HTMLFormElement>("controls");
const productSelect = $<HTMLSelectElement>("product");
const fromInput = $<HTMLInputElement>("from");
const toInput = $<HTMLInputElement>("to");
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

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
    h("p", {}, "Nothing has been rolled up yet. Send a first ping from an installation (or by hand):"),
    h(
      "pre",
      {},
      `curl -X POST ${origin}/v1/ping \\\n  -H 'content-type: application/json' \\\n  -d '{"instanceId":"${crypto.randomUUID()}","product":"myapp","version":"1.0.0"}'`,
    ),
    h(
      "p",
      {},
      "Figures appear after the next rollup: the cron runs hourly (locally: ",
      h("code", {}, "wrangler dev --test-scheduled"),
      " then open ",
      h("code", {}, "/__scheduled"),
      "). Releases and alerts can be set already, from the menu.",
    ),
  );
}

/** A failure that is not a refused token: the token is kept, the message says what to do. */
function failure(err: unknown, retry: () => void): HTMLElement {
  const message =
    err instanceof ApiError && err.status === 503
      ? "The worker's storage is temporarily unavailable (503). Retry in a moment."
      : err instanceof ApiError
        ? err.message
        : "The worker did not answer. Check the connection and retry.";
  const again = h("button", { type: "button" }, "Retry");
  again.addEventListener("click", retry);
  return card("Could not load", h("p", { class: "error", role: "alert" }, message), again);
}

let generation = 0;
let controller: AbortController | undefined;

/** Renders the current route. A newer render cancels this one's requests and its answer is dropped. */
async function render(): Promise<void> {
  const mine = ++generation;
  controller?.abort();
  controller = new AbortController();
  view.signal = controller.signal;
  const route = location.hash.replace(/^#\/?/, "") || "overview";
  for (const a of document.querySelectorAll<HTMLAnchorElement>("#nav a")) {
    if (a.hash === `#/${route}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const q: Query = { product: productSelect.value, from: fromInput.value, to: toInput.value };
  resetCharts();
  main.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  main.setAttribute("aria-busy", "true");
  try {
    let content: HTMLElement;
    if (route === "releases") content = await releasesView(q.product);
    else if (route === "alerts") content = await alertsView(q.product);
    else if (!q.product) content = emptyState();
    else content = route === "frontend" ? await frontendView(q) : await overview(q);
    if (mine !== generation) return;
    main.replaceChildren(content);
  } catch (err) {
    if (mine !== generation) return; // superseded (aborted): the newer render owns the page
    if (err instanceof Unauthorized) return showLogin("That token was refused.");
    main.replaceChildren(failure(err, () => void render()));
  } finally {
    if (mine === generation) main.removeAttribute("aria-busy");
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
  await render();
}

login.addEventListener("submit", (e) => {
  e.preventDefault();
  token.set($<HTMLInputElement>("token").value.trim());
  $<HTMLInputElement>("token").value = "";
  void start();
});
controls.addEventListener("submit", (e) => {
  e.preventDefault();
  void render();
});
productSelect.addEventListener("change", () => void render());
for (const b of document.querySelectorAll<HTMLButtonElement>(".quick button")) {
  b.addEventListener("click", () => {
    setRange(Number(b.dataset.days));
    void render();
  });
}
$("signout").addEventListener("click", () => showLogin());
addEventListener("hashchange", () => void render());
main.addEventListener("saved", () => void render());

setRange(30);
if (token.get()) void start();
else showLogin();
