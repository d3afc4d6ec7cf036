import type { z } from "zod";
import type { ActionCatalog } from "../src/core/catalog/catalog.js";
import type { Planner } from "../src/planner/types.js";
import type { BlueprintShelf } from "../src/services/blueprint-shelf.js";
import type { RunService } from "../src/services/run-service.js";
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

/** A person's answer to a question a tool asked them (not the model: the person, through the client). */
export interface PersonAnswer {
  action: "accept" | "decline" | "cancel";
  /** Who answered, when they said. */
  by?: string;
}

/** A yes/no question for the person: the approval of a risky step, or the confirmation of a rollback step. */
export interface PersonQuestion {
  kind: "approval" | "confirmation";
  run_id: string;
  step_id: string;
  /** What the person is asked, in full: the step, its action and component, its risk. */
  message: string;
}

/** What one call of a tool may use besides its input: set by the surface for that call. */
export interface ToolCall {
  /** Tells the caller how far a long call has come (MCP progress notifications). */
  progress?(progress: number, message: string): void;
  /**
   * Asks the person directly (MCP form elicitation), when the client can. Absent otherwise: the
   * tool then says what the person must do, and the model cannot answer in their stead.
   */
  askPerson?(question: PersonQuestion): Promise<PersonAnswer>;
  /** Who the surface is talking to, for the record of an approval (`Claude Code`, `inspector`). */
  client?: string;
}

/** The shared services a tool's handler runs over. Surfaces (agent, MCP, HTTP) build one each. */
export interface ToolServices {
  /** The system being planned for: its components and their (cached) discovery. */
  system: SystemSession;
  catalog: ActionCatalog;
  /**
   * Where blueprints shown valid are kept by hash, so that `run_migration` can run exactly what
   * was shown. Surfaces that execute set it; planners do not need it.
   */
  shelf?: BlueprintShelf;
  /** Runs: only on surfaces that execute migrations (MCP, HTTP). */
  runs?: RunService;
  /**
   * The highest approval threshold a blueprint may set here (an MCP server's, chosen by the
   * person): a blueprint that loosens it is invalid (MA403). Absent: the blueprint's own holds.
   */
  approvalCeiling?: number;
  /** The planner `plan_migration` uses. */
  planner?: Planner;
  /** This call's progress and person channels. */
  call?: ToolCall;
}

/** The service a tool needs, or an error saying this surface does not offer it. */
export function need<T>(service: T | undefined, tool: string, what: string): T {
  if (service === undefined) throw new Error(`${tool} needs ${what}, which this surface does not offer`);
  return service;
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
  /** The annotations as they hold for these services, when they depend on them (a model planner). */
  annotationsFor?(services: ToolServices): ToolAnnotations;
  /** The result as readable text (MCP's text content beside the structured one); JSON when absent. */
  text?(output: z.infer<O>): string;
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
