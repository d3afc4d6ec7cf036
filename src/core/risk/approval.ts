import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { stringify } from "safe-stable-stringify";
import type { Step } from "../blueprint/schema.js";

/** An approval of one step, bound to the hash of the step's content when it was approved. */
export interface Approval {
  step_id: string;
  step_hash: string;
  approved_by: string;
  approved_at: string;
}

/**
 * The hash an approval is bound to: sha256 of the step's canonical JSON (keys sorted), so any
 * edit to the step — params, rollback, risk, anything — gives another hash and voids the approval.
 */
export function stepHash(step: Step): string {
  return contentHash(step);
}

/** sha256 of a value's canonical JSON (keys sorted): `sha256:…`. Blueprints are stored under it. */
export function contentHash(value: unknown): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(stringify(value) ?? "")))}`;
}

/** A step needs approval when its composite risk exceeds the threshold. */
export function needsApproval(composite: number, threshold: number): boolean {
  return composite > threshold;
}

/** Whether an approval still holds for the step as it is now. */
export function approvalHolds(approval: Approval, step: Step): boolean {
  return approval.step_id === step.id && approval.step_hash === stepHash(step);
}
