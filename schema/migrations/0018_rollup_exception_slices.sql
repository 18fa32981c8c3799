CREATE TABLE `rollup_exception_slices` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`fingerprint` text NOT NULL,
	`version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`occurrences` integer NOT NULL,
	`installations` integer NOT NULL,
	`day_installations` integer NOT NULL,
	`crashes` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `fingerprint`, `version`, `license_type`, `country`)
);
--> statement-breakpoint
CREATE INDEX `rollup_exception_slices_fingerprint` ON `rollup_exception_slices` (`product`,`fingerprint`);