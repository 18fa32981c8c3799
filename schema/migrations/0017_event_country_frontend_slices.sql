CREATE TABLE `event_seen_slices` (
	`day` text NOT NULL,
	`product` text NOT NULL,
	`kind` text NOT NULL,
	`id` text NOT NULL,
	`app_version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`first_t` integer,
	`first_uuid` text,
	`first_path` text,
	`last_t` integer,
	`last_uuid` text,
	`last_path` text,
	PRIMARY KEY(`day`, `product`, `kind`, `id`, `app_version`, `license_type`, `country`)
);
--> statement-breakpoint
CREATE TABLE `rollup_event_props_slices` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`event` text NOT NULL,
	`app_version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `event`, `app_version`, `license_type`, `country`, `key`, `value`)
);
--> statement-breakpoint
CREATE TABLE `rollup_events_slices` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`event` text NOT NULL,
	`app_version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `event`, `app_version`, `license_type`, `country`)
);
--> statement-breakpoint
CREATE TABLE `rollup_frontend_slices` (
	`product` text NOT NULL,
	`pinned` integer NOT NULL,
	`app_version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`day` text NOT NULL,
	`events` integer NOT NULL,
	`pageviews` integer NOT NULL,
	`pageleaves` integer NOT NULL,
	`sessions` integer NOT NULL,
	`visitors` integer NOT NULL,
	`durations` text,
	PRIMARY KEY(`product`, `pinned`, `app_version`, `license_type`, `country`, `day`)
);
--> statement-breakpoint
CREATE TABLE `rollup_pages_slices` (
	`product` text NOT NULL,
	`pinned` integer NOT NULL,
	`app_version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`day` text NOT NULL,
	`path` text NOT NULL,
	`pageviews` integer NOT NULL,
	`entries` integer NOT NULL,
	`exits` integer NOT NULL,
	`leaves` integer NOT NULL,
	`durations` text,
	PRIMARY KEY(`product`, `pinned`, `app_version`, `license_type`, `country`, `day`, `path`)
);
--> statement-breakpoint
ALTER TABLE `events` ADD `country` text;--> statement-breakpoint
ALTER TABLE `events_incoming` ADD `country` text;