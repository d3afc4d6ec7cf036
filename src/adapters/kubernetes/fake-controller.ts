import { randomUUID } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { FakeCluster } from "./fake-cluster.js";
import {
  type FakeDeployment,
  type FakeReplicaSet,
  REVISION,
  REVISION_HISTORY,
  revisionOf,
  sameTemplate,
  TEMPLATE_HASH,
  templateHash,
  withoutZeros,
} from "./fake-objects.js";

/**
 * A simulated Deployment controller for the FAKE API server: on every tick it moves each
 * deployment one replica towards its pod template, as a RollingUpdate with maxSurge 1 and
 * maxUnavailable 0 would. Pods are not modelled: a ReplicaSet's replicas are ready at once,
 * unless one of its images is "broken" (by default: the image name contains "bad"), in which case
 * they never become ready and the rollout stalls, as with a crash-looping image on a cluster.
 *
 * What it does like the real controller: a new ReplicaSet with revision+1 for a new template; an
 * old ReplicaSet reused (its revision bumped, the old one added to `revision-history`) when the
 * template goes back to it; `observedGeneration`, the replica counts and the revision annotation.
 */
export class FakeDeploymentController {
  constructor(
    private readonly cluster: FakeCluster,
    private readonly isBroken: (image: string) => boolean,
  ) {}

  /** One step for every deployment of every namespace. */
  tick(): void {
    for (const namespace of this.cluster.namespaces) {
      for (const deployment of this.cluster.list<FakeDeployment>("deployments", namespace)) {
        this.step(deployment);
      }
    }
  }

  /** Steps one deployment until nothing changes: a deployment that is already rolled out. */
  settle(namespace: string, name: string): void {
    for (let i = 0; i < 10_000; i++) {
      if (!this.step(this.cluster.get<FakeDeployment>("deployments", namespace, name))) return;
    }
  }

  /** One reconcile of one deployment; says whether it changed anything. */
  private step(deployment: FakeDeployment): boolean {
    const namespace = deployment.metadata.namespace ?? "default";
    const owned = this.cluster
      .list<FakeReplicaSet>("replicasets", namespace)
      .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === deployment.metadata.uid));
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    let current = owned.find((rs) => sameTemplate(rs.spec.template, deployment.spec.template));
    let changed = false;
    if (!current) {
      current = this.newReplicaSet(deployment, maxRevision + 1);
      owned.push(current);
      changed = true;
    } else if (revisionOf(current) < maxRevision) {
      // Rolled back to an older template: its ReplicaSet becomes the newest revision again.
      const annotations = { ...current.metadata.annotations };
      const history = [annotations[REVISION_HISTORY], annotations[REVISION]].filter(Boolean).join(",");
      current.metadata.annotations = {
        ...annotations,
        [REVISION]: String(maxRevision + 1),
        [REVISION_HISTORY]: history,
      };
      changed = true;
    }
    const olds = owned.filter((rs) => rs !== current);
    changed = this.scaleOneReplica(deployment.spec.replicas, current, olds) || changed;
    for (const rs of owned) this.writeReplicaSet(rs);
    return this.writeDeploymentStatus(deployment, current, olds) || changed;
  }

  private ready(rs: FakeReplicaSet): number {
    return rs.spec.template.spec.containers.some((c) => this.isBroken(c.image)) ? 0 : rs.spec.replicas;
  }

  /** RollingUpdate with maxSurge 1, maxUnavailable 0: one replica up on the new side, or one down on an old side. */
  private scaleOneReplica(desired: number, current: FakeReplicaSet, olds: FakeReplicaSet[]): boolean {
    const all = [current, ...olds];
    const total = all.reduce((sum, rs) => sum + rs.spec.replicas, 0);
    const ready = all.reduce((sum, rs) => sum + this.ready(rs), 0);
    if (current.spec.replicas < desired && total < desired + 1) {
      current.spec.replicas++;
      return true;
    }
    const running = olds.filter((rs) => rs.spec.replicas > 0);
    // Replicas that are not ready can go at once; ready ones only while enough others are ready.
    const unready = running.find((rs) => this.ready(rs) < rs.spec.replicas);
    const victim = unready ?? (ready - 1 >= desired ? running[0] : undefined);
    if (victim) {
      victim.spec.replicas--;
      return true;
    }
    if (running.length === 0 && current.spec.replicas > desired) {
      current.spec.replicas--;
      return true;
    }
    return false;
  }

  private newReplicaSet(deployment: FakeDeployment, revision: number): FakeReplicaSet {
    const hash = templateHash(deployment.spec.template);
    const template = structuredClone(deployment.spec.template);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [TEMPLATE_HASH]: hash },
    };
    return {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${deployment.metadata.name}-${hash}`,
        namespace: deployment.metadata.namespace ?? "default",
        uid: randomUUID(),
        creationTimestamp: new Date().toISOString(),
        labels: { ...deployment.spec.template.metadata?.labels, [TEMPLATE_HASH]: hash },
        annotations: { [REVISION]: String(revision) },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: deployment.metadata.name,
            uid: deployment.metadata.uid ?? "",
            controller: true,
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { ...deployment.spec.selector.matchLabels, [TEMPLATE_HASH]: hash } },
        template,
      },
      status: {},
    };
  }

  private writeReplicaSet(rs: FakeReplicaSet): void {
    const ready = this.ready(rs);
    const status = withoutZeros({
      observedGeneration: 1,
      replicas: rs.spec.replicas,
      updatedReplicas: 0,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: 0,
    });
    const stored = this.cluster.find<FakeReplicaSet>(
      "replicasets",
      rs.metadata.namespace ?? "default",
      rs.metadata.name,
    );
    const next = { ...rs, status };
    if (
      stored &&
      stringify({ ...stored, metadata: { ...stored.metadata, resourceVersion: "" } }) ===
        stringify({ ...next, metadata: { ...next.metadata, resourceVersion: "" } })
    ) {
      return;
    }
    this.cluster.store("replicasets", next);
  }

  private writeDeploymentStatus(
    deployment: FakeDeployment,
    current: FakeReplicaSet,
    olds: FakeReplicaSet[],
  ): boolean {
    const all = [current, ...olds];
    const replicas = all.reduce((sum, rs) => sum + rs.spec.replicas, 0);
    const ready = all.reduce((sum, rs) => sum + this.ready(rs), 0);
    const desired = deployment.spec.replicas;
    const complete = current.spec.replicas === desired && replicas === desired && ready === desired;
    const status = {
      ...withoutZeros({
        observedGeneration: deployment.metadata.generation ?? 1,
        replicas,
        updatedReplicas: current.spec.replicas,
        readyReplicas: ready,
        availableReplicas: ready,
        unavailableReplicas: Math.max(0, replicas - ready),
      }),
      conditions: [
        {
          type: "Available",
          status: ready >= desired ? "True" : "False",
          reason: ready >= desired ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        },
        {
          type: "Progressing",
          status: "True",
          reason: complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
        },
      ],
    };
    const annotations = {
      ...deployment.metadata.annotations,
      [REVISION]: current.metadata.annotations?.[REVISION] ?? "1",
    };
    if (
      stringify(status) === stringify(deployment.status) &&
      stringify(annotations) === stringify(deployment.metadata.annotations)
    ) {
      return false;
    }
    this.cluster.store("deployments", {
      ...deployment,
      metadata: { ...deployment.metadata, annotations },
      status,
    });
    return true;
  }
}
