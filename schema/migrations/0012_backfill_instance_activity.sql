-- instance_activity from the raw pings already stored, so a deploy over old data counts
-- active-1/7/30 exactly from its first cron run (worker/store/activity.ts keeps it current from
-- then on). Per installation and product: the newest day it pinged, bit k set for every day
-- `last_day - k` (k in 0..61) with a ping, and its state on that day (its last ping: latest
-- received_at, then uuid). Written as a merge (the same as the ping's upsert), so running it
-- again over a table that already has rows changes nothing that is true: test seeds and
-- benchmarks that insert raw pings straight into D1 run this file after them.
-- Only the 62 days up to the newest raw ping are read (pings_day): an installation last seen
-- before them is in no window the rollups answer from this table (days within 32 days of
-- today); older days fall back to the raw SQL.
INSERT INTO `instance_activity` (instance_id, product, last_day, seen, state_at, state_uuid, version, license_type, country, os_type, os_arch)
  SELECT d.instance_id, d.product, l.day,
    sum(1 << CAST(julianday(l.day) - julianday(d.day) AS INTEGER)),
    l.received_at, l.uuid, l.version, l.license_type, l.country, l.os_type, l.os_arch
  FROM (SELECT DISTINCT instance_id, product, day FROM `pings`
      WHERE day >= (SELECT date(max(day), '-61 days') FROM `pings`)) d
  JOIN (SELECT * FROM (SELECT instance_id, product, day, received_at, uuid, version, license_type, country, os_type, os_arch,
        row_number() OVER (PARTITION BY instance_id, product ORDER BY day DESC, received_at DESC, uuid DESC) AS rn
      FROM `pings` WHERE day >= (SELECT date(max(day), '-61 days') FROM `pings`)) WHERE rn = 1) l
    ON l.instance_id = d.instance_id AND l.product = d.product
  WHERE julianday(l.day) - julianday(d.day) <= 61
  GROUP BY d.instance_id, d.product
  ON CONFLICT (instance_id, product) DO UPDATE SET
    last_day = max(last_day, excluded.last_day),
    seen = ((seen << CAST(julianday(max(last_day, excluded.last_day)) - julianday(last_day) AS INTEGER))
      | (excluded.seen << CAST(julianday(max(last_day, excluded.last_day)) - julianday(excluded.last_day) AS INTEGER)))
      & 4611686018427387903,
    state_at = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.state_at ELSE state_at END,
    state_uuid = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.state_uuid ELSE state_uuid END,
    version = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.version ELSE version END,
    license_type = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.license_type ELSE license_type END,
    country = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.country ELSE country END,
    os_type = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.os_type ELSE os_type END,
    os_arch = CASE WHEN excluded.last_day > last_day OR (excluded.last_day = last_day AND (state_at IS NULL
      OR excluded.state_at > state_at OR (excluded.state_at = state_at AND excluded.state_uuid > state_uuid)))
      THEN excluded.os_arch ELSE os_arch END;
