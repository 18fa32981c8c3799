-- instance_activity from the raw pings already stored, so a deploy over old data counts
-- active-1/7/30 exactly from its first cron run (worker/store/activity.ts keeps it current from
-- then on). Per installation and product: the newest day it pinged, and bit k set for every day
-- `last_day - k` (k in 0..61) with a ping. Written as a merge (the same as the ping's upsert),
-- so running it again over a table that already has rows changes nothing that is true: test
-- seeds and benchmarks that insert raw pings straight into D1 run this file after them.
-- Only the 62 days up to the newest raw ping are read (pings_day): an installation last seen
-- before them is in no window the rollups answer from this table (days within 32 days of
-- today); older days fall back to the raw SQL.
INSERT INTO `instance_activity` (instance_id, product, last_day, seen)
  SELECT d.instance_id, d.product, l.last_day,
    sum(1 << CAST(julianday(l.last_day) - julianday(d.day) AS INTEGER))
  FROM (SELECT DISTINCT instance_id, product, day FROM `pings`
      WHERE day >= (SELECT date(max(day), '-61 days') FROM `pings`)) d
  JOIN (SELECT instance_id, product, max(day) AS last_day FROM `pings`
      WHERE day >= (SELECT date(max(day), '-61 days') FROM `pings`) GROUP BY instance_id, product) l
    ON l.instance_id = d.instance_id AND l.product = d.product
  WHERE julianday(l.last_day) - julianday(d.day) <= 61
  GROUP BY d.instance_id, d.product
  ON CONFLICT (instance_id, product) DO UPDATE SET
    last_day = max(last_day, excluded.last_day),
    seen = ((seen << CAST(julianday(max(last_day, excluded.last_day)) - julianday(last_day) AS INTEGER))
      | (excluded.seen << CAST(julianday(max(last_day, excluded.last_day)) - julianday(excluded.last_day) AS INTEGER)))
      & 4611686018427387903;
