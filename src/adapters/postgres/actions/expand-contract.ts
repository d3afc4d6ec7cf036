import { alterColumnType } from "./alter-column-type.js";
import { backfill } from "./backfill.js";
import { renameColumn } from "./rename-column.js";
import { revertAlterColumnType } from "./revert-alter-column-type.js";
import { revertBackfill } from "./revert-backfill.js";
import { revertRenameColumn } from "./revert-rename-column.js";

/** The expand/contract and backfill actions. Registered in adapter.ts. */
export const expandContractActions = [
  backfill,
  revertBackfill,
  renameColumn,
  revertRenameColumn,
  alterColumnType,
  revertAlterColumnType,
] as const;
