import type { Blueprint, Constraints } from "../core/blueprint/schema.js";
import type { ActionCatalog } from "../core/catalog/catalog.js";
import type { Diagnostic } from "../core/diagnostics/diagnostic.js";
import type { SystemSession } from "../services/system.js";

/**
 * DESIGN.md §7: `plan(request) → { blueprint, diagnostics, transcript }`, for every planner. The
 * planner proposes; the core disposes: whatever a planner returns is validated again by the core
 * (risk and approvals recomputed from the catalogue and the discovery) before anything runs.
 */
export interface PlanRequest {
  /** What the person typed. */
  request: string;
  /** The system to plan for: components and their discovery. */
  system: SystemSession;
  catalog: ActionCatalog;
  /** Constraints the blueprint must carry (a case's, or the CLI's); a planner may add, not loosen. */
  constraints?: Constraints;
  /** The blueprint's `created_at` (and id); fixed in tests so that output is reproducible. */
  now?: Date;
  /** Aborts a planner that talks to a model. */
  signal?: AbortSignal;
}

/** Tokens a model planner used, and what they cost (USD), from the provider's usage figures. */
export interface PlanUsage {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** Model calls made. */
  requests: number;
  /** Null when the model's price is not known to this build. */
  cost_usd: number | null;
}

/** One entry of a planner's transcript: what it did, in order, for reports and debugging. */
export interface TranscriptEntry {
  role: "planner" | "model" | "tool";
  /** For a tool call or result: the tool's name. */
  name?: string;
  text: string;
}

export type PlanResult =
  | {
      kind: "blueprint";
      blueprint: Blueprint;
      /** The core's diagnostics of the final draft (errors mean the round budget ran out). */
      diagnostics: Diagnostic[];
      valid: boolean;
      /** What the planner wants the person to know (assumptions, what it found, gated steps). */
      notes: string[];
      transcript: TranscriptEntry[];
      usage?: PlanUsage;
      /** Wall time of the whole plan call, discovery included. */
      elapsed_ms: number;
      /** Of which, reading the system (the offline planner reports it apart from planning). */
      discovery_ms?: number;
    }
  | {
      kind: "refusal";
      /** Why: the request is unsafe as asked, or not understood. */
      reason: string;
      /** For a request that was not understood: the requests this planner understands. */
      understands?: string[];
      transcript: TranscriptEntry[];
      usage?: PlanUsage;
      elapsed_ms: number;
      discovery_ms?: number;
    };

export interface Planner {
  /** `offline`, `anthropic:<model>`, `langchain:<provider>:<model>`, `replay:<dir>`. */
  readonly name: string;
  plan(request: PlanRequest): Promise<PlanResult>;
}
