import { createTable } from "./create-table.js";
import { createView } from "./create-view.js";
import { dropTable } from "./drop-table.js";
import { dropView } from "./drop-view.js";
import { replaceView } from "./replace-view.js";
import { restoreTable } from "./restore-table.js";
import { restoreView } from "./restore-view.js";

/** The table and view actions; registered in adapter.ts. */
export const tableAndViewActions = [
  createTable,
  dropTable,
  restoreTable,
  createView,
  replaceView,
  dropView,
  restoreView,
] as const;
