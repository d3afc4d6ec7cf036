import type { DocPath } from "../diagnostics/diagnostic.js";
import type { Blueprint, Phase, Step } from "./schema.js";

/** A step with where it sits: its phase and its path in the document. */
export interface StepRef {
  step: Step;
  /** Position among all steps, in list order (phase by phase). */
  index: number;
  phase: Phase;
  phaseIndex: number;
  /** Position inside its phase's `steps`. */
  stepIndex: number;
  path: DocPath;
}

/** Lists every step in document order with its phase and path. */
export function listSteps(blueprint: Blueprint): StepRef[] {
  const refs: StepRef[] = [];
  blueprint.phases.forEach((phase, phaseIndex) => {
    phase.steps.forEach((step, stepIndex) => {
      refs.push({
        step,
        index: refs.length,
        phase,
        phaseIndex,
        stepIndex,
        path: ["blueprint", "phases", phaseIndex, "steps", stepIndex],
      });
    });
  });
  return refs;
}
