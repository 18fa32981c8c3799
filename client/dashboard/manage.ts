import { api, getJson, sendJson } from "./api";
import { card, h, table } from "./dom";

interface Release {
  product: string;
  version: string;
  info: string | null;
  url: string | null;
  updatedAt: number;
}
interface Alert {
  id: string;
  product: string;
  affects: string;
  level: string;
  message: string;
  url: string | null;
  createdAt: number;
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

/** Latest release per product (what instances are told to upgrade to), and a form to set one. */
export async function releasesView(product: string): Promise<HTMLElement> {
  const { releases } = await getJson<{ releases: Release[] }>("/v1/admin/releases");
  const status = h("p", { role: "status", class: "muted" });
  const form = h(
    "form",
    { class: "stack" },
    field("Product", h("input", { name: "product", required: "", value: product, pattern: "[a-z0-9][a-z0-9._\\-]*" })),
    field("Version (semver)", h("input", { name: "version", required: "", placeholder: "2.4.0" })),
    field("Info", h("input", { name: "info", placeholder: "What changed" })),
    field("URL", h("input", { name: "url", type: "url", placeholder: "https://…" })),
    h("button", { type: "submit" }, "Set latest release"),
    status,
  );
  onSubmit(form, status, async (d) => {
    await sendJson("PUT", `/v1/admin/releases/${encodeURIComponent(text(d, "product"))}`, {
      version: text(d, "version"),
      info: optional(text(d, "info")),
      url: optional(text(d, "url")),
    });
  });
  return h(
    "div",
    {},
    card(
      "Releases",
      table("Latest release per product", releases, [
        { label: "Product", cell: (r) => r.product },
        { label: "Version", cell: (r) => r.version },
        { label: "Info", cell: (r) => r.info ?? "" },
        { label: "Updated", cell: (r) => new Date(r.updatedAt).toISOString().slice(0, 16) },
      ]),
    ),
    card("Set the latest release", form),
  );
}

/** Alerts sent to instances whose version is in `affects`; create and delete. */
export async function alertsView(product: string): Promise<HTMLElement> {
  const { alerts } = await getJson<{ alerts: Alert[] }>("/v1/admin/alerts");
  const status = h("p", { role: "status", class: "muted" });
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
    field("Product", h("input", { name: "product", required: "", value: product })),
    field(
      "Affected versions (semver range)",
      h("input", { name: "affects", required: "", placeholder: ">=1.0.0 <1.2.3" }),
    ),
    field("Level", level),
    field("Message", h("textarea", { name: "message", required: "", rows: "3" })),
    field("URL", h("input", { name: "url", type: "url" })),
    h("button", { type: "submit" }, "Create alert"),
    status,
  );
  onSubmit(form, status, async (d) => {
    await sendJson("POST", "/v1/admin/alerts", {
      product: text(d, "product"),
      affects: text(d, "affects"),
      level: text(d, "level"),
      message: text(d, "message"),
      url: optional(text(d, "url")),
    });
  });
  const listStatus = h("p", { role: "alert", class: "error" });
  const remove = (a: Alert) => {
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
