CREATE TABLE `event_ids` (
	`day` text NOT NULL,
	`id` blob NOT NULL,
	PRIMARY KEY(`day`, `id`)
);
--> statement-breakpoint
ALTER TABLE `event_archive_pending` ADD `rows` text;--> statement-breakpoint
ALTER TABLE `event_seen` ADD `first_t` integer;--> statement-breakpoint
ALTER TABLE `event_seen` ADD `first_uuid` text;--> statement-breakpoint
ALTER TABLE `event_seen` ADD `first_path` text;--> statement-breakpoint
ALTER TABLE `event_seen` ADD `last_t` integer;--> statement-breakpoint
ALTER TABLE `event_seen` ADD `last_uuid` text;--> statement-breakpoint
ALTER TABLE `event_seen` ADD `last_path` text;