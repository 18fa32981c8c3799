import type { ExceptionGroupStats } from "../../schema/wire/stats";
import { getJson } from "./api";
import { lineChart, versionColor } from "./charts";
import { card, fmt, h, swatch, table, utcToday } from "./dom";
import { panel } from "./panel";
import { qs } from "./overview";
import { describeFilters, hrefFor, isFiltered, type Query } from "./state";

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "–");

/** One exception group: message, stack, trend, versions and installations affected, "new in this release". */
export function exceptionView(q: Query, fingerprint: string, onUnauthorized: () => void): HTMLElement {
  return h(
    "div",
    {},
    h("p", {}, h("a", { href: hrefFor("overview", q) }, "← Overview")),
    panel(
      "Exception group",
      async () => {
        const g = await getJson<ExceptionGroupStats>(
          `/v1/admin/stats/exceptions/${encodeURIComponent(fingerprint)}?${qs(q)}`,
        );
        return [
          card(
            g.type,
            g.new_in_latest
              ? h("p", { class: "badge" }, `New in this release (${g.latest})`)
              : g.new_in && h("p", { class: "badge" }, `New in release ${g.new_in}`),
            h("p", {}, g.message ?? "(no message)"),
            h(
              "p",
              { class: "muted" },
              `First seen ${when(g.first_seen)} UTC · last seen ${when(g.last_seen)} UTC · ${fmt.int(g.occurrences.reduce((a, b) => a + b, 0))} reports and ${fmt.int(g.affected.installations)} installations in the range`,
            ),
            // Trend, versions and installations follow the filters; the group's identity does not.
            isFiltered(q) &&
              h(
                "p",
                { class: "filtered", role: "status" },
                `Filtered: ${describeFilters(q)} (reports, versions and installations; first/last seen and the stack are the group's, all time)`,
              ),
            g.stack
              ? h("pre", { class: "stack" }, g.stack)
              : h(
                  "p",
                  { class: "muted" },
                  "No stored stack: the raw reports of this group have expired (RETENTION_DAYS).",
                ),
          ),
          h(
            "div",
            { class: "grid" },
            lineChart(
              "Reports and affected installations per day",
              g.days,
              [
                { label: "reports", values: g.occurrences },
                { label: "installations", values: g.installations },
              ],
              { unit: "per day", today: utcToday() },
            ),
            card(
              "Versions affected",
              table("Reports per version", g.versions, [
                { label: "Version", cell: (v) => swatch(versionColor(v.version), fmt.value(v.version)) },
                { label: "Reports", cell: (v) => fmt.int(v.occurrences), num: true },
              ]),
            ),
            card(
              "Installations affected",
              table(`Latest ${g.affected.ids.length} of ${g.affected.installations}`, g.affected.ids, [
                { label: "Installation", cell: (id) => h("a", { href: `#/installation/${id}`, class: "mono" }, id) },
              ]),
            ),
          ),
        ];
      },
      { onUnauthorized },
    ),
  );
}
