import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { runDdl } from "../ddl.js";
import {
  backfillBackupName,
  createBackfillBackup,
  readBackfillBackup,
  writeBackfillBackup,
} from "./backfill-backup.js";
import { runBackfill } from "./backfill-engine.js";
import {
  BackfillParams,
  checkBackfillTarget,
  DEFAULT_BATCH_SIZE,
  DEFAULT_TARGET_BATCH_MS,
} from "./backfill-params.js";
import { retryOptions, schemaOf, staticRisk, tableName } from "./common.js";

type Params = BackfillParams;

/**
 * `postgres.backfill`: sets columns to expressions, batch by batch in primary-key order, each
 * batch a short transaction of its own, throttled when the table's latency rises, resumable from
 * its last key (see backfill-engine.ts). Before changing a row it keeps the row's previous values
 * in `ma_backup_bf_…` in the same transaction, so revert_backfill puts them back exactly and no row
 * is ever set twice, even when a crash loses the progress. Rows that already hold the values are
 * left alone. Rows inserted below the current key while it runs are not visited: give new rows a
 * default (or a trigger) before backfilling the old ones.
 */
export const backfill = {
  name: "postgres.backfill",
  params: BackfillParams,
  // Documented static factors: one statement per batch, but a long-running one (complexity 0.4);
  // it writes every matching row, so vacuum and replication feel it (blast radius 0.5); the backup
  // makes it fully reversible (0.3); it rewrites data (0.5).
  risk: staticRisk({
    complexity: 0.4,
    blast_radius: 0.5,
    reversibility_difficulty: 0.3,
    data_sensitivity: 0.5,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `backfill ${tableName(p)}: set ${Object.entries(p.set)
      .map(([c, e]) => `${c} = ${e}`)
      .join(", ")}${p.where ? ` where ${p.where}` : ""}, in batches, keeping the previous values`,
  inverse: (p: Params) => ({ action: "postgres.revert_backfill", params: { ...p } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const name = backfillBackupName(p);
    const prepared = await runDdl(
      connection,
      async (tx) => {
        const { oid, keys } = await checkBackfillTarget(tx, schema, p);
        const existing = await readBackfillBackup(tx, schema, name);
        if (existing) return existing;
        await createBackfillBackup(tx, name, oid, {
          schema,
          table: p.table,
          columns: Object.keys(p.set),
          primary_key: keys,
          skip_triggers: p.triggers === "skip",
          status: "running",
        });
        const created = await readBackfillBackup(tx, schema, name);
        if (!created) throw new Error(`backup table ${name} could not be read back`);
        return created;
      },
      retryOptions(context),
    );
    const backup = prepared.value;
    if (backup.status === "done") {
      return {
        figures: { ...prepared.figures, rows: 0, backup_table: `${schema}.${name}` },
        notes: [`the backfill of ${tableName(p)} had already finished (${name}): nothing done`],
      };
    }
    const result = await runBackfill(
      connection,
      {
        schema,
        table: p.table,
        set: Object.entries(p.set),
        where: p.where,
        backup: name,
        skipTriggers: p.triggers === "skip",
        batchSize: p.batch_size ?? DEFAULT_BATCH_SIZE,
        targetBatchMs: p.target_batch_ms ?? DEFAULT_TARGET_BATCH_MS,
        token: `${name}:${backup.oid}`,
      },
      context,
    );
    const { oid: _oid, ...stored } = backup;
    const done = await runDdl(
      connection,
      (tx) => writeBackfillBackup(tx, name, { ...stored, status: "done" }),
      retryOptions(context),
    );
    const figures = { ...result.figures };
    for (const k of ["ddl_attempts", "lock_timeouts", "lock_wait_ms"] as const) {
      figures[k] += prepared.figures[k] + done.figures[k];
    }
    return { figures: { ...figures, backup_table: `${schema}.${name}` }, notes: result.notes };
  },
  async verify(connection: PgConnection, p: Params) {
    const backup = await readBackfillBackup(connection.client, schemaOf(p), backfillBackupName(p));
    return backup?.status === "done";
  },
} satisfies ActionDef<Params, PgConnection>;
