import { z } from "zod";
import type { HealthCheck } from "../../core/blueprint/schema.js";
import {
  type CheckOutcome,
  checkResult,
  fail,
  parseParams,
  pass,
  round2,
  timeoutOf,
  withTimeout,
} from "../check-result.js";
import type { HealthCheckResult } from "../types.js";
import { asApiError, KubernetesApiError } from "./api-errors.js";
import type { KubernetesConnection } from "./connection.js";
import { LabelName, ObjectName } from "./params.js";
import { imagesOf, readDeployment, rolloutProgress } from "./rollout.js";

const DEFAULT_TIMEOUT_MS = 10_000;

const ConnectivityParams = z.strictObject({ namespace: LabelName.optional() });

const FunctionalParams = z.strictObject({
  namespace: LabelName.optional(),
  deployment: ObjectName.optional(),
  check: z.enum(["rollout", "ready"]).default("rollout"),
  min_ready: z.int().min(0).optional(),
});

const CapacityParams = z.strictObject({
  namespace: LabelName.optional(),
  deployment: ObjectName.optional(),
  /** The share of desired replicas that must be ready (1 unless given). */
  min_ready_ratio: z.number().min(0).max(1).default(1),
});

/**
 * Health checks of a kubernetes component, each within the check's timeout (10s unless given):
 * - `connectivity`: the API server answers `/version`, and the namespace can be read with the
 *   kubeconfig's credentials (a 403 still proves the credentials work: it passes, saying so);
 * - `functional` `{ deployment?, check: rollout | ready, min_ready? }`: the rollout is complete,
 *   or at least `min_ready` (default: the desired count) replicas are ready;
 * - `capacity` `{ deployment?, min_ready_ratio? }`: ready replicas against desired ones.
 * The deployment defaults to the component's `options.deployment`. Other types fail, saying so;
 * a failure is a result, never an exception.
 */
export async function healthCheckKubernetes(
  connection: KubernetesConnection,
  check: HealthCheck,
): Promise<HealthCheckResult> {
  const timeout = timeoutOf(check, DEFAULT_TIMEOUT_MS);
  return checkResult(check, connection.describe, () => withTimeout(run(connection, check), timeout));
}

function run(connection: KubernetesConnection, check: HealthCheck): Promise<CheckOutcome> {
  switch (check.type) {
    case "connectivity":
      return connectivity(connection, check);
    case "functional":
      return functional(connection, check);
    case "capacity":
      return capacity(connection, check);
    default:
      return Promise.resolve(
        fail(`the kubernetes adapter runs connectivity, functional and capacity checks, not ${check.type}`),
      );
  }
}

async function connectivity(connection: KubernetesConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(ConnectivityParams, check.params);
  if (!params.ok) return params.outcome;
  const namespace = params.value.namespace ?? connection.namespace;
  const started = performance.now();
  const version = await connection.version.getCode().catch((error) => {
    throw asApiError(`GET /version of ${connection.server}`, error);
  });
  try {
    await connection.core.readNamespace({ name: namespace });
  } catch (error) {
    const failure = asApiError(`read namespace ${namespace}`, error);
    if (failure.code === 404) return fail(`namespace ${namespace} does not exist on ${connection.server}`);
    if (failure.code !== 403) return fail(failure.message);
    return pass(
      `${connection.server} answered (Kubernetes ${version.gitVersion}); the credentials work, though they may not read namespace ${namespace}`,
      { latency_ms: round2(performance.now() - started), server_version: version.gitVersion },
    );
  }
  const latency = round2(performance.now() - started);
  return pass(
    `${connection.server} answered (Kubernetes ${version.gitVersion}); namespace ${namespace} is there`,
    {
      latency_ms: latency,
      server_version: version.gitVersion,
    },
  );
}

/** The deployment a check looks at; a missing one fails the check, saying where it looked. */
async function readChecked(connection: KubernetesConnection, namespace: string, name: string) {
  try {
    return await readDeployment(connection, namespace, name);
  } catch (error) {
    if (error instanceof KubernetesApiError && error.code === 404) {
      return fail(`deployment ${namespace}/${name} does not exist`);
    }
    throw error;
  }
}

const isOutcome = (value: object): value is CheckOutcome => "status" in value && "figures" in value;

function deploymentOf(connection: KubernetesConnection, given: string | undefined): string | CheckOutcome {
  const name = given ?? connection.deployment;
  return name ?? fail("params.deployment: which deployment? Give it, or options.deployment on the component");
}

async function functional(connection: KubernetesConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(FunctionalParams, check.params);
  if (!params.ok) return params.outcome;
  const name = deploymentOf(connection, params.value.deployment);
  if (typeof name !== "string") return name;
  const namespace = params.value.namespace ?? connection.namespace;
  const deployment = await readChecked(connection, namespace, name);
  if (isOutcome(deployment)) return deployment;
  const progress = rolloutProgress(deployment);
  const where = `deployment ${namespace}/${name}`;
  if (params.value.check === "rollout") {
    return progress.done
      ? pass(`${where}: the rollout is complete (${imagesOf(deployment)})`, progress.figures)
      : fail(
          `${where}: the rollout is not complete: ${progress.waiting.join("; ")} (${imagesOf(deployment)})`,
          progress.figures,
        );
  }
  const ready = deployment.status?.readyReplicas ?? 0;
  const wanted = params.value.min_ready ?? deployment.spec?.replicas ?? 1;
  const figures = { ...progress.figures, min_ready: wanted };
  return ready >= wanted
    ? pass(`${where}: ${ready} replicas ready (at least ${wanted} wanted)`, figures)
    : fail(`${where}: only ${ready} replicas ready, ${wanted} wanted (${imagesOf(deployment)})`, figures);
}

async function capacity(connection: KubernetesConnection, check: HealthCheck): Promise<CheckOutcome> {
  const params = parseParams(CapacityParams, check.params);
  if (!params.ok) return params.outcome;
  const name = deploymentOf(connection, params.value.deployment);
  if (typeof name !== "string") return name;
  const namespace = params.value.namespace ?? connection.namespace;
  const deployment = await readChecked(connection, namespace, name);
  if (isOutcome(deployment)) return deployment;
  const desired = deployment.spec?.replicas ?? 1;
  const ready = deployment.status?.readyReplicas ?? 0;
  const ratio = desired === 0 ? 1 : round2(ready / desired);
  const figures = {
    ready_replicas: ready,
    desired_replicas: desired,
    ready_ratio: ratio,
    min_ready_ratio: params.value.min_ready_ratio,
  };
  const where = `deployment ${namespace}/${name}`;
  return ratio >= params.value.min_ready_ratio
    ? pass(`${where}: ${ready} of ${desired} replicas ready`, figures)
    : fail(
        `${where}: ${ready} of ${desired} replicas ready, below ${params.value.min_ready_ratio * 100}%`,
        figures,
      );
}
