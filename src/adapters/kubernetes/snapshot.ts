import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { Snapshot } from "../types.js";
import { request } from "./api-errors.js";
import type { KubernetesConnection } from "./connection.js";

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;

/**
 * The state a rollback must bring back, for the component's namespace: per deployment, its
 * desired replicas and the image of each container (`deployment/<name>` checksums), and a
 * fingerprint over all of them sorted by name. Revisions, generations and replica sets are left
 * out on purpose: a rollback makes new ones, yet the workload is the same as before.
 */
export async function snapshotKubernetes(
  connection: KubernetesConnection,
  componentId: string,
): Promise<Snapshot> {
  const namespace = connection.namespace;
  const list = await request(`snapshot of '${componentId}': list deployments in ${namespace}`, () =>
    connection.apps.listNamespacedDeployment({ namespace }),
  );
  const deployments = list.items
    .map((d) => ({
      name: d.metadata?.name ?? "",
      replicas: d.spec?.replicas ?? 1,
      images: (d.spec?.template.spec?.containers ?? []).map((c) => [c.name, c.image ?? ""]).sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const checksums = Object.fromEntries(
    deployments.map((d) => [`deployment/${d.name}`, sha256(stringify(d))]),
  );
  return {
    component: componentId,
    fingerprint: sha256(stringify(deployments)),
    checksums,
    taken_at: new Date().toISOString(),
  };
}
