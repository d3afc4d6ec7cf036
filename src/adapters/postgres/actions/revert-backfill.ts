import type { ActionDef } from "../../types.js";
import type { PgConnection } from "../connection.js";
import { relationExists } from "../introspect.js";
import { backfillBackupName, readBackfillBackup, restoreFromBackfillBackup } from "./backfill-backup.js";
import { BackfillParams, DEFAULT_BATCH_SIZE } from "./backfill-params.js";
import { schemaOf, staticRisk, tableName } from "./common.js";

type Params = BackfillParams;

/**
 * `postgres.revert_backfill`: the undo of postgres.backfill with the same params. Puts back the
 * previous values of the columns it set, for the rows it changed, from its `ma_backup_bf_…` table,
 * in batches that each remove their rows from the backup (so it resumes), then drops the backup.
 * A value written to one of those columns by the application after the backfill is overwritten
 * too: the rollback returns the columns to their state before the backfill.
 */
export const revertBackfill = {
  name: "postgres.revert_backfill",
  params: BackfillParams,
  // Documented static factors: batched updates again (complexity 0.4, blast radius 0.5); running
  // the backfill again redoes it (0.2); it rewrites data (0.5).
  risk: staticRisk({
    complexity: 0.4,
    blast_radius: 0.5,
    reversibility_difficulty: 0.2,
    data_sensitivity: 0.5,
  }),
  hasInverse: () => true,
  describe: (p: Params) =>
    `undo the backfill of ${tableName(p)} (${Object.keys(p.set).join(", ")}) from ${backfillBackupName(p)}`,
  inverse: (p: Params) => ({ action: "postgres.backfill", params: { ...p } }),
  async apply(connection: PgConnection, p: Params, context) {
    const schema = schemaOf(p);
    const name = backfillBackupName(p);
    const backup = await readBackfillBackup(connection.client, schema, name);
    if (!backup) {
      if (await relationExists(connection.client, schema, name)) {
        throw new Error(
          `${schema}.${name} is not a backfill backup of ${tableName(p)}: left alone; check it by hand`,
        );
      }
      return {
        figures: { rows: 0, batches: 0, ddl_attempts: 0, lock_timeouts: 0, lock_wait_ms: 0 },
        notes: [`no backup ${name}: the backfill of ${tableName(p)} is already undone (or never ran)`],
      };
    }
    const started = Date.now();
    const { rows, batches, lock } = await restoreFromBackfillBackup(
      connection,
      name,
      backup,
      context,
      p.batch_size ?? DEFAULT_BATCH_SIZE,
    );
    const seconds = (Date.now() - started) / 1000;
    return {
      figures: { ...lock, rows, batches, rows_per_s: seconds > 0 ? Math.round(rows / seconds) : rows },
      notes:
        backup.status === "running"
          ? ["the backfill had not finished: the rows it had changed were restored"]
          : [],
    };
  },
  async verify(connection: PgConnection, p: Params) {
    return !(await relationExists(connection.client, schemaOf(p), backfillBackupName(p)));
  },
} satisfies ActionDef<Params, PgConnection>;
