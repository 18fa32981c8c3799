ALTER TABLE `exceptions` ADD `product` text;--> statement-breakpoint
ALTER TABLE `exceptions` ADD `handled` integer;--> statement-breakpoint
ALTER TABLE `exceptions` ADD `fatal` integer;