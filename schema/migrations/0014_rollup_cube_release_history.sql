CREATE TABLE `release_history` (
	`product` text NOT NULL,
	`version` text NOT NULL,
	`released_at` integer NOT NULL,
	PRIMARY KEY(`product`, `version`)
);
--> statement-breakpoint
CREATE TABLE `rollup_cube` (
	`product` text NOT NULL,
	`day` text NOT NULL,
	`version` text NOT NULL,
	`license_type` text NOT NULL,
	`country` text NOT NULL,
	`os_type` text NOT NULL,
	`os_arch` text NOT NULL,
	`installations` integer NOT NULL,
	PRIMARY KEY(`product`, `day`, `version`, `license_type`, `country`, `os_type`, `os_arch`)
);
