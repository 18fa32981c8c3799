DROP INDEX `events_instance`;--> statement-breakpoint
ALTER TABLE `events` DROP COLUMN `instance_id`;