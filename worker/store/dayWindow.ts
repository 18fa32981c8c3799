/** Day boundaries of one rollup rebuild: the day, the starts of its 7- and 30-day windows, and their times. */
export interface DayWindow {
  d: string;
  d7: string;
  d30: string;
  /** ms bounds: start of d30, start of d, start of the day after d (raw rows' day = UTC day of received_at). */
  from30Ms: number;
  fromMs: number;
  toMs: number;
  /**
   * Active-N and the facts' "active in 30 days" come from instance_activity (true: d is within
   * the table's reach of today, lib/activityMask.ts ACTIVITY_REACH_DAYS) or, for older days, from
   * the raw pings of the 30-day window (the fallback for a first run over old data).
   */
  fromActivity: boolean;
}
