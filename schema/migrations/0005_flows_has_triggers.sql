ALTER TABLE `flows` ADD `has_triggers` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `flows_with_triggers` ON `flows` (`has_triggers`,`deleted`,`tenant_id`);--> statement-breakpoint
UPDATE `flows` SET `has_triggers` = 1 WHERE json_array_length(`model`, '$.triggers') > 0;
