export { createShellAdapter, shellAdapter } from "./adapter.js";
export type { ShellConnection } from "./connection.js";
export { shellExec } from "./exec.js";
