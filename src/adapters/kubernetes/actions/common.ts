import type { V1Deployment } from "@kubernetes/client-node";
import { KubernetesApiError, request } from "../api-errors.js";
import type { KubernetesConnection } from "../connection.js";
import { KubernetesRefusal } from "../refusal.js";
import { readDeployment } from "../rollout.js";

/**
 * The deployment a step acts on, read before it changes anything: a missing one is a refusal
 * that says where it looked.
 */
export async function readTarget(
  connection: KubernetesConnection,
  namespace: string,
  name: string,
): Promise<V1Deployment> {
  try {
    return await readDeployment(connection, namespace, name);
  } catch (error) {
    if (error instanceof KubernetesApiError && error.code === 404) {
      throw new KubernetesRefusal(
        `deployment ${namespace}/${name} does not exist: check the deployment and namespace params (kubectl -n ${namespace} get deployments)`,
      );
    }
    throw error;
  }
}

/** The content types of the three PATCH bodies (the client's `PatchStrategy`, without loading the client). */
export const PATCH = {
  strategicMerge: "application/strategic-merge-patch+json",
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
} as const;

/** Patches a deployment with a strategic merge patch, JSON merge patch or JSON patch body. */
export function patchDeployment(
  connection: KubernetesConnection,
  namespace: string,
  name: string,
  what: string,
  body: unknown,
  strategy: (typeof PATCH)[keyof typeof PATCH],
): Promise<V1Deployment> {
  return request(`${what} (deployment ${namespace}/${name})`, () =>
    connection.apps.patchNamespacedDeployment(
      { name, namespace, body },
      connection.withContentType(strategy),
    ),
  );
}

/** The step's deployment, as plans print it: `shop/web`, or `web` in the component's namespace. */
export const shown = (p: { namespace?: string | undefined; deployment: string }) =>
  p.namespace ? `${p.namespace}/${p.deployment}` : p.deployment;
