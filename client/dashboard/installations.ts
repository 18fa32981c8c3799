import type {
  AdminInstance,
  InstanceExceptionsAnswer,
  InstanceFactsAnswer,
  InstancePingsAnswer,
  InstancesAnswer,
} from "../../schema/wire/admin";
import { api, getJson } from "./api";
import { versionColor } from "./charts";
import { card, fmt, h, swatch, table } from "./dom";
import { describeError, panel } from "./panel";
import { describeFilters, type Query } from "./state";

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "–");
const os = (i: { os_type: string | null; os_release: string | null; os_arch: string | null }) =>
  [i.os_type, i.os_release, i.os_arch].filter(Boolean).join(" ") || "(unknown)";
const PAGE = 50;

/** The installations of the selected product: search (id, version, OS), newest seen first, paged. */
export function installationsView(q: Query, onUnauthorized: () => void): HTMLElement {
  const search = h("input", {
    type: "search",
    name: "q",
    placeholder: "id, version or OS",
    "aria-label": "Search installations",
  });
  const form = h("form", { class: "searchbar", role: "search" }, search, h("button", { type: "submit" }, "Search"));
  const results = h("div", {});
  // Cursors of the pages before the current one (Previous pops one).
  const cursors: Array<string | undefined> = [];
  let current: string | undefined;
  const load = () => {
    const params = new URLSearchParams({ limit: String(PAGE) });
    if (q.product) params.set("product", q.product);
    // The list filters by an installation's current version and licence type and its last ping's
    // country ('' = unknown).
    if (q.filters.version) params.set("version", q.filters.version);
    if (q.filters.license_type) params.set("license_type", q.filters.license_type);
    if (q.filters.country !== undefined) params.set("country", q.filters.country);
    if (search.value.trim()) params.set("q", search.value.trim());
    if (current) params.set("cursor", current);
    results.replaceChildren(
      panel(
        "Installations",
        async () => {
          const page = await getJson<InstancesAnswer>(`/v1/admin/instances?${params.toString()}`);
          const prev = h("button", { type: "button" }, "← Previous");
          const next = h("button", { type: "button" }, "Next →");
          prev.disabled = cursors.length === 0;
          next.disabled = page.next === null;
          prev.addEventListener("click", () => {
            current = cursors.pop();
            load();
          });
          next.addEventListener("click", () => {
            cursors.push(current);
            current = page.next ?? undefined;
            load();
          });
          return [
            card(
              `Installations of ${q.product || "every product"}`,
              (q.filters.version || q.filters.license_type || q.filters.country !== undefined) &&
                h(
                  "p",
                  { class: "note", role: "note" },
                  `Filter ${describeFilters(q)}: the list applies each installation's current version and licence type and the country of its last ping.`,
                ),
              table("Installations, most recently seen first", page.items, [
                {
                  label: "Installation",
                  cell: (i) =>
                    h(
                      "a",
                      { href: `#/installation/${i.id}`, class: "mono", title: i.id },
                      `${i.id.slice(0, 8)}…${i.id.slice(-4)}`,
                    ),
                },
                { label: "Version", cell: (i) => swatch(versionColor(i.version ?? ""), fmt.value(i.version ?? "")) },
                { label: "OS", cell: (i) => os(i) },
                { label: "Licence type", cell: (i) => i.license_type ?? "–" },
                { label: "Country", cell: (i) => i.country ?? "–" },
                { label: "First seen", cell: (i) => when(i.first_seen) },
                { label: "Last seen", cell: (i) => when(i.last_seen) },
                { label: "Pings", cell: (i) => fmt.int(i.ping_count), num: true },
              ]),
              h("div", { class: "pager" }, prev, next),
            ),
          ];
        },
        { onUnauthorized },
      ),
    );
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    cursors.length = 0;
    current = undefined;
    load();
  });
  load();
  return h("div", {}, form, results);
}

function facts(i: AdminInstance, country: string | null): HTMLElement {
  const row = (k: string, v: string) => [h("dt", {}, k), h("dd", {}, v)];
  return h(
    "dl",
    { class: "facts" },
    ...row("Id", i.id),
    ...row("Product", i.product),
    ...row("Version", fmt.value(i.version ?? "")),
    ...row("OS", os(i)),
    ...row("Licence type", i.license_type ?? "–"),
    ...row("Country (last ping)", country ?? i.country ?? "–"),
    ...row("First seen", when(i.first_seen)),
    ...row("Last seen", when(i.last_seen)),
    ...row("Pings", fmt.int(i.ping_count)),
    ...row("Key registered", i.key_registered ? "yes" : "no"),
  );
}

/** One installation: its details, latest pings, facts and exceptions; erase (with confirmation). */
export function installationView(id: string, onUnauthorized: () => void): HTMLElement {
  const o = { onUnauthorized };
  const pings = getJson<InstancePingsAnswer>(`/v1/admin/instances/${encodeURIComponent(id)}/pings?limit=50`);
  pings.catch(() => undefined);
  const status = h("p", { class: "error", role: "alert" });
  const erase = h("button", { type: "button", class: "danger" }, "Erase this installation");
  erase.addEventListener("click", () => {
    if (
      !confirm(
        `Erase installation ${id} and every ping, fact, exception and frontend event it sent? This cannot be undone.`,
      )
    )
      return;
    erase.disabled = true;
    api(`/v1/admin/instances/${encodeURIComponent(id)}`, { method: "DELETE" }).then(
      () => {
        location.hash = "#/installations";
      },
      (err: unknown) => {
        erase.disabled = false;
        status.textContent = `Could not erase the installation: ${describeError(err)}`;
      },
    );
  });
  return h(
    "div",
    {},
    h("p", {}, h("a", { href: "#/installations" }, "← All installations")),
    panel(
      "Installation",
      async () => {
        const p = await pings;
        return [
          card(
            `Installation ${p.instance.id.slice(0, 8)}`,
            facts(p.instance, p.items[0]?.country ?? null),
            h(
              "p",
              { class: "muted" },
              "Erasing deletes it everywhere (pings, facts, exceptions, frontend events); rollups drop it at their next rebuild of those days.",
            ),
            erase,
            status,
          ),
        ];
      },
      o,
    ),
    panel(
      "Pings",
      async () => {
        const p = await pings;
        return [
          card(
            "Latest pings",
            table("Latest 50 pings, newest first", p.items, [
              { label: "Received", cell: (r) => when(r.received_at) },
              { label: "Version", cell: (r) => fmt.value(r.version ?? "") },
              { label: "OS", cell: (r) => os(r) },
              { label: "Country", cell: (r) => r.country ?? "–" },
              {
                label: "Counts",
                cell: (r) =>
                  Object.entries(r.counts ?? {})
                    .map(([k, v]) => `${k} ${fmt.num(v)}`)
                    .join(", "),
              },
            ]),
          ),
        ];
      },
      o,
    ),
    panel(
      "Facts",
      async () => {
        const f = await getJson<InstanceFactsAnswer>(`/v1/admin/instances/${encodeURIComponent(id)}/facts?limit=100`);
        return [
          card(
            "Facts",
            table("Facts, newest first", f.items, [
              { label: "Key", cell: (r) => r.key },
              { label: "Value", cell: (r) => r.value },
              { label: "Received", cell: (r) => when(r.received_at) },
            ]),
          ),
        ];
      },
      o,
    ),
    panel(
      "Exceptions",
      async () => {
        const x = await getJson<InstanceExceptionsAnswer>(
          `/v1/admin/instances/${encodeURIComponent(id)}/exceptions?limit=20`,
        );
        return [
          card(
            "Exceptions",
            table("Exception groups of this installation", x.groups, [
              {
                label: "Type",
                cell: (g) => h("a", { href: `#/exception/${encodeURIComponent(g.fingerprint)}` }, g.type),
              },
              { label: "Reports", cell: (g) => fmt.int(g.count), num: true },
              { label: "First seen", cell: (g) => when(g.first_seen) },
              { label: "Last seen", cell: (g) => when(g.last_seen) },
            ]),
          ),
        ];
      },
      o,
    ),
  );
}
