import semver from "semver";
import type {
  AdminAlert,
  AdminRelease,
  AlertRequest,
  AlertsAnswer,
  ReleaseRequest,
  ReleasesAnswer,
} from "../../schema/wire/admin";
import type { ProductList, VersionStats } from "../../schema/wire/stats";
import { api, getJson, sendJson } from "./api";
import { card, fmt, h, table } from "./dom";
import { lastFullDay } from "./overview";
import { describeError } from "./panel";

const NEW = "__new__";

/**
 * The product field: a list of the products that have reported, plus "New product…" which shows
 * a name field and a confirmation (a typo must not create an alert or release that reaches nobody).
 * `read()` returns the chosen name, or throws a message.
 */
async function productPicker(
  current: string,
): Promise<{ el: HTMLElement; read: () => string; select: HTMLSelectElement }> {
  const { products } = await getJson<ProductList>("/v1/admin/stats/products");
  const select = h(
    "select",
    { name: "product" },
    ...products.map((p) => h("option", { value: p.product }, p.product)),
    h("option", { value: NEW }, "New product (never reported)…"),
  );
  if (products.some((p) => p.product === current)) select.value = current;
  else if (products.length === 0) select.value = NEW;
  const name = h("input", { name: "new_product", pattern: "[a-z0-9][a-z0-9._\\-]*", placeholder: "product name" });
  const confirmBox = h("input", { type: "checkbox", name: "confirm_new" });
  const extra = h(
    "div",
    { class: "stack" },
    field("New product name", name),
    h("label", { class: "check" }, confirmBox, " This product has not reported yet; create it anyway"),
  );
  const sync = () => (extra.hidden = select.value !== NEW);
  select.addEventListener("change", sync);
  sync();
  return {
    el: h("div", { class: "stack" }, field("Product", select), extra),
    select,
    read: () => {
      if (select.value !== NEW) return select.value;
      const n = name.value.trim();
      if (!n) throw new Error("Name the new product.");
      if (!confirmBox.checked) throw new Error(`"${n}" has never reported: tick the confirmation to use it anyway.`);
      return n;
    },
  };
}

/** Installations active on the last complete day whose version satisfies `range` (null: range invalid). */
export function reach(v: VersionStats, range: string): { n: number; of: number; day: string } | null {
  if (semver.validRange(range, { loose: true }) === null) return null;
  const i = lastFullDay(v.days);
  let n = 0;
  for (const x of v.versions) {
    const clean = semver.valid(semver.clean(x.version, { loose: true }) ?? "");
    if (clean && semver.satisfies(clean, range, { includePrerelease: true, loose: true })) n += x.installations[i] ?? 0;
  }
  return { n, of: v.total[i] ?? 0, day: v.days[i] ?? "" };
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h("label", {}, label, input);
}

/** Runs a form action; shows the API's error message in the form's status line. */
function onSubmit(form: HTMLFormElement, status: HTMLElement, action: (data: FormData) => Promise<void>): void {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    status.textContent = "Saving…";
    action(new FormData(form)).then(
      () => {
        status.textContent = "Saved.";
        form.dispatchEvent(new CustomEvent("saved", { bubbles: true }));
      },
      (err: unknown) => {
        status.textContent = err instanceof Error ? err.message : "Failed.";
      },
    );
  });
}

const text = (d: FormData, k: string): string => String(d.get(k) ?? "").trim();
const optional = (s: string): string | undefined => (s === "" ? undefined : s);

/** Latest release per product (what instances are told to upgrade to): set, delete. */
export async function releasesView(product: string): Promise<HTMLElement> {
  const [{ items: releases }, picker, history] = await Promise.all([
    getJson<ReleasesAnswer>("/v1/admin/releases"),
    productPicker(product),
    // The release history (the adoption chart's markers) comes with the versions answer.
    product
      ? getJson<VersionStats>(`/v1/admin/stats/versions?product=${encodeURIComponent(product)}`).then((v) => v.releases)
      : Promise.resolve([]),
  ]);
  const status = h("p", { role: "status", class: "muted" });
  const form = h(
    "form",
    { class: "stack" },
    picker.el,
    field("Version (semver)", h("input", { name: "version", required: "", placeholder: "2.4.0" })),
    field("Info", h("input", { name: "info", placeholder: "What changed" })),
    field("URL", h("input", { name: "url", type: "url", placeholder: "https://…" })),
    h("button", { type: "submit" }, "Set latest release"),
    status,
  );
  onSubmit(form, status, async (d) => {
    const body: ReleaseRequest = {
      version: text(d, "version"),
      info: optional(text(d, "info")),
      url: optional(text(d, "url")),
    };
    await sendJson("PUT", `/v1/admin/releases/${encodeURIComponent(picker.read())}`, body);
  });
  const listStatus = h("p", { role: "alert", class: "error" });
  const remove = (r: AdminRelease) => {
    const b = h("button", { type: "button", "aria-label": `Delete the release of ${r.product}` }, "Delete");
    b.addEventListener("click", () => {
      if (
        !confirm(
          `Delete the release ${r.version} of ${r.product} and its whole release history? Its installations will no longer be told to upgrade.`,
        )
      )
        return;
      listStatus.textContent = "";
      api(`/v1/admin/releases/${encodeURIComponent(r.product)}`, { method: "DELETE" }).then(
        () => b.dispatchEvent(new CustomEvent("saved", { bubbles: true })),
        (err: unknown) => {
          listStatus.textContent = `Could not delete the release: ${describeError(err)}`;
        },
      );
    });
    return b;
  };
  const removeVersion = (p: string, version: string) => {
    const b = h("button", { type: "button", "aria-label": `Remove ${version} from the release history` }, "Remove");
    b.addEventListener("click", () => {
      if (!confirm(`Remove ${version} from the release history of ${p}?`)) return;
      listStatus.textContent = "";
      api(`/v1/admin/releases/${encodeURIComponent(p)}/${encodeURIComponent(version)}`, { method: "DELETE" }).then(
        () => b.dispatchEvent(new CustomEvent("saved", { bubbles: true })),
        (err: unknown) => {
          listStatus.textContent = `Could not remove the release: ${describeError(err)}`;
        },
      );
    });
    return b;
  };
  return h(
    "div",
    {},
    card(
      "Releases",
      listStatus,
      table("Latest release per product", releases, [
        { label: "Product", cell: (r) => r.product },
        { label: "Version", cell: (r) => r.version },
        { label: "Info", cell: (r) => r.info ?? "" },
        { label: "Updated", cell: (r) => r.updated_at.slice(0, 16).replace("T", " ") },
        { label: "", cell: remove },
      ]),
    ),
    product &&
      card(
        `Release history of ${product}`,
        h(
          "p",
          { class: "muted" },
          "Every version set as a release, when first set: the markers of the adoption chart, and what “new in” of exception groups compares with. Removing a version removes its marker (and the latest release, if it is that one).",
        ),
        table(`Releases of ${product}, oldest first`, history, [
          { label: "Version", cell: (r) => r.version },
          { label: "Released", cell: (r) => r.released_at.slice(0, 16).replace("T", " ") },
          { label: "", cell: (r) => removeVersion(product, r.version) },
        ]),
      ),
    card("Set the latest release", form),
  );
}

/** Alerts sent to instances whose version is in `affects`; create and delete. */
export async function alertsView(product: string): Promise<HTMLElement> {
  const [{ items: alerts }, picker] = await Promise.all([
    getJson<AlertsAnswer>("/v1/admin/alerts"),
    productPicker(product),
  ]);
  const status = h("p", { role: "status", class: "muted" });
  const affects = h("input", { name: "affects", required: "", placeholder: ">=1.0.0 <1.2.3" });
  const reachLine = h(
    "p",
    { class: "reach", role: "status" },
    "Enter a version range to see how many installations it reaches.",
  );
  let shown = 0;
  const updateReach = () => {
    const mine = ++shown;
    const range = affects.value.trim();
    if (!range) return void (reachLine.textContent = "Enter a version range to see how many installations it reaches.");
    let productName: string;
    try {
      productName = picker.read();
    } catch {
      return void (reachLine.textContent = "Choose a product to see how many installations the range reaches.");
    }
    getJson<VersionStats>(`/v1/admin/stats/versions?product=${encodeURIComponent(productName)}`).then(
      (v) => {
        if (mine !== shown) return;
        const r = reach(v, range);
        reachLine.textContent =
          r === null
            ? `"${range}" is not a valid semver range.`
            : `Reaches ${fmt.int(r.n)} of ${fmt.int(r.of)} installations active on ${r.day}${r.n === 0 ? ": nobody would see this alert" : ""}.`;
      },
      (err: unknown) => {
        if (mine === shown) reachLine.textContent = `Could not count the installations reached: ${describeError(err)}`;
      },
    );
  };
  affects.addEventListener("input", updateReach);
  picker.select.addEventListener("change", updateReach);
  const level = h(
    "select",
    { name: "level" },
    h("option", {}, "info"),
    h("option", {}, "warning"),
    h("option", {}, "critical"),
  );
  const form = h(
    "form",
    { class: "stack" },
    picker.el,
    field("Affected versions (semver range)", affects),
    reachLine,
    field("Level", level),
    field("Message", h("textarea", { name: "message", required: "", rows: "3" })),
    field("URL", h("input", { name: "url", type: "url" })),
    h("button", { type: "submit" }, "Create alert"),
    status,
  );
  onSubmit(form, status, async (d) => {
    const body: AlertRequest = {
      product: picker.read(),
      affects: text(d, "affects"),
      // the select offers exactly the levels of the contract; the worker validates it again
      level: text(d, "level") as AlertRequest["level"],
      message: text(d, "message"),
      url: optional(text(d, "url")),
    };
    await sendJson("POST", "/v1/admin/alerts", body);
  });
  const listStatus = h("p", { role: "alert", class: "error" });
  const remove = (a: AdminAlert) => {
    const b = h("button", { type: "button", "aria-label": `Delete alert ${a.message}` }, "Delete");
    b.addEventListener("click", () => {
      if (!confirm(`Delete the alert "${a.message}"?`)) return;
      listStatus.textContent = "";
      api(`/v1/admin/alerts/${encodeURIComponent(a.id)}`, { method: "DELETE" }).then(
        () => b.dispatchEvent(new CustomEvent("saved", { bubbles: true })),
        (err: unknown) => {
          listStatus.textContent = `Could not delete the alert: ${err instanceof Error ? err.message : "failed"}`;
        },
      );
    });
    return b;
  };
  return h(
    "div",
    {},
    card(
      "Alerts",
      listStatus,
      table("Alerts, newest first", alerts, [
        { label: "Product", cell: (a) => a.product },
        { label: "Affects", cell: (a) => a.affects },
        { label: "Level", cell: (a) => a.level },
        { label: "Message", cell: (a) => a.message },
        { label: "", cell: remove },
      ]),
    ),
    card("New alert", form),
  );
}
