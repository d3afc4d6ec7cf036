import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";

/**
 * An eval case (../shared/evals/FORMAT.md): a request in plain words, the system it applies to,
 * and what a good plan must satisfy. Keys this runner does not know are kept out of the way
 * (not errors), so that cases written for a newer format still load; missing or mistyped known
 * keys are errors with the case file named.
 */
const Traffic = z.object({
  component: z.string(),
  sql: z.string().optional(),
  http: z.string().optional(),
  rate: z.number().positive(),
});

const After = z.object({
  component: z.string(),
  sql: z.string().optional(),
  serving: z.string().optional(),
});

const ServiceVersion = z.object({
  name: z.string(),
  live: z.boolean().optional(),
  error_rate: z.number().min(0).max(1).optional(),
  latency_ms: z.number().min(0).optional(),
});

export const CaseComponent = z.object({
  id: z.string(),
  kind: z.string(),
  schema: z.string().optional(),
  seed: z.string().optional(),
  router: z.enum(["embedded", "nginx"]).optional(),
  versions: z.array(ServiceVersion).optional(),
});

export const EvalCase = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "expected a kebab-case id" }),
  title: z.string().optional(),
  request: z.string().min(1),
  system: z.object({ components: z.array(CaseComponent).min(1) }),
  constraints: z.record(z.string(), z.unknown()).optional(),
  expect: z
    .object({
      valid: z.boolean().optional(),
      actions_include: z.array(z.string()).optional(),
      actions_exclude: z.array(z.string()).optional(),
      order: z.array(z.tuple([z.string(), z.string()])).optional(),
      patterns: z.array(z.string()).optional(),
      approval_required: z.array(z.string()).optional(),
      rollback_coverage: z.number().min(0).max(1).optional(),
      max_downtime_steps: z.int().min(0).optional(),
      refuse: z.boolean().optional(),
      execute: z
        .object({
          traffic: z.array(Traffic).optional(),
          max_failed_requests: z.int().min(0).optional(),
          max_wait_ms: z.number().positive().optional(),
          after: z.array(After).optional(),
          rollback_restores: z.boolean().optional(),
        })
        .optional(),
    })
    .default({}),
});

export type EvalCase = z.infer<typeof EvalCase>;
export type CaseComponent = z.infer<typeof CaseComponent>;

export interface LoadedCase {
  file: string;
  case: EvalCase;
  /** Resolves a path written in the case (schema, seed) against the case file's folder. */
  resolvePath(path: string): string;
}

/** A case file that cannot be used; the message names the file and the key. */
export class CaseFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "CaseFileError";
  }
}

export async function loadCase(file: string): Promise<LoadedCase> {
  let raw: unknown;
  try {
    raw = parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new CaseFileError(file, `cannot read it as YAML: ${(error as Error).message}`);
  }
  const parsed = EvalCase.safeParse(raw);
  if (!parsed.success) throw new CaseFileError(file, z.prettifyError(parsed.error).replace(/\n/g, "; "));
  const folder = dirname(resolve(file));
  return { file, case: parsed.data, resolvePath: (path) => resolve(folder, path) };
}
