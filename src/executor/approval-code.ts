import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { RunRecord } from "../store/types.js";

/** A new run's approval key: random, kept in the run's record, never shown to a model. */
export function newApprovalKey(): string {
  return randomBytes(16).toString("hex");
}

/**
 * The code a person gives an assistant to approve a step (or confirm its rollback) of a run:
 * HMAC-SHA256 under the run's own random key of the kind, the run and the step's content hash,
 * 16 hex digits. Unlike the step's hash, nobody can work it out from the blueprint (a model with a
 * shell could hash the step itself), it differs from run to run and between an approval and a
 * confirmation, and editing the step changes it. Undefined for a run made before runs had keys.
 */
export function approvalCode(
  run: RunRecord,
  kind: "approval" | "confirmation",
  stepId: string,
  stepHash: string,
): string | undefined {
  const key = (run.options as { approval_key?: unknown } | null)?.approval_key;
  if (typeof key !== "string" || key.length === 0) return undefined;
  return createHmac("sha256", key)
    .update(`${kind}\u0000${run.id}\u0000${stepId}\u0000${stepHash}`)
    .digest("hex")
    .slice(0, 16);
}

/** Whether `given` is the code (spaces and case aside), compared in constant time. */
export function codeMatches(given: string, code: string): boolean {
  const a = Buffer.from(given.trim().toLowerCase().replace(/\s+/g, ""));
  const b = Buffer.from(code);
  return a.length === b.length && timingSafeEqual(a, b);
}
