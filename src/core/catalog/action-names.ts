/**
 * The closed set of action names (DESIGN.md §4, STYLE.md 9). A name outside it is an error
 * (MA501); a name in it whose adapter or action this build does not have yet is a warning
 * (MA502): the blueprint is well-formed, but cannot run here.
 */
export const ACTION_NAMES: ReadonlySet<string> = new Set([
  "postgres.create_table",
  "postgres.drop_table",
  "postgres.add_column",
  "postgres.drop_column",
  "postgres.restore_column",
  "postgres.rename_column",
  "postgres.alter_column_type",
  "postgres.set_not_null",
  "postgres.add_foreign_key",
  "postgres.add_check_constraint",
  "postgres.add_unique",
  "postgres.create_index",
  "postgres.drop_index",
  "postgres.backfill",
  "postgres.create_view",
  "postgres.replace_view",
  "postgres.sql",
  // The undo actions the ones above imply (their `inverse`), usable on their own too.
  "postgres.restore_table",
  "postgres.drop_view",
  "postgres.restore_view",
  "postgres.restore_index",
  "postgres.drop_constraint",
  "postgres.drop_not_null",
  "postgres.revert_rename_column",
  "postgres.revert_alter_column_type",
  "postgres.revert_backfill",
  "shell.exec",
  "http.request",
  "traffic.set_weights",
  "traffic.switch",
  "traffic.mirror",
  // A canary's analysis step (issue 8): set weight, analyse, next weight.
  "traffic.analyze",
  "kubernetes.set_image",
  "kubernetes.scale",
  "kubernetes.apply",
  "kubernetes.rollout_undo",
]);
