PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_rollup_dims` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`dim` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`installations` integer NOT NULL,
	PRIMARY KEY(`product`, `dim`, `day`, `key`, `value`)
);
--> statement-breakpoint
INSERT INTO `__new_rollup_dims`("product", "day", "dim", "key", "value", "installations") SELECT "product", "day", "dim", "key", "value", "installations" FROM `rollup_dims`;--> statement-breakpoint
DROP TABLE `rollup_dims`;--> statement-breakpoint
ALTER TABLE `__new_rollup_dims` RENAME TO `rollup_dims`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `rollup_exceptions` ADD `day_installations` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `events_day` ON `events` (`day`);