ALTER TABLE `events` ADD `archived` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_unarchived` ON `events` (`day`) WHERE "events"."archived" = 0;