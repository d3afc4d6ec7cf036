import type { z } from "zod";
import type { Component, HealthCheck } from "../core/blueprint/schema.js";
import type { ActionRules } from "../core/catalog/catalog.js";

/**
 * The ports every adapter implements (DESIGN.md §2, STYLE.md 3): discovery, actions (each with
 * its rollback) and health checks. Adapters stay thin; the executor holds the policy.
 */

/** Measurements of a health check or a step: numbers, strings, lists of numbers. */
export type Figures = Record<string, number | string | boolean | number[] | null>;

/** Where a running step reports and keeps what it needs to resume. */
export interface StepContext {
  runId: string;
  stepId: string;
  /** Aborted when the run pauses or the process is asked to stop. */
  signal: AbortSignal;
  /** A line of the step's output, stored with the run and shown on the terminal. */
  log(message: string): void;
  /** Progress a step keeps across a crash (a backfill's last key): read, then written as it goes. */
  progress: {
    get(): Record<string, unknown> | undefined;
    set(value: Record<string, unknown>): Promise<void>;
  };
}

/** What `apply` returns: figures for the report, and notes such as an explicit degradation. */
export interface StepOutcome {
  figures?: Figures;
  notes?: string[];
}

/**
 * The rollback a step's params imply: another action with params, instructions for a human, or
 * nothing to undo (a step that only reads, such as a canary analysis), with the reason.
 */
export type Inverse =
  | { action: string; params: Record<string, unknown> }
  | { manual: string }
  | { nothing: string };

/**
 * One action of the catalogue (`<adapter>.<action>`), one file each, `satisfies ActionDef<P, C>`.
 * `apply` is idempotent: it checks before it acts, so re-running it after a crash is safe.
 */
export interface ActionDef<P = Record<string, unknown>, C = unknown> extends ActionRules {
  params: z.ZodType<P>;
  /** One line saying what the step does, for plans and reports. */
  describe(params: P): string;
  /** The undo of these params: what `{ inverse: true }` runs. */
  inverse(params: P): Inverse;
  apply(connection: C, params: P, context: StepContext): Promise<StepOutcome>;
  /** Whether the action's effect is in place (used after a crash, and after apply). */
  verify(connection: C, params: P): Promise<boolean>;
}

export type HealthCheckStatus = "pass" | "fail";

export interface HealthCheckResult {
  check_id: string;
  type: HealthCheck["type"];
  stage: HealthCheck["stage"];
  component: string;
  status: HealthCheckStatus;
  /** What was measured: latencies (p50/p95/p99 ms), counts, checksums, sizes. */
  figures: Figures;
  message: string;
  duration_ms: number;
}

/**
 * The state a rollback must restore, compared before and after: a fingerprint of the schema and
 * checksums of the data, per table (or per resource, for non-database adapters).
 */
export interface Snapshot {
  component: string;
  fingerprint: string;
  checksums: Record<string, string>;
  taken_at: string;
}

/** A live connection to a component, and how to close it. */
export interface Connected<C> {
  connection: C;
  /** A description safe to print: never a password or a token. */
  describe: string;
  close(): Promise<void>;
}

/** An adapter: one kind of component (`postgres`, `shell`, …). */
export interface Adapter<C = unknown> {
  kind: string;
  actions: ReadonlyArray<ActionDef<Record<string, unknown>, C>>;
  /** Opens a connection to the component. `env` resolves `env:NAME` references. */
  connect(component: Component, env: Readonly<Record<string, string | undefined>>): Promise<Connected<C>>;
  /** What the component looks like now (tables, versions, …); read-only. */
  discover(connection: C): Promise<unknown>;
  /** Runs one health check; a failure is a result with status `fail`, not an exception. */
  healthCheck(connection: C, check: HealthCheck, baseline?: HealthCheckResult): Promise<HealthCheckResult>;
  snapshot(connection: C, componentId: string): Promise<Snapshot>;
  /**
   * Holds the component for one run at a time (an advisory lock on PostgreSQL); resolves to a
   * release function, or rejects with an error naming the holder.
   */
  lock(connection: C, holder: string): Promise<() => Promise<void>>;
}
