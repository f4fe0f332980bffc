CREATE TABLE `kv` (
	`tenant_id` text NOT NULL,
	`namespace` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`type` text NOT NULL,
	`expires_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `namespace`, `key`)
);
--> statement-breakpoint
CREATE TABLE `secrets` (
	`tenant_id` text NOT NULL,
	`namespace` text NOT NULL,
	`key` text NOT NULL,
	`ciphertext` text NOT NULL,
	`iv` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `namespace`, `key`)
);
