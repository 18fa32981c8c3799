CREATE TABLE `rollup_active` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`active1` integer NOT NULL,
	`active7` integer NOT NULL,
	`active30` integer NOT NULL,
	`pings` integer NOT NULL,
	PRIMARY KEY(`product`, `day`)
);
--> statement-breakpoint
CREATE TABLE `rollup_dims` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`dim` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`installations` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `dim`, `key`, `value`)
);
--> statement-breakpoint
CREATE TABLE `rollup_exceptions` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`fingerprint` text NOT NULL,
	`version` text NOT NULL,
	`type` text NOT NULL,
	`message` text,
	`occurrences` integer NOT NULL,
	`installations` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `fingerprint`, `version`)
);
--> statement-breakpoint
CREATE INDEX `rollup_exceptions_fingerprint` ON `rollup_exceptions` (`product`,`fingerprint`);--> statement-breakpoint
CREATE TABLE `rollup_frontend` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`events` integer NOT NULL,
	`pageviews` integer NOT NULL,
	`pageleaves` integer NOT NULL,
	`sessions` integer NOT NULL,
	`visitors` integer NOT NULL,
	`durations` text,
	PRIMARY KEY(`product`, `day`)
);
--> statement-breakpoint
CREATE TABLE `rollup_metrics` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`reporting` integer NOT NULL,
	`total` real NOT NULL,
	`median` real,
	`p90` real,
	PRIMARY KEY(`product`, `day`, `kind`, `key`)
);
--> statement-breakpoint
CREATE TABLE `rollup_pages` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`path` text NOT NULL,
	`pageviews` integer NOT NULL,
	`entries` integer NOT NULL,
	`exits` integer NOT NULL,
	`leaves` integer NOT NULL,
	`durations` text,
	PRIMARY KEY(`product`, `day`, `path`)
);
--> statement-breakpoint
CREATE TABLE `rollup_state` (
	`name` text PRIMARY KEY NOT NULL,
	`built_through` text NOT NULL,
	`built_at` integer NOT NULL
);
