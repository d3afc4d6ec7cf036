import { z } from "zod";
import { DURATION_PATTERN, parseDuration } from "./duration.js";

/**
 * The blueprint format of DESIGN.md §3, as zod schemas. Every object is strict: an unknown key is
 * an error. The schema keeps what the author wrote (durations stay strings, no defaults are
 * filled in), so a loaded blueprint saves back unchanged; effective values come from
 * `effective.ts`.
 */

/** The message of every duration error; the loader maps it to MA006. */
export const DURATION_MESSAGE = 'expected a duration such as "0s", "500ms", "5m" or "1h30m"';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const ACTION_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;
export const TIME_OF_DAY_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

export const Id = z.string().min(1).max(200).regex(ID_PATTERN, {
  error: "expected an id: letters, digits, '-', '_', '.', ':' (starting with a letter or digit)",
});

/** The longest duration a blueprint may state: a year. Longer is a typo, and breaks date arithmetic. */
export const MAX_DURATION_MS = 365 * 86_400_000;
export const DURATION_RANGE_MESSAGE = "a duration may be at most a year (365d)";

export const Duration = z
  .string({ error: DURATION_MESSAGE })
  .regex(DURATION_PATTERN, { error: DURATION_MESSAGE })
  .refine((text) => (parseDuration(text) ?? Number.POSITIVE_INFINITY) <= MAX_DURATION_MS, {
    error: DURATION_RANGE_MESSAGE,
  })
  .meta({ description: 'A duration: "0s", "500ms", "5m", "1h30m".' });

const Factor = z.number().min(0).max(1);

export const RiskFactors = z
  .strictObject({
    complexity: Factor.optional(),
    blast_radius: Factor.optional(),
    reversibility_difficulty: Factor.optional(),
    data_sensitivity: Factor.optional(),
  })
  .meta({ description: "Risk factors, 0.0–1.0 each; they can raise the derived values, never lower them." });

export const ActionName = z.string().regex(ACTION_PATTERN, {
  error: "expected an action name `<adapter>.<action>`, such as postgres.add_column",
});

export const Params = z.record(z.string(), z.unknown());

/**
 * How a step is undone: exactly one of `action` (+ `params`), `inverse: true` (the action's own
 * undo) or `manual` (instructions, level 2). The rollback module checks the combination, so that
 * a wrong one gets a rollback code (MA2xx) rather than a generic shape error.
 */
export const StepRollback = z.strictObject({
  action: ActionName.optional(),
  params: Params.optional(),
  inverse: z.literal(true).optional(),
  manual: z.string().min(1).optional(),
  level: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
});

export const Step = z.strictObject({
  id: Id,
  name: z.string(),
  description: z.string().optional(),
  component: Id,
  action: ActionName,
  params: Params.optional(),
  rollback: StepRollback.optional(),
  risk: RiskFactors.optional(),
  estimated_duration: Duration.optional(),
  downtime: Duration.optional(),
});

export const HealthCheckType = z.enum([
  "connectivity",
  "data_integrity",
  "performance",
  "functional",
  "capacity",
]);
export const HealthCheckStage = z.enum(["pre", "intra", "post"]);

export const HealthCheck = z.strictObject({
  id: Id,
  type: HealthCheckType,
  stage: HealthCheckStage,
  component: Id,
  description: z.string().optional(),
  params: Params.optional(),
  timeout: Duration.optional(),
});

export const PatternName = z.enum(["blue-green", "canary", "rolling", "shadow", "expand-contract"]);

export const Phase = z.strictObject({
  id: Id,
  name: z.string(),
  description: z.string().optional(),
  pattern: PatternName.optional(),
  steps: z.array(Step),
  rollback: z.strictObject({ strategy: z.enum(["reverse"]) }).optional(),
  health_checks: z.array(HealthCheck).optional(),
});

export const Component = z.strictObject({
  id: Id,
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, { error: "expected an adapter kind such as postgres, shell, http" }),
  description: z.string().optional(),
  connection: z.string().optional().meta({
    description: "A reference such as env:DATABASE_URL, pglite:memory or a URL; never a literal secret.",
  }),
  fingerprint: z.string().optional(),
  options: Params.optional(),
});

export const SystemState = z.strictObject({
  description: z.string().optional(),
  components: z.array(Component),
});

export const Edge = z.strictObject({
  from: Id,
  to: Id,
  risk: Factor.optional(),
});

export const DependencyGraph = z.strictObject({
  nodes: z.array(z.strictObject({ id: Id })).optional(),
  edges: z.array(Edge),
});

export const Checkpoint = z.strictObject({ id: Id, after_phase: Id });

export const RollbackStrategy = z.strictObject({
  type: z.enum(["cascading", "point-in-time", "selective"]),
  checkpoints: z.array(Checkpoint).optional(),
});

const Weekday = z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);

export const MaintenanceWindow = z.strictObject({
  start: z.string().meta({
    description: '"HH:MM", 24-hour, in the window\'s timezone',
    pattern: TIME_OF_DAY_PATTERN.source,
  }),
  end: z.string().meta({
    description: '"HH:MM", 24-hour; before start means the window crosses midnight',
    pattern: TIME_OF_DAY_PATTERN.source,
  }),
  timezone: z.string().meta({ description: "An IANA timezone such as UTC or Europe/Paris" }),
  days: z.array(Weekday).optional(),
});

export const Constraints = z.strictObject({
  max_downtime: Duration.optional(),
  maintenance_window: MaintenanceWindow.nullable().optional(),
  canary_percentage: z
    .number()
    .optional()
    .meta({ description: "1–100: the first share of traffic a canary gets" }),
  require_approval_above: Factor.optional().meta({
    description: "Steps whose risk exceeds this need approval (default 0.7)",
  }),
  max_parallelism: z
    .int()
    .min(1)
    .optional()
    .meta({ description: "At most this many steps run at once (default 4)" }),
  lock_timeout: Duration.optional().meta({ description: "Lock timeout for DDL statements (default 500ms)" }),
});

export const Blueprint = z.strictObject({
  id: Id,
  name: z.string(),
  version: z.string({ error: 'expected a string; quote version numbers: version: "1.0"' }),
  created_at: z.iso.datetime({
    offset: true,
    error: 'expected an ISO 8601 date-time such as "2026-11-24T10:00:00Z"',
  }),
  request: z.string().optional(),
  metadata: Params.optional(),
  source_state: SystemState,
  target_state: SystemState,
  phases: z.array(Phase).min(1),
  dependency_graph: DependencyGraph.optional(),
  rollback_strategy: RollbackStrategy.optional(),
  constraints: Constraints.optional(),
});

/** A blueprint file: one top-level key, `blueprint`. */
export const BlueprintDocument = z.strictObject({ blueprint: Blueprint });

export type Blueprint = z.infer<typeof Blueprint>;
export type BlueprintDocument = z.infer<typeof BlueprintDocument>;
export type Step = z.infer<typeof Step>;
export type StepRollback = z.infer<typeof StepRollback>;
export type Phase = z.infer<typeof Phase>;
export type HealthCheck = z.infer<typeof HealthCheck>;
export type Component = z.infer<typeof Component>;
export type Edge = z.infer<typeof Edge>;
export type Checkpoint = z.infer<typeof Checkpoint>;
export type Constraints = z.infer<typeof Constraints>;
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;
export type RiskFactors = z.infer<typeof RiskFactors>;
export type PatternName = z.infer<typeof PatternName>;
