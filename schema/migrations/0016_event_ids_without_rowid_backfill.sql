-- Custom migration (drizzle-kit cannot declare WITHOUT ROWID): event_ids, created empty by 0015,
-- is made again WITHOUT ROWID (its key is the whole row: 36 B per id instead of 75 B with a
-- rowid, measured with dbstat), then filled from the raw events D1 still holds, so a resend of
-- an event stored before this migration is still recognised. The session rows of event_seen get
-- their first and last $pageview of the day from the same raw events (as pagesSql orders them),
-- so entries and exits stay exact for the days the writer keeps counting.
DROP TABLE `event_ids`;--> statement-breakpoint
CREATE TABLE `event_ids` (
	`day` text NOT NULL,
	`id` blob NOT NULL,
	PRIMARY KEY(`day`, `id`)
) WITHOUT ROWID;--> statement-breakpoint
INSERT OR IGNORE INTO `event_ids` (`day`, `id`)
	SELECT `day`, unhex(replace(`uuid`, '-', '')) FROM `events` WHERE unhex(replace(`uuid`, '-', '')) IS NOT NULL;--> statement-breakpoint
UPDATE `event_seen` SET `first_t` = f.t, `first_uuid` = f.uuid, `first_path` = f.path,
	`last_t` = l.t, `last_uuid` = l.uuid, `last_path` = l.path
FROM (SELECT day, product, session_id, t, uuid, path FROM (
		SELECT day, product, session_id, coalesce(timestamp, received_at) AS t, uuid, coalesce(path, '') AS path,
			row_number() OVER (PARTITION BY product, day, session_id ORDER BY coalesce(timestamp, received_at), uuid) AS a
		FROM `events` WHERE event = '$pageview' AND session_id IS NOT NULL) WHERE a = 1) AS f,
	(SELECT day, product, session_id, t, uuid, path FROM (
		SELECT day, product, session_id, coalesce(timestamp, received_at) AS t, uuid, coalesce(path, '') AS path,
			row_number() OVER (PARTITION BY product, day, session_id ORDER BY coalesce(timestamp, received_at) DESC, uuid DESC) AS z
		FROM `events` WHERE event = '$pageview' AND session_id IS NOT NULL) WHERE z = 1) AS l
WHERE `event_seen`.`kind` = 's' AND f.day = `event_seen`.`day` AND f.product = `event_seen`.`product`
	AND f.session_id = `event_seen`.`id` AND l.day = f.day AND l.product = f.product AND l.session_id = f.session_id;
