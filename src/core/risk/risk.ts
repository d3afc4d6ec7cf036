import type { StepRef } from "../blueprint/step-index.js";
import type { ActionCatalog, ActionContext, RiskValues } from "../catalog/catalog.js";
import { type Diagnostic, diagnostic } from "../diagnostics/diagnostic.js";

export const RISK_FACTORS = [
  "complexity",
  "blast_radius",
  "reversibility_difficulty",
  "data_sensitivity",
] as const;

/** The seed's weights: `0.3·complexity + 0.3·blast_radius + 0.2·reversibility_difficulty + 0.2·data_sensitivity`. */
export const RISK_WEIGHTS: RiskValues = {
  complexity: 0.3,
  blast_radius: 0.3,
  reversibility_difficulty: 0.2,
  data_sensitivity: 0.2,
};

/**
 * What an action the catalogue does not know is assumed to carry: middling on every factor, so an
 * unknown action is never scored as harmless. Written factors can raise it.
 */
export const CONSERVATIVE_RISK: RiskValues = {
  complexity: 0.5,
  blast_radius: 0.5,
  reversibility_difficulty: 0.5,
  data_sensitivity: 0.5,
};

/** The composite risk of four factors, rounded to 3 decimals so that equal inputs compare equal. */
export function compositeRisk(values: RiskValues): number {
  let sum = 0;
  for (const f of RISK_FACTORS) sum += RISK_WEIGHTS[f] * values[f];
  return Math.round(sum * 1000) / 1000;
}

export interface StepRisk {
  /** The factors used: the derived value, raised by the blueprint's where it is higher. */
  factors: RiskValues;
  /** What the catalogue derived (or the conservative default). */
  derived: RiskValues;
  /** Whether the derived values came from the catalogue. */
  fromCatalog: boolean;
  composite: number;
}

/**
 * Scores a step: derived factors from the catalogue (conservative when the action is unknown),
 * raised but never lowered by the factors the blueprint writes (MA402 notes an ignored lower one).
 */
export function scoreStep(
  ref: StepRef,
  catalog: ActionCatalog,
  context: ActionContext,
): { risk: StepRisk; diagnostics: Diagnostic[] } {
  const rules = catalog.get(ref.step.action);
  let derived = CONSERVATIVE_RISK;
  let fromCatalog = false;
  if (rules) {
    const parsed = rules.params.safeParse(ref.step.params ?? {});
    if (parsed.success) {
      derived = rules.risk(parsed.data, context);
      fromCatalog = true;
    }
  }
  const diagnostics: Diagnostic[] = [];
  const factors = { ...derived };
  for (const f of RISK_FACTORS) {
    const written = ref.step.risk?.[f];
    if (written === undefined) continue;
    if (written >= derived[f]) factors[f] = written;
    else {
      diagnostics.push(
        diagnostic(
          "MA402",
          [...ref.path, "risk", f],
          `step '${ref.step.id}': ${f} ${written} is below the derived ${derived[f]}; ${derived[f]} is used`,
        ),
      );
    }
  }
  return { risk: { factors, derived, fromCatalog, composite: compositeRisk(factors) }, diagnostics };
}
