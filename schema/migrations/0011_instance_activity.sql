CREATE TABLE `instance_activity` (
	`instance_id` text NOT NULL,
	`product` text NOT NULL,
	`last_day` text NOT NULL,
	`seen` integer NOT NULL,
	`state_at` integer,
	`state_uuid` text,
	`version` text,
	`license_type` text,
	`country` text,
	`os_type` text,
	`os_arch` text,
	PRIMARY KEY(`instance_id`, `product`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instance_activity_product_last_day` ON `instance_activity` (`product`,`last_day`,`seen`);