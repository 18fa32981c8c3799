import type { AdminAlert, AlertRequest, AlertsAnswer, ReleaseRequest, ReleasesAnswer } from "../../schema/wire/admin";
import { api, getJson, sendJson } from "./api";
import { card, h, table } from "./dom";

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
  const { items: releases } = await getJson<ReleasesAnswer>("/v1/admin/releases");
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
    const body: ReleaseRequest = {
      version: text(d, "version"),
      info: optional(text(d, "info")),
      url: optional(text(d, "url")),
    };
    await sendJson("PUT", `/v1/admin/releases/${encodeURIComponent(text(d, "product"))}`, body);
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
        { label: "Updated", cell: (r) => r.updated_at.slice(0, 16).replace("T", " ") },
      ]),
    ),
    card("Set the latest release", form),
  );
}

/** Alerts sent to instances whose version is in `affects`; create and delete. */
export async function alertsView(product: string): Promise<HTMLElement> {
  const { items: alerts } = await getJson<AlertsAnswer>("/v1/admin/alerts");
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
    const body: AlertRequest = {
      product: text(d, "product"),
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
