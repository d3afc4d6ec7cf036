import { existsSync } from "node:fs";
import { join } from "node:path";

/** The workplace's shared folder (DESIGN.md, fixtures, eval cases): beside the checkout, else /work/shared. */
export const SHARED =
  [join(import.meta.dirname, "..", "..", "..", "shared"), "/work/shared"].find((dir) => existsSync(dir)) ??
  "/work/shared";
