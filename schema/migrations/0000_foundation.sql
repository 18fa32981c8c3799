CREATE TABLE `instances` (
	`id` text PRIMARY KEY NOT NULL,
	`product` text NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`version` text,
	`os_type` text,
	`os_release` text,
	`os_arch` text,
	`license_type` text,
	`ping_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `instances_product_last_seen` ON `instances` (`product`,`last_seen`);--> statement-breakpoint
CREATE TABLE `pings` (
	`uuid` text PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`idempotency_key` text,
	`product` text NOT NULL,
	`version` text,
	`received_at` integer NOT NULL,
	`day` text NOT NULL,
	`os_type` text,
	`os_release` text,
	`os_arch` text,
	`env` text,
	`counts` text,
	`config` text,
	`license_type` text,
	`uptime` integer,
	`country` text,
	`asn` integer,
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pings_instance_idempotency` ON `pings` (`instance_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `pings_instance_received` ON `pings` (`instance_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `pings_day` ON `pings` (`day`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`product` text NOT NULL,
	`affects` text NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`url` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alerts_product` ON `alerts` (`product`);--> statement-breakpoint
CREATE TABLE `releases` (
	`product` text PRIMARY KEY NOT NULL,
	`version` text NOT NULL,
	`info` text,
	`url` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `salts` (
	`day` text PRIMARY KEY NOT NULL,
	`salt` text NOT NULL,
	`created_at` integer NOT NULL
);
