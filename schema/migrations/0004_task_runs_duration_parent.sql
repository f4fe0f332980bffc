ALTER TABLE `task_runs` ADD `duration_ms` real;--> statement-breakpoint
CREATE INDEX `task_runs_parent` ON `task_runs` (`tenant_id`,`parent_task_run_id`,`start_date`,`id`);--> statement-breakpoint
CREATE INDEX `task_runs_duration` ON `task_runs` (`tenant_id`,`duration_ms`,`id`);--> statement-breakpoint
UPDATE `task_runs` SET `duration_ms` = round((julianday(`end_date`) - julianday(`start_date`)) * 86400000) WHERE `end_date` IS NOT NULL;
