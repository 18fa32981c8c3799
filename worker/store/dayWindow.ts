/** Day boundaries of one rollup rebuild: the day, the starts of its 7- and 30-day windows, and their times. */
export interface DayWindow {
  d: string;
  d7: string;
  d30: string;
  /** ms bounds: start of d30, start of d, start of the day after d (raw rows' day = UTC day of received_at). */
  from30Ms: number;
  fromMs: number;
  toMs: number;
}
