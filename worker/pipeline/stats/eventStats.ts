import type { EventStats } from "../../../schema";
import type { Db } from "../../store/db";
import { customEventRows } from "../../store/eventStats";
import type { Range } from "./run";
import { answerHead, cubeFilter, groupBy, isFiltered, perDay } from "./steps";

/**
 * The 20 most frequent custom events of the range: per day, per app version, top property values.
 * Filtered: from the breakdown slices (the event's app version and licence type, its
 * installation's country), every field.
 */
export async function eventStats(db: Db, s: Range): Promise<EventStats> {
  const { perDay: rows, perVersion, props } = await customEventRows(db, s, isFiltered(s) ? cubeFilter(s) : undefined);
  const versions = groupBy(perVersion, (r) => r.event);
  const topProps = groupBy(props, (r) => r.event);
  const list = [...groupBy(rows, (r) => r.event)]
    .map(([event, list]) => ({
      event,
      total: list.reduce((n, r) => n + r.n, 0),
      per_day: perDay(s.days, list, (r) => r.n, 0),
      versions: (versions.get(event) ?? []).map((r) => ({ version: r.version, count: r.n })),
      top_props: (topProps.get(event) ?? []).slice(0, 5).map((r) => ({ key: r.key, value: r.value, count: r.n })),
    }))
    .sort((a, b) => b.total - a.total || a.event.localeCompare(b.event))
    .slice(0, 20);
  return { ...answerHead(s), events: list };
}
