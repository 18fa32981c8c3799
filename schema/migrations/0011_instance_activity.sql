CREATE TABLE `instance_activity` (
	`instance_id` text NOT NULL,
	`product` text NOT NULL,
	`last_day` text NOT NULL,
	`seen` integer NOT NULL,
	PRIMARY KEY(`instance_id`, `product`),
	FOREIGN KEY (`instance_id`) REFERENCES `instances`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `instance_activity_product_last_day` ON `instance_activity` (`product`,`last_day`,`seen`);