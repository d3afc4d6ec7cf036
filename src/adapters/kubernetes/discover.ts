import { request } from "./api-errors.js";
import type { KubernetesConnection } from "./connection.js";
import { listReplicaSets, REVISION, revisionOf } from "./replica-sets.js";

/** What `discover` reports of one namespace: enough to plan image changes, scaling and rollbacks. */
export interface KubernetesDiscovery {
  kind: "kubernetes";
  server: string;
  namespace: string;
  deployments: {
    name: string;
    replicas: { desired: number; ready: number; updated: number; available: number };
    containers: { name: string; image: string }[];
    selector: Record<string, string>;
    generation: number;
    observed_generation: number;
    revision: number | null;
  }[];
  services: {
    name: string;
    type: string;
    selector: Record<string, string>;
    ports: { name?: string; port: number; target_port?: string | number; protocol?: string }[];
  }[];
  replica_sets: {
    name: string;
    deployment: string | null;
    revision: number | null;
    replicas: number;
    ready: number;
    images: string[];
  }[];
}

/** Reads the deployments, services and replica sets of the component's namespace; changes nothing. */
export async function discoverKubernetes(connection: KubernetesConnection): Promise<KubernetesDiscovery> {
  const namespace = connection.namespace;
  const [deployments, services, replicaSets] = await Promise.all([
    request(`list deployments in ${namespace}`, () =>
      connection.apps.listNamespacedDeployment({ namespace }),
    ),
    request(`list services in ${namespace}`, () => connection.core.listNamespacedService({ namespace })),
    listReplicaSets(connection, namespace),
  ]);
  return {
    kind: "kubernetes",
    server: connection.server,
    namespace,
    deployments: deployments.items.map((d) => ({
      name: d.metadata?.name ?? "",
      replicas: {
        desired: d.spec?.replicas ?? 1,
        ready: d.status?.readyReplicas ?? 0,
        updated: d.status?.updatedReplicas ?? 0,
        available: d.status?.availableReplicas ?? 0,
      },
      containers: (d.spec?.template.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? "",
      })),
      selector: d.spec?.selector.matchLabels ?? {},
      generation: d.metadata?.generation ?? 0,
      observed_generation: d.status?.observedGeneration ?? 0,
      revision: d.metadata?.annotations?.[REVISION] ? revisionOf(d) : null,
    })),
    services: services.items.map((s) => ({
      name: s.metadata?.name ?? "",
      type: s.spec?.type ?? "ClusterIP",
      selector: s.spec?.selector ?? {},
      ports: (s.spec?.ports ?? []).map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        ...(p.targetPort !== undefined ? { target_port: p.targetPort } : {}),
        ...(p.protocol ? { protocol: p.protocol } : {}),
      })),
    })),
    replica_sets: replicaSets.map((rs) => ({
      name: rs.metadata?.name ?? "",
      deployment: rs.metadata?.ownerReferences?.find((o) => o.kind === "Deployment")?.name ?? null,
      revision: rs.metadata?.annotations?.[REVISION] ? revisionOf(rs) : null,
      replicas: rs.spec?.replicas ?? 0,
      ready: rs.status?.readyReplicas ?? 0,
      images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ""),
    })),
  };
}
