CREATE TABLE `events` (
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
	`instance_id` text,
	`app_version` text,
	`license_type` text,
	`duration_ms` integer,
	`props` text
);
--> statement-breakpoint
CREATE INDEX `events_product_day` ON `events` (`product`,`day`);--> statement-breakpoint
CREATE INDEX `events_received` ON `events` (`received_at`);--> statement-breakpoint
CREATE INDEX `events_session` ON `events` (`session_id`);--> statement-breakpoint
CREATE INDEX `events_instance` ON `events` (`instance_id`);--> statement-breakpoint
CREATE TABLE `exceptions` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
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
CREATE INDEX `exceptions_instance` ON `exceptions` (`instance_id`);--> statement-breakpoint
CREATE INDEX `exceptions_fingerprint` ON `exceptions` (`fingerprint`);--> statement-breakpoint
CREATE TABLE `facts` (
	`id` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`day` text NOT NULL,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `facts_instance` ON `facts` (`instance_id`);--> statement-breakpoint
CREATE INDEX `facts_key_day` ON `facts` (`key`,`day`);