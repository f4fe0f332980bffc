DROP INDEX `task_runs_execution`;--> statement-breakpoint
DROP INDEX `task_runs_flow`;--> statement-breakpoint
DROP INDEX `task_runs_state`;--> statement-breakpoint
CREATE INDEX `task_runs_execution` ON `task_runs` (`tenant_id`,`execution_id`,`start_date`,`id`);--> statement-breakpoint
CREATE INDEX `task_runs_flow` ON `task_runs` (`tenant_id`,`namespace`,`flow_id`,`start_date`,`id`);--> statement-breakpoint
CREATE INDEX `task_runs_state` ON `task_runs` (`tenant_id`,`state`,`start_date`,`id`);