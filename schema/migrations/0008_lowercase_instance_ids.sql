-- Instance ids are compared case-insensitively and stored lower-case from now on (the wire
-- schema lower-cases them; the store lower-cases every lookup and erase). This moves rows stored
-- under an upper-case id to the lower-case one, merging two spellings of one installation.
-- (Events hold no id: their browser reference is derived from the lower-cased id already.)
-- A merged instance keeps the lower-case row's installation key digest, else the upper-case
-- row's (a keyed installation stays keyed); browser_ref is the same for both spellings (it is
-- derived from the lower-cased id).
-- Order matters for the foreign keys (D1 enforces them): the lower-case instance first, then
-- its children, then the upper-case instance (which has no children left to cascade to).
-- 1. The lower-case instance row; an existing one is merged (first/last seen, ping count, the
--    latest non-null version, OS and licence type, the key digest).
INSERT INTO `instances` (id, product, first_seen, last_seen, version, os_type, os_release, os_arch, license_type, ping_count, browser_ref, key_hash)
  SELECT lower(id), product, first_seen, last_seen, version, os_type, os_release, os_arch, license_type, ping_count, browser_ref, key_hash FROM `instances` WHERE id <> lower(id) ORDER BY last_seen
  ON CONFLICT(id) DO UPDATE SET
  first_seen = min(first_seen, excluded.first_seen),
  version = CASE WHEN excluded.last_seen >= last_seen THEN coalesce(excluded.version, version) ELSE coalesce(version, excluded.version) END,
  os_type = CASE WHEN excluded.last_seen >= last_seen THEN coalesce(excluded.os_type, os_type) ELSE coalesce(os_type, excluded.os_type) END,
  os_release = CASE WHEN excluded.last_seen >= last_seen THEN coalesce(excluded.os_release, os_release) ELSE coalesce(os_release, excluded.os_release) END,
  os_arch = CASE WHEN excluded.last_seen >= last_seen THEN coalesce(excluded.os_arch, os_arch) ELSE coalesce(os_arch, excluded.os_arch) END,
  license_type = CASE WHEN excluded.last_seen >= last_seen THEN coalesce(excluded.license_type, license_type) ELSE coalesce(license_type, excluded.license_type) END,
  browser_ref = coalesce(browser_ref, excluded.browser_ref),
  key_hash = coalesce(key_hash, excluded.key_hash),
  ping_count = ping_count + excluded.ping_count,
  last_seen = max(last_seen, excluded.last_seen);
--> statement-breakpoint
-- 2. Children. An old ping's Idempotency-Key is dropped (it could collide with the same key
--    under the lower-case id in the unique index); a retry of such an old ping is long over.
UPDATE `pings` SET idempotency_key = NULL WHERE instance_id <> lower(instance_id) AND idempotency_key IS NOT NULL;
--> statement-breakpoint
UPDATE `pings` SET instance_id = lower(instance_id) WHERE instance_id <> lower(instance_id);
--> statement-breakpoint
UPDATE `facts` SET instance_id = lower(instance_id) WHERE instance_id <> lower(instance_id);
--> statement-breakpoint
UPDATE `exceptions` SET instance_id = lower(instance_id) WHERE instance_id <> lower(instance_id);
--> statement-breakpoint
-- 3. The upper-case instance rows, now without children.
DELETE FROM `instances` WHERE id <> lower(id);
