import type { KubernetesDiscovery } from "../../adapters/kubernetes/discover.js";
import type { PgDiscovery } from "../../adapters/postgres/discover.js";
import type { TrafficDiscovery } from "../../adapters/traffic/discover.js";
import type { Blueprint } from "../../core/blueprint/schema.js";
import { validateBlueprint } from "../../core/validate.js";
import { kubernetesRolling } from "../../patterns/deployments.js";
import { PlanBuilder } from "../../patterns/plan-builder.js";
import { PlanRefusal } from "../../patterns/refusal.js";
import type { Planner, PlanRequest, PlanResult, TranscriptEntry } from "../types.js";
import { buildPlan, intentTitle } from "./build-plan.js";
import { deploymentPlan, targetOf } from "./deployment-plan.js";
import { parseDeployment } from "./deployment-request.js";
import { UNDERSTOOD } from "./intent.js";
import { parseImageRollout } from "./kubernetes-request.js";
import { parseRequest } from "./parse-request.js";

/** Bumped when the rules or templates change what the offline planner writes. */
export const OFFLINE_PLANNER_VERSION = "offline/1";

const LLM_HINT =
  "for requests beyond these, use an LLM planner: --planner anthropic (needs ANTHROPIC_API_KEY) or --planner langchain:<provider>:<model>";

/**
 * The embedded planner (DESIGN.md §7): no network, deterministic. It discovers the target,
 * reads the request with rules (parse-request.ts), fills a template from src/patterns/ with what
 * it found (sizes, views, partitions) and has the core validate the result. What it does not
 * understand, or will not do, it refuses with the reason.
 */
export function offlinePlanner(): Planner {
  return {
    name: "offline",
    async plan(request: PlanRequest): Promise<PlanResult> {
      const started = performance.now();
      const transcript: TranscriptEntry[] = [];
      const log = (text: string) => transcript.push({ role: "planner", text });
      const refuse = (reason: string, understands?: readonly string[]): PlanResult => {
        log(`refused: ${reason}`);
        return {
          kind: "refusal",
          reason,
          ...(understands ? { understands: [...understands, LLM_HINT] } : {}),
          transcript,
          elapsed_ms: Math.round(performance.now() - started),
          discovery_ms: discoveryMs,
        };
      };
      let discoveryMs = 0;
      const routes: { id: string; discovery: TrafficDiscovery }[] = [];
      for (const component of request.system.components.filter((c) => c.kind === "traffic")) {
        const t = performance.now();
        const discovery = (await request.system.discover(component.id)) as TrafficDiscovery;
        discoveryMs += performance.now() - t;
        routes.push({ id: component.id, discovery });
        log(
          `discovered ${component.id}: ${discovery.router} router, ${discovery.upstreams.map((u) => `${u.name} ${u.weight}`).join(" / ")}`,
        );
      }
      const clusters: { id: string; discovery: KubernetesDiscovery }[] = [];
      for (const component of request.system.components.filter((c) => c.kind === "kubernetes")) {
        const t = performance.now();
        clusters.push({
          id: component.id,
          discovery: (await request.system.discover(component.id)) as KubernetesDiscovery,
        });
        discoveryMs += performance.now() - t;
        log(`discovered ${component.id}: ${clusters.at(-1)?.discovery.deployments.length} deployments`);
      }
      try {
        const rollout = parseImageRollout(request.request, clusters);
        if (rollout) {
          log(`understood: rolling update of ${rollout.deployment} to ${rollout.image}`);
          const now = request.now ?? new Date();
          const builder = new PlanBuilder({
            id: `bp-${now.toISOString().slice(0, 10).replace(/-/g, "")}-rolling-${rollout.deployment}`.slice(
              0,
              200,
            ),
            name: `Rolling update of ${rollout.deployment} to ${rollout.image}`,
            request: request.request,
            created_at: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
            component: request.system.component(rollout.component),
            ...(request.constraints ? { constraints: request.constraints } : {}),
            metadata: { planner: "offline", planner_version: OFFLINE_PLANNER_VERSION },
            source_description: `${rollout.deployment} runs ${rollout.previous_image}`,
            target_description: `${rollout.deployment} runs ${rollout.image}`,
          });
          kubernetesRolling(builder, rollout);
          const found = clusters.find((c) => c.id === rollout.component);
          return finish(builder.build(), [], new Map([[rollout.component, found?.discovery]]));
        }
      } catch (error) {
        if (error instanceof PlanRefusal) return refuse(error.message);
        throw error;
      }
      const deployment = parseDeployment(request.request, routes);
      if (deployment?.kind === "unknown") return refuse(deployment.reason, UNDERSTOOD);
      if (deployment) {
        const found = routes.find((r) => r.id === deployment.route) as (typeof routes)[number];
        try {
          const route = targetOf(deployment, found.discovery);
          log(`understood: ${deployment.pattern} on ${route.component}, ${route.current} → ${route.next}`);
          const { builder, notes } = deploymentPlan(deployment, route, {
            request: request.request,
            now: request.now ?? new Date(),
            component: request.system.component(found.id),
            ...(request.constraints ? { constraints: request.constraints } : {}),
            metadata: { planner: "offline", planner_version: OFFLINE_PLANNER_VERSION },
          });
          return finish(builder.build(), notes, new Map([[found.id, found.discovery]]));
        } catch (error) {
          if (error instanceof PlanRefusal) return refuse(error.message);
          throw error;
        }
      }
      const databases = request.system.components.filter((c) => c.kind === "postgres");
      if (!databases.length)
        return refuse(
          routes.length
            ? "the request asks for no deployment I understand, and the system has no postgres component"
            : "the offline planner plans PostgreSQL changes, deployments behind a traffic router and image rollouts on Kubernetes, and the system has none of those (or the request names no image)",
          UNDERSTOOD,
        );

      // Discover every database; the request's table decides which one the plan is for.
      const found: { id: string; discovery: PgDiscovery }[] = [];
      for (const component of databases) {
        const t = performance.now();
        found.push({
          id: component.id,
          discovery: (await request.system.discover(component.id)) as PgDiscovery,
        });
        discoveryMs += performance.now() - t;
        log(
          `discovered ${component.id}: ${found.at(-1)?.discovery.tables.length} tables, ${found.at(-1)?.discovery.views.length} views`,
        );
      }
      discoveryMs = Math.round(discoveryMs);
      let parsed = parseRequest(request.request, found[0]?.discovery as PgDiscovery);
      let target = found[0];
      for (const other of found.slice(1)) {
        if (parsed.kind !== "unknown") break;
        const next = parseRequest(request.request, other.discovery);
        if (next.kind !== "unknown") {
          parsed = next;
          target = other;
        }
      }
      if (!target) return refuse("nothing was discovered");
      if (parsed.kind === "unsafe") return refuse(`unsafe as asked: ${parsed.reason}`);
      if (parsed.kind === "unsupported") return refuse(parsed.reason);
      if (parsed.kind === "unknown")
        return refuse(`I did not understand the request: ${parsed.reason}`, UNDERSTOOD);
      if (!("table" in parsed)) return refuse("the request was not understood");
      log(`understood: ${parsed.kind} on ${parsed.table.schema}.${parsed.table.name}`);

      const now = request.now ?? new Date();
      const component = request.system.component(target.id);
      const builder = new PlanBuilder({
        id: `bp-${now.toISOString().slice(0, 10).replace(/-/g, "")}-${parsed.kind.replace(/_/g, "-")}-${parsed.table.name}`.slice(
          0,
          200,
        ),
        name: intentTitle(parsed),
        request: request.request,
        created_at: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
        component,
        ...(request.constraints ? { constraints: request.constraints } : {}),
        metadata: { planner: "offline", planner_version: OFFLINE_PLANNER_VERSION },
        source_description: `${target.id} as discovered (${target.discovery.fingerprint.slice(0, 19)}…)`,
      });
      let notes: string[];
      try {
        notes = buildPlan(builder, parsed, target.discovery);
      } catch (error) {
        if (error instanceof PlanRefusal) return refuse(error.message);
        throw error;
      }
      return finish(builder.build(), notes, new Map([[target.id, target.discovery]]));

      /** Validates the plan with the core, and notes the steps that will need approval. */
      function finish(blueprint: Blueprint, notes: string[], discovery: Map<string, unknown>): PlanResult {
        const validation = validateBlueprint(blueprint, { catalog: request.catalog, discovery });
        const gated = validation.analysis.steps
          .filter((s) => validation.analysis.approvals[s.index])
          .map((s) => s.step.id);
        if (gated.length)
          notes.push(
            `needs approval before it runs (risk above ${validation.analysis.approvalThreshold}): ${gated.join(", ")}`,
          );
        log(
          `planned ${validation.analysis.steps.length} steps in ${blueprint.phases.length} phases; ${validation.valid ? "valid" : "INVALID"}`,
        );
        return {
          kind: "blueprint",
          blueprint,
          diagnostics: validation.diagnostics,
          valid: validation.valid,
          notes,
          transcript,
          elapsed_ms: Math.round(performance.now() - started),
          discovery_ms: Math.round(discoveryMs),
        };
      }
    },
  };
}
