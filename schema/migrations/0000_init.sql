CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`last_used_at` text,
	`revoked_at` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_prefix` ON `api_keys` (`prefix`);--> statement-breakpoint
CREATE INDEX `api_keys_tenant` ON `api_keys` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `executions` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`flow_revision` integer NOT NULL,
	`state` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text,
	`duration_ms` real,
	`labels` text DEFAULT '[]' NOT NULL,
	`parent_id` text,
	`original_id` text,
	`trigger_execution_id` text,
	`doc` text NOT NULL,
	`version` integer NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `executions_flow` ON `executions` (`tenant_id`,`namespace`,`flow_id`,`start_date`);--> statement-breakpoint
CREATE INDEX `executions_state` ON `executions` (`tenant_id`,`state`,`start_date`);--> statement-breakpoint
CREATE INDEX `executions_start` ON `executions` (`tenant_id`,`start_date`);--> statement-breakpoint
CREATE INDEX `executions_trigger` ON `executions` (`tenant_id`,`trigger_execution_id`);--> statement-breakpoint
CREATE INDEX `executions_stalled` ON `executions` (`state`,`updated_at`);--> statement-breakpoint
CREATE TABLE `flow_revisions` (
	`tenant_id` text NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`revision` integer NOT NULL,
	`source` text NOT NULL,
	`model` text NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`tenant_id`, `namespace`, `flow_id`, `revision`)
);
--> statement-breakpoint
CREATE TABLE `flows` (
	`tenant_id` text NOT NULL,
	`namespace` text NOT NULL,
	`id` text NOT NULL,
	`revision` integer NOT NULL,
	`source` text NOT NULL,
	`model` text NOT NULL,
	`description` text,
	`labels` text DEFAULT '{}' NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `namespace`, `id`)
);
--> statement-breakpoint
CREATE INDEX `flows_tenant_updated` ON `flows` (`tenant_id`,`deleted`,`updated_at`);--> statement-breakpoint
CREATE TABLE `logs` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`execution_id` text NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`task_id` text,
	`task_run_id` text,
	`attempt_number` integer,
	`trigger_id` text,
	`level` text NOT NULL,
	`level_rank` integer NOT NULL,
	`timestamp` text NOT NULL,
	`message` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `logs_execution` ON `logs` (`tenant_id`,`execution_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `logs_flow` ON `logs` (`tenant_id`,`namespace`,`flow_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `logs_time` ON `logs` (`tenant_id`,`timestamp`);--> statement-breakpoint
CREATE TABLE `metrics` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`execution_id` text NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`task_id` text,
	`task_run_id` text,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`value` real NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`timestamp` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `metrics_execution` ON `metrics` (`tenant_id`,`execution_id`);--> statement-breakpoint
CREATE INDEX `metrics_flow` ON `metrics` (`tenant_id`,`namespace`,`flow_id`,`name`,`timestamp`);--> statement-breakpoint
CREATE TABLE `task_runs` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`execution_id` text NOT NULL,
	`namespace` text NOT NULL,
	`flow_id` text NOT NULL,
	`task_id` text NOT NULL,
	`parent_task_run_id` text,
	`value` text,
	`iteration` integer,
	`state` text NOT NULL,
	`start_date` text NOT NULL,
	`end_date` text,
	`doc` text NOT NULL,
	`version` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `task_runs_execution` ON `task_runs` (`tenant_id`,`execution_id`,`start_date`);--> statement-breakpoint
CREATE INDEX `task_runs_flow` ON `task_runs` (`tenant_id`,`namespace`,`flow_id`,`start_date`);--> statement-breakpoint
CREATE INDEX `task_runs_state` ON `task_runs` (`tenant_id`,`state`,`start_date`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
