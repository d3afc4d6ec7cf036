import type { Severity } from "./diagnostic.js";

export interface CodeEntry {
  severity: Severity;
  /** What the code means, in one line. */
  title: string;
  /** What to do about it: the default hint of a diagnostic with this code. */
  hint: string;
  /** A short example of what triggers it (blueprint YAML or a command). */
  example: string;
}

/**
 * Every diagnostic code the project emits. Codes are stable: a code is never reused for another
 * meaning. Ranges (DESIGN.md §5): MA0xx format, MA1xx graph, MA2xx rollback, MA3xx constraints,
 * MA4xx risk and approval, MA5xx action and params, MA6xx zero-downtime lint.
 */
export const CODES = {
  MA001: {
    severity: "error",
    title: "The file is not well-formed YAML or JSON",
    hint: "Fix the syntax at the line and column shown.",
    example: "blueprint:\n  id: bp-1\n   name: x   # bad indentation",
  },
  MA002: {
    severity: "error",
    title: "The document is not a blueprint: it needs one top-level key, `blueprint`",
    hint: "Put the whole blueprint under a single top-level `blueprint:` key.",
    example: "id: bp-1   # missing the `blueprint:` wrapper",
  },
  MA003: {
    severity: "error",
    title: "Unknown key (blueprints are strict)",
    hint: "Remove the key or correct its spelling; `migration-architect schema` lists every allowed key.",
    example: "steps:\n  - id: a\n    acton: postgres.add_column   # typo for `action`",
  },
  MA004: {
    severity: "error",
    title: "A value has the wrong type or is out of range",
    hint: "Change the value to the type the message names.",
    example: "risk: { complexity: 1.5 }   # factors are 0.0–1.0",
  },
  MA005: {
    severity: "error",
    title: "A required field is missing",
    hint: "Add the field the message names.",
    example: "steps:\n  - id: a   # no `action`",
  },
  MA006: {
    severity: "error",
    title: "A duration is not valid",
    hint: 'Write durations as a number and unit, e.g. "0s", "500ms", "5m", "1h30m".',
    example: 'estimated_duration: "5 minutes"',
  },
  MA007: {
    severity: "error",
    title: "The file is larger than 64 MB",
    hint: "Split the migration into several blueprints; 64 MB holds well over 100,000 steps in JSON.",
    example: "migration-architect validate huge.json   # 80 MB",
  },
  MA008: {
    severity: "error",
    title: "The file cannot be read",
    hint: "Check the path: it must name a readable file, not a directory.",
    example: "migration-architect validate does-not-exist.yaml",
  },
  MA101: {
    severity: "error",
    title: "Duplicate id",
    hint: "Give every step, phase, health check, component and checkpoint an id of its own.",
    example: "steps:\n  - id: add-col\n  - id: add-col",
  },
  MA102: {
    severity: "error",
    title: "An edge names a step that does not exist",
    hint: "Edges connect step ids; correct the id or add the step.",
    example: "edges: [{ from: add-col, to: no-such-step }]",
  },
  MA103: {
    severity: "error",
    title: "The steps' dependency graph has a cycle",
    hint: "Remove one of the edges in the cycle: a step cannot wait, even indirectly, for itself.",
    example: "edges: [{ from: a, to: b }, { from: b, to: a }]   # a → b → a",
  },
  MA104: {
    severity: "error",
    title: "The phases depend on each other in a cycle",
    hint: "Move the steps so that edges between phases all point the same way.",
    example: "# a step of phase-1 depends on one of phase-2, and a step of phase-2 on one of phase-1",
  },
  MA105: {
    severity: "warning",
    title: "The same edge is listed twice",
    hint: "Remove the repeated edge.",
    example: "edges: [{ from: a, to: b }, { from: a, to: b }]",
  },
  MA106: {
    severity: "error",
    title: "dependency_graph.nodes names a step that does not exist",
    hint: "Nodes are step ids; correct the id or remove the node.",
    example: "nodes: [{ id: no-such-step }]",
  },
  MA107: {
    severity: "error",
    title: "A step or health check names a component that is not declared",
    hint: "Declare the component under source_state.components or target_state.components.",
    example: "component: no-such-db",
  },
  MA201: {
    severity: "error",
    title: "A step has no rollback",
    hint: 'Add `rollback: { inverse: true }` (the action\'s own undo), an action with params, or `{ manual: "…", level: 2 }`.',
    example: "steps:\n  - id: a\n    action: postgres.add_column   # no `rollback:`",
  },
  MA202: {
    severity: "error",
    title: "Manual rollback instructions need level 2, and level 2 needs manual instructions",
    hint: 'Write `{ manual: "what to do", level: 2 }`; automatic rollbacks use level 0 or 1.',
    example: "rollback: { manual: restore from backup, level: 0 }",
  },
  MA203: {
    severity: "error",
    title: "`inverse: true`, but the action has no automatic inverse",
    hint: "Give the rollback as an explicit action with params, or as level-2 manual instructions.",
    example: "action: postgres.sql\nrollback: { inverse: true }",
  },
  MA204: {
    severity: "error",
    title: "A checkpoint names a phase that does not exist",
    hint: "`after_phase` must be the id of a phase in this blueprint.",
    example: "checkpoints: [{ id: cp-1, after_phase: no-such-phase }]",
  },
  MA205: {
    severity: "error",
    title: "Selective rollback refused: a kept step depends on a step being rolled back",
    hint: "Add the dependent step to the selection, or use a cascading rollback.",
    example: "migration-architect rollback RUN --steps add-col   # backfill depends on add-col",
  },
  MA206: {
    severity: "error",
    title: "A rollback names a checkpoint or step that does not exist",
    hint: "Use a checkpoint id from rollback_strategy.checkpoints, or step ids from the blueprint.",
    example: "migration-architect rollback RUN --to no-such-checkpoint",
  },
  MA301: {
    severity: "error",
    title: "A step's downtime exceeds constraints.max_downtime",
    hint: "Use a zero-downtime pattern for the step (expand/contract, concurrent index, blue-green), or raise max_downtime.",
    example: 'constraints: { max_downtime: "0s" }\nsteps: [{ id: a, downtime: 30s }]',
  },
  MA302: {
    severity: "error",
    title: "The downtime summed along the critical path exceeds constraints.max_downtime",
    hint: "Shorten or remove downtime steps on the critical path, or raise max_downtime.",
    example: "max_downtime: 1m   # three steps of 30s downtime, one after another",
  },
  MA303: {
    severity: "error",
    title: "A step with downtime would run outside the maintenance window",
    hint: "Start at a time that puts every downtime step inside the window, or remove the downtime.",
    example: 'maintenance_window: { start: "02:00", end: "04:00", timezone: UTC }   # run at 10:00',
  },
  MA304: {
    severity: "error",
    title: "The maintenance window is not valid",
    hint: 'Times are "HH:MM" (24 h), the timezone an IANA name such as UTC or Europe/Paris, days mon–sun.',
    example: 'maintenance_window: { start: "25:00", end: "04:00", timezone: Mars/Olympus }',
  },
  MA305: {
    severity: "error",
    title: "canary_percentage must be between 1 and 100",
    hint: "A canary sends a share of traffic, 1–100 percent, to the new version first.",
    example: "canary_percentage: 0",
  },
  MA306: {
    severity: "info",
    title: "A parallel group is wider than constraints.max_parallelism",
    hint: "The group runs in batches of max_parallelism steps; the estimate accounts for it only roughly.",
    example: "max_parallelism: 2   # a group of 5 independent steps",
  },
  MA307: {
    severity: "error",
    title: "The downtime steps do not fit in the maintenance window",
    hint: "Widen the window, or split the migration over several windows.",
    example: 'maintenance_window: { start: "02:00", end: "02:05", timezone: UTC }   # a 10m downtime step',
  },
  MA401: {
    severity: "info",
    title: "A step's risk is above the approval threshold: it needs an explicit approval to run",
    hint: "Approve it with `migration-architect approve RUN --step ID` after reviewing it; editing the step voids the approval.",
    example:
      "risk: { complexity: 0.9, blast_radius: 0.9, reversibility_difficulty: 0.8, data_sensitivity: 0.5 }",
  },
  MA402: {
    severity: "info",
    title: "A risk factor in the blueprint is lower than the derived value and was ignored",
    hint: "A blueprint can raise a risk factor, never lower it below what the catalogue derives.",
    example: "risk: { reversibility_difficulty: 0.0 }   # on a drop_column",
  },
  MA403: {
    severity: "error",
    title: "The blueprint loosens approvals beyond what this surface allows",
    hint: "Remove constraints.require_approval_above or lower it: the threshold of a server (MCP) is the person's, set when they start it (--approval-threshold); a blueprint may only make it stricter.",
    example: "constraints: { require_approval_above: 1.0 }   # sent to an MCP server whose threshold is 0.7",
  },
  MA501: {
    severity: "error",
    title: "Unknown action",
    hint: "Use an action of the catalogue: `<adapter>.<action>`, such as postgres.add_column.",
    example: "action: postgres.add_colum",
  },
  MA502: {
    severity: "warning",
    title: "The action's adapter is not available in this build: params unchecked, risk set conservatively",
    hint: "The step can be validated for shape, graph and constraints, but it cannot run until the adapter exists.",
    example: "action: kubernetes.set_image",
  },
  MA503: {
    severity: "error",
    title: "The action's params are not valid",
    hint: "Correct the params as the message says; the action's params are listed in the README.",
    example: "action: postgres.add_column\nparams: { table: users }   # no column",
  },
  MA504: {
    severity: "error",
    title: "The action's adapter does not match the component's kind",
    hint: "Point the step at a component of the action's kind, or use an action of the component's adapter.",
    example: "component: app-db   # kind: postgres\naction: shell.exec",
  },
  MA505: {
    severity: "error",
    title: "A step names a table or column that the discovered database does not have",
    hint: "Correct the name, or create the table or column in an earlier step; checked only with discovery (`validate --discover`).",
    example:
      "action: postgres.drop_column\nparams: { table: users, column: phnoe }   # users has no column phnoe",
  },
  MA506: {
    severity: "error",
    title: "A step creates an index or constraint under a name the database already uses",
    hint: "Give the step an unused name, or leave it out if the existing object is what you want: the action would find it, do nothing, and its rollback would drop an object the run never made. Checked only with discovery.",
    example:
      "action: postgres.add_unique\nparams: { table: products, columns: [sku], name: products_sku_key }   # already there",
  },
  MA507: {
    severity: "error",
    title: "A type change to the type the column already has",
    hint: "Leave the step out: there is nothing to change (the column was converted already, perhaps by an earlier run). Checked only with discovery.",
    example:
      "action: postgres.alter_column_type\nparams: { table: orders, column: total_cents, type: bigint }   # already bigint",
  },
  MA601: {
    severity: "warning",
    title: "Raw SQL builds an index without CONCURRENTLY on a table that has rows",
    hint: "Use postgres.create_index (CONCURRENTLY, with cleanup of an invalid index), or CREATE INDEX CONCURRENTLY outside a transaction; a plain CREATE INDEX, ADD UNIQUE or ADD PRIMARY KEY blocks every write until the build ends.",
    example: "action: postgres.sql\nparams: { sql: CREATE INDEX orders_status_idx ON orders (status) }",
  },
  MA602: {
    severity: "warning",
    title: "Raw SQL changes a column's type in a way that rewrites the table",
    hint: "Use postgres.alter_column_type (expand/contract: new column, sync trigger, batched backfill); ALTER … TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock.",
    example: "action: postgres.sql\nparams: { sql: ALTER TABLE orders ALTER COLUMN total_cents TYPE bigint }",
  },
  MA603: {
    severity: "warning",
    title: "Raw SQL sets NOT NULL without a validated CHECK (column IS NOT NULL) to rely on",
    hint: "Use postgres.set_not_null, or first ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT: SET NOT NULL then skips its full scan under ACCESS EXCLUSIVE.",
    example: "action: postgres.sql\nparams: { sql: ALTER TABLE users ALTER COLUMN phone SET NOT NULL }",
  },
  MA604: {
    severity: "warning",
    title: "Raw SQL adds a foreign key or CHECK without NOT VALID on a table that has rows",
    hint: "Add it NOT VALID, then VALIDATE CONSTRAINT in a later statement (or use postgres.add_foreign_key / add_check_constraint): the validation then scans without blocking writes.",
    example:
      "action: postgres.sql\nparams: { sql: ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total_cents >= 0) }",
  },
  MA605: {
    severity: "warning",
    title: "A column with a volatile default is added to a large table: the table is rewritten",
    hint: "Add the column without a default (or with a constant one), then fill it with postgres.backfill and set the default afterwards; a volatile default (clock_timestamp(), random(), gen_random_uuid(), a serial) is computed for every row under ACCESS EXCLUSIVE.",
    example:
      "action: postgres.add_column\nparams: { table: orders, column: { name: ref, type: uuid, default: gen_random_uuid() } }",
  },
  MA606: {
    severity: "error",
    title: "A step drops or replaces a table or column that a view reads",
    hint: "Replace or drop the view first (postgres.replace_view in an earlier step), or keep the column; PostgreSQL refuses the drop, or with CASCADE drops the view silently.",
    example:
      "action: postgres.drop_column\nparams: { table: users, column: email }   # the view order_summaries reads users.email",
  },
  MA607: {
    severity: "warning",
    title: "Raw SQL renames a table or column in one step: every client still using the old name breaks",
    hint: "Use postgres.rename_column with stage: expand, then stage: contract once every client uses the new name; for a table, create a view under the old name while clients move.",
    example: "action: postgres.sql\nparams: { sql: ALTER TABLE users RENAME COLUMN email TO email_address }",
  },
  MA608: {
    severity: "info",
    title: "Raw SQL that changes the database is opaque to checks: only known patterns are linted",
    hint: "Prefer a catalogue action where one exists; otherwise give the step a `verify` query and a tested rollback, and review its locks by hand.",
    example:
      "action: postgres.sql\nparams: { sql: UPDATE orders SET status = 'archived' WHERE created_at < '2020-01-01' }",
  },
} as const satisfies Record<string, CodeEntry>;

export type DiagnosticCode = keyof typeof CODES;
