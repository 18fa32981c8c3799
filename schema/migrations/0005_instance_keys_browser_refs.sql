ALTER TABLE `instances` ADD `browser_ref` text;--> statement-breakpoint
ALTER TABLE `instances` ADD `key_hash` text;--> statement-breakpoint
CREATE INDEX `instances_browser_ref` ON `instances` (`browser_ref`);--> statement-breakpoint
ALTER TABLE `events` ADD `instance_ref` text;--> statement-breakpoint
CREATE INDEX `events_instance_ref` ON `events` (`instance_ref`);