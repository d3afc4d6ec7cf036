import { addCheckConstraint } from "./add-check-constraint.js";
import { addForeignKey } from "./add-foreign-key.js";
import { addUnique } from "./add-unique.js";
import { createIndex } from "./create-index.js";
import { dropConstraint } from "./drop-constraint.js";
import { dropIndex } from "./drop-index.js";
import { dropNotNull } from "./drop-not-null.js";
import { restoreIndex } from "./restore-index.js";
import { setNotNull } from "./set-not-null.js";

/** The index and constraint actions. Registered in adapter.ts. */
export const indexAndConstraintActions = [
  createIndex,
  dropIndex,
  restoreIndex,
  addUnique,
  addForeignKey,
  addCheckConstraint,
  dropConstraint,
  setNotNull,
  dropNotNull,
] as const;
