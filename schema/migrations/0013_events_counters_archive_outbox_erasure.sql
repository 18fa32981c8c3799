CREATE TABLE `erased_refs` (
	`ref` text PRIMARY KEY NOT NULL,
	`erased_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `event_archive_pending` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`object_key` text NOT NULL,
	`product` text NOT NULL,
	`day` text NOT NULL,
	`uuids` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `event_archive_refs` (
	`instance_ref` text NOT NULL,
	`object_key` text NOT NULL,
	PRIMARY KEY(`instance_ref`, `object_key`)
);
--> statement-breakpoint
CREATE INDEX `event_archive_refs_object` ON `event_archive_refs` (`object_key`);--> statement-breakpoint
CREATE TABLE `event_seen` (
	`day` text NOT NULL,
	`product` text NOT NULL,
	`kind` text NOT NULL,
	`id` text NOT NULL,
	PRIMARY KEY(`day`, `product`, `kind`, `id`)
);
--> statement-breakpoint
CREATE TABLE `events_incoming` (
	`uuid` text PRIMARY KEY NOT NULL,
	`product` text NOT NULL,
	`event` text NOT NULL,
	`timestamp` integer,
	`received_at` integer NOT NULL,
	`day` text NOT NULL,
	`distinct_id` text,
	`session_id` text,
	`path` text,
	`referrer_domain` text,
	`browser` text,
	`os` text,
	`lib` text,
	`lib_version` text,
	`instance_ref` text,
	`app_version` text,
	`license_type` text,
	`duration_ms` integer,
	`props` text
);
--> statement-breakpoint
CREATE TABLE `rollup_event_props` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`event` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `event`, `key`, `value`)
);
--> statement-breakpoint
CREATE TABLE `rollup_events` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`event` text NOT NULL,
	`app_version` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `event`, `app_version`)
);
--> statement-breakpoint
DROP INDEX `events_product_day`;--> statement-breakpoint
ALTER TABLE `events` ADD `archived` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_unarchived` ON `events` (`day`) WHERE "events"."archived" = 0;