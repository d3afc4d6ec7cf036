import type { z } from "zod";
import type { ActionCatalog } from "../src/core/catalog/catalog.js";
import type { SystemSession } from "../src/services/system.js";

/**
 * What a tool may claim about itself (MCP's tool annotations; the agent reads them too).
 * Every tool states each hint explicitly: nothing is left to a default.
 */
export interface ToolAnnotations {
  /** It changes nothing anywhere. */
  readOnlyHint: boolean;
  /** It may destroy or overwrite something (meaningful when not read-only). */
  destructiveHint: boolean;
  /** Calling it twice with the same input has no more effect than calling it once. */
  idempotentHint: boolean;
  /** It reaches outside the session's own system (the open world). */
  openWorldHint: boolean;
}

/** The shared services a tool's handler runs over. Surfaces (agent, MCP, HTTP) build one each. */
export interface ToolServices {
  /** The system being planned for: its components and their (cached) discovery. */
  system: SystemSession;
  catalog: ActionCatalog;
}

/**
 * One tool: defined once here, in `tools/`, and exposed to the Claude agent, LangChain models and
 * the MCP server without being rewritten. `input` and `output` are zod schemas; the handler's
 * result must satisfy `output`. A handler reports a problem the caller can fix (an unknown table,
 * an invalid blueprint) by throwing `ToolInputError`, which every surface returns as an error
 * result rather than a crash.
 */
export interface ToolDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler(input: z.infer<I>, services: ToolServices): Promise<z.infer<O>>;
}

/** A problem with a tool's input that the caller can fix; its message says how. */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolInputError";
  }
}

/** Types a tool definition while keeping its schemas' types (use `satisfies` or this). */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: ToolDef<I, O>): ToolDef<I, O> {
  return tool;
}
