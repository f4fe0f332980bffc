CREATE INDEX `task_runs_end` ON `task_runs` (`tenant_id`,`end_date`,`id`);--> statement-breakpoint
CREATE INDEX `task_runs_task_duration` ON `task_runs` (`tenant_id`,`task_id`,`duration_ms`,`id`);