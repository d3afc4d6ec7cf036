import type { KubernetesDiscovery } from "../../adapters/kubernetes/discover.js";
import type { ImageTarget } from "../../patterns/deployments.js";
import { PlanRefusal } from "../../patterns/refusal.js";

const IMAGE = /(?:^|\s)((?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]+:[A-Za-z0-9._-]+)(?=[\s,.;]*(?:\s|$))/;

/**
 * A rolling update asked of a Kubernetes Deployment: "roll out registry.example.com/shop/web:2.4.0
 * to web". The image (a reference with a tag) must be in the request; the deployment is the one
 * named, or the only one running an image of the same repository, or the only one. Undefined when
 * the request names no image; a refusal when it cannot tell which deployment or container.
 */
export function parseImageRollout(
  request: string,
  clusters: ReadonlyArray<{ id: string; discovery: KubernetesDiscovery }>,
): ImageTarget | undefined {
  const image = IMAGE.exec(request)?.[1];
  if (!image || clusters.length === 0) return undefined;
  const repository = image.slice(0, image.lastIndexOf(":"));
  const text = request.toLowerCase();
  const candidates = clusters.flatMap((c) =>
    c.discovery.deployments.map((d) => ({ cluster: c, deployment: d })),
  );
  const named = candidates.filter(({ deployment }) =>
    new RegExp(
      `(?:^|[^a-z0-9_.-])${deployment.name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![a-z0-9_-])`,
    ).test(text.replace(image.toLowerCase(), " ")),
  );
  const sameRepo = candidates.filter(({ deployment }) =>
    deployment.containers.some((c) => c.image.slice(0, c.image.lastIndexOf(":")) === repository),
  );
  const pick =
    named.length === 1 ? named : sameRepo.length === 1 ? sameRepo : candidates.length === 1 ? candidates : [];
  const found = pick[0];
  if (!found) {
    throw new PlanRefusal(
      `say which deployment gets ${image}: ${candidates.map((c) => c.deployment.name).join(", ") || "the cluster has none in its namespace"}`,
    );
  }
  const { deployment, cluster } = found;
  const containers = deployment.containers;
  const container =
    containers.length === 1
      ? containers[0]
      : containers.find((c) => c.image.slice(0, c.image.lastIndexOf(":")) === repository);
  if (!container)
    throw new PlanRefusal(
      `deployment ${deployment.name} has ${containers.length} containers (${containers.map((c) => c.name).join(", ")}): say which one runs ${image}`,
    );
  if (container.image === image)
    throw new PlanRefusal(`${deployment.name} already runs ${image}: nothing to roll out`);
  return {
    component: cluster.id,
    namespace: cluster.discovery.namespace,
    deployment: deployment.name,
    container: container.name,
    image,
    previous_image: container.image,
    replicas: deployment.replicas.desired,
  };
}
