CREATE TABLE "approvals" (
	"run_id" text NOT NULL,
	"step_id" text NOT NULL,
	"step_hash" text NOT NULL,
	"approved_by" text NOT NULL,
	"approved_at" timestamp with time zone NOT NULL,
	CONSTRAINT "approvals_run_id_step_id_step_hash_pk" PRIMARY KEY("run_id","step_id","step_hash")
);
--> statement-breakpoint
CREATE TABLE "blueprints" (
	"hash" text PRIMARY KEY NOT NULL,
	"blueprint_id" text NOT NULL,
	"name" text NOT NULL,
	"content" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"run_id" text NOT NULL,
	"checkpoint_id" text NOT NULL,
	"phase_id" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkpoints_run_id_checkpoint_id_pk" PRIMARY KEY("run_id","checkpoint_id")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"phase_id" text,
	"step_id" text,
	"check_id" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "events_run_id_seq_pk" PRIMARY KEY("run_id","seq"),
	CONSTRAINT "events_seq_check" CHECK ("events"."seq" >= 1)
);
--> statement-breakpoint
CREATE TABLE "health_checks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "health_checks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" text NOT NULL,
	"check_id" text NOT NULL,
	"stage" text NOT NULL,
	"phase_id" text,
	"status" text NOT NULL,
	"figures" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"message" text NOT NULL,
	"duration_ms" double precision NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "health_checks_status_check" CHECK ("health_checks"."status" in ('pass', 'fail'))
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"run_id" text NOT NULL,
	"format" text NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reports_run_id_format_pk" PRIMARY KEY("run_id","format"),
	CONSTRAINT "reports_format_check" CHECK ("reports"."format" in ('markdown', 'json'))
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"blueprint_hash" text NOT NULL,
	"blueprint_id" text NOT NULL,
	"status" text NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"holder" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "runs_status_check" CHECK ("runs"."status" in ('pending', 'running', 'awaiting_approval', 'awaiting_confirmation', 'paused_manual', 'rolling_back', 'completed', 'rolled_back', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "step_states" (
	"run_id" text NOT NULL,
	"step_id" text NOT NULL,
	"state" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" jsonb,
	CONSTRAINT "step_states_run_id_step_id_pk" PRIMARY KEY("run_id","step_id"),
	CONSTRAINT "step_states_state_check" CHECK ("step_states"."state" in ('pending', 'running', 'succeeded', 'failed', 'rolled_back'))
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_checks" ADD CONSTRAINT "health_checks_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_blueprint_hash_blueprints_hash_fk" FOREIGN KEY ("blueprint_hash") REFERENCES "public"."blueprints"("hash") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "step_states" ADD CONSTRAINT "step_states_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "health_checks_run_id_idx" ON "health_checks" USING btree ("run_id");