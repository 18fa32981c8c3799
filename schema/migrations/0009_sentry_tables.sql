CREATE TABLE `rollup_sessions` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`version` text NOT NULL,
	`sessions` integer NOT NULL,
	`errored` integer NOT NULL,
	`crashed` integer NOT NULL,
	`abnormal` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `version`)
);
--> statement-breakpoint
CREATE TABLE `client_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`product` text NOT NULL,
	`category` text NOT NULL,
	`reason` text NOT NULL,
	`quantity` integer NOT NULL,
	`received_at` integer NOT NULL,
	`day` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `client_reports_day` ON `client_reports` (`day`);--> statement-breakpoint
CREATE TABLE `release_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`product` text NOT NULL,
	`version` text NOT NULL,
	`started_at` integer NOT NULL,
	`sessions` integer NOT NULL,
	`errored` integer NOT NULL,
	`crashed` integer NOT NULL,
	`abnormal` integer NOT NULL,
	`received_at` integer NOT NULL,
	`day` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `release_sessions_day` ON `release_sessions` (`day`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text,
	`fingerprint` text NOT NULL,
	`type` text NOT NULL,
	`message` text,
	`stack` text,
	`version` text,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`day` text NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_exceptions`("id", "instance_id", "fingerprint", "type", "message", "stack", "version", "collected_at", "received_at", "day") SELECT "id", "instance_id", "fingerprint", "type", "message", "stack", "version", "collected_at", "received_at", "day" FROM `exceptions`;--> statement-breakpoint
DROP TABLE `exceptions`;--> statement-breakpoint
ALTER TABLE `__new_exceptions` RENAME TO `exceptions`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `exceptions_instance` ON `exceptions` (`instance_id`);--> statement-breakpoint
CREATE INDEX `exceptions_fingerprint` ON `exceptions` (`fingerprint`);--> statement-breakpoint
CREATE INDEX `exceptions_day` ON `exceptions` (`day`);--> statement-breakpoint
ALTER TABLE `rollup_exceptions` ADD `crashes` integer DEFAULT 0 NOT NULL;