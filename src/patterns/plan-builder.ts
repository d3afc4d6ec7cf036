import type {
  Blueprint,
  Component,
  Constraints,
  HealthCheck,
  PatternName,
  Phase,
  Step,
} from "../core/blueprint/schema.js";

/** A step as a template writes it; the builder fills in the component and the dependency edges. */
export interface StepSpec {
  id: string;
  name: string;
  action: string;
  params: Record<string, unknown>;
  /** Default: the catalogue's inverse, `{ inverse: true }`. */
  rollback?: Step["rollback"];
  estimated_duration?: string;
  /** Default `0s`: every template is zero-downtime unless it says otherwise. */
  downtime?: string;
  /**
   * The steps this one waits for. Default: the step added just before it (so a template's steps
   * run in the order written); `[]` for none.
   */
  after?: string[];
  description?: string;
  /** The step's component, when not the plan's main one (a mixed database + traffic plan). */
  component?: string;
}

export interface PhaseSpec {
  id: string;
  name: string;
  pattern?: PatternName;
  description?: string;
}

export interface PlanHeader {
  id: string;
  name: string;
  request: string;
  created_at: string;
  component: Component;
  /** Other components the plan's steps or checks use. */
  others?: Component[];
  constraints?: Constraints;
  metadata?: Record<string, unknown>;
  source_description?: string;
  target_description?: string;
}

/**
 * Builds a blueprint phase by phase (src/patterns' templates write through it): ids stay unique,
 * every step gets a rollback and a downtime, edges follow the order steps were added unless a
 * step names its own, and a checkpoint follows every phase but the last (cascading rollback).
 */
export class PlanBuilder {
  private readonly phases: Phase[] = [];
  private readonly edges: { from: string; to: string }[] = [];
  private readonly ids = new Set<string>();
  private last: string | undefined;

  constructor(private readonly header: PlanHeader) {}

  get componentId(): string {
    return this.header.component.id;
  }

  /** Starts a phase; the steps and checks added next belong to it. */
  phase(spec: PhaseSpec): this {
    this.phases.push({
      id: this.unique(spec.id),
      name: spec.name,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.pattern ? { pattern: spec.pattern } : {}),
      steps: [],
      health_checks: [],
    });
    return this;
  }

  /** Adds a step to the current phase; returns its id (made unique). */
  step(spec: StepSpec): string {
    const phase = this.current();
    const id = this.unique(spec.id);
    phase.steps.push({
      id,
      name: spec.name,
      ...(spec.description ? { description: spec.description } : {}),
      component: spec.component ?? this.componentId,
      action: spec.action,
      params: spec.params,
      rollback: spec.rollback ?? { inverse: true },
      ...(spec.estimated_duration ? { estimated_duration: spec.estimated_duration } : {}),
      downtime: spec.downtime ?? "0s",
    });
    const after = spec.after ?? (this.last ? [this.last] : []);
    for (const from of after) this.edges.push({ from, to: id });
    this.last = id;
    return id;
  }

  /** Adds a health check to the current phase (component filled in, id made unique). */
  check(check: Omit<HealthCheck, "component"> & { component?: string }): this {
    this.current().health_checks?.push({
      ...check,
      id: this.unique(check.id),
      component: check.component ?? this.componentId,
    });
    return this;
  }

  /** The id of the step added last, if any. */
  get lastStep(): string | undefined {
    return this.last;
  }

  build(): Blueprint {
    const phases = this.phases
      .filter((p) => p.steps.length > 0)
      .map((p) => (p.health_checks?.length ? p : { ...withoutChecks(p) }));
    const checkpoints = phases
      .slice(0, -1)
      .map((p) => ({ id: `cp-after-${p.id}`.slice(0, 200), after_phase: p.id }));
    const components = [this.header.component, ...(this.header.others ?? [])];
    return {
      id: this.header.id,
      name: this.header.name,
      version: "1.0",
      created_at: this.header.created_at,
      request: this.header.request,
      ...(this.header.metadata ? { metadata: this.header.metadata } : {}),
      source_state: {
        description: this.header.source_description ?? "As discovered",
        components,
      },
      target_state: {
        description: this.header.target_description ?? this.header.name,
        components,
      },
      phases,
      dependency_graph: { edges: this.edges },
      rollback_strategy: { type: "cascading", ...(checkpoints.length ? { checkpoints } : {}) },
      constraints: { max_downtime: "0s", ...this.header.constraints },
    };
  }

  private current(): Phase {
    const phase = this.phases.at(-1);
    if (!phase) throw new Error("PlanBuilder: call phase() before adding steps or checks");
    return phase;
  }

  private unique(id: string): string {
    const base = id.slice(0, 190);
    let candidate = base;
    for (let n = 2; this.ids.has(candidate); n++) candidate = `${base}-${n}`;
    this.ids.add(candidate);
    return candidate;
  }
}

function withoutChecks(phase: Phase): Phase {
  const { health_checks: _unused, ...rest } = phase;
  return rest;
}
