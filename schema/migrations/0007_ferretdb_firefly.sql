CREATE TABLE `unattributed_facts` (
	`id` text PRIMARY KEY NOT NULL,
	`product` text NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`day` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `unattributed_facts_day` ON `unattributed_facts` (`day`);--> statement-breakpoint
CREATE TABLE `rollup_commands` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`version` text NOT NULL,
	`command` text NOT NULL,
	`argument` text NOT NULL,
	`result` text NOT NULL,
	`installations` integer NOT NULL,
	`total` real NOT NULL,
	PRIMARY KEY(`product`, `day`, `version`, `command`, `argument`, `result`)
);
--> statement-breakpoint
ALTER TABLE `pings` ADD `commands` text;