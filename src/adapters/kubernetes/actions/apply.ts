import type { V1Deployment } from "@kubernetes/client-node";
import { z } from "zod";
import type { ActionDef } from "../../types.js";
import type { KubernetesConnection } from "../connection.js";
import { createObject, describeObject, holds, Manifest, readObject, replaceObject } from "../manifest.js";
import { defined, kubectlNamespace, NamespaceParam, rolloutTimeoutOf, TimeoutParam } from "../params.js";
import { beforeChanging } from "../refusal.js";
import { rolloutProgress, waitForRollout } from "../rollout.js";

const Params = z
  .strictObject({
    namespace: NamespaceParam,
    manifest: Manifest,
    previous: Manifest.optional().meta({
      description:
        "The object as it was before the step: its rollback applies it again (else the undo is manual)",
    }),
    timeout: TimeoutParam,
  })
  .superRefine((p, ctx) => {
    const given = p.manifest.metadata.namespace;
    if (p.namespace && given && given !== p.namespace) {
      ctx.addIssue({
        code: "custom",
        path: ["manifest", "metadata", "namespace"],
        message: `the manifest's namespace ${given} differs from params.namespace ${p.namespace}`,
      });
    }
    if (
      p.previous &&
      (p.previous.kind !== p.manifest.kind || p.previous.metadata.name !== p.manifest.metadata.name)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["previous"],
        message: `previous must be the same object as the manifest (${p.manifest.kind} ${p.manifest.metadata.name})`,
      });
    }
  });
type Params = z.infer<typeof Params>;

const namespaceOfStep = (connection: KubernetesConnection, p: Params) =>
  p.namespace ?? p.manifest.metadata.namespace ?? connection.namespace;

/**
 * `kubernetes.apply`: create-or-replace of one Deployment, Service or ConfigMap — not
 * server-side apply. The object is read; missing, it is created (POST); present and already
 * holding what the manifest says, it is left alone; otherwise it is replaced (PUT at the resource
 * version read), so fields the manifest leaves out go back to their defaults, as with
 * `kubectl replace`. A Deployment is then waited for until its rollout completes (`timeout`).
 *
 * Its undo applies `previous` (the object before the step) when given. Without it the undo is a
 * person's: the params alone cannot say whether the step created the object or replaced one.
 */
export const kubernetesApply = {
  name: "kubernetes.apply",
  params: Params,
  // Documented static factors: a whole object is written (complexity 0.4) that a workload or its
  // traffic depends on (blast radius 0.6); with previous another apply undoes it (0.3), without
  // it a person must (0.6); a ConfigMap holds configuration (data 0.5), the others 0.3.
  risk: (params: unknown) => {
    const p = params as Partial<Params>;
    return {
      complexity: 0.4,
      blast_radius: 0.6,
      reversibility_difficulty: p.previous ? 0.3 : 0.6,
      data_sensitivity: p.manifest?.kind === "ConfigMap" ? 0.5 : 0.3,
    };
  },
  hasInverse: (params: unknown) => (params as Partial<Params>).previous !== undefined,
  describe: (p: Params) =>
    `apply ${p.manifest.kind} ${p.namespace ?? p.manifest.metadata.namespace ?? "(the component's namespace)"}/${p.manifest.metadata.name}`,
  inverse: (p: Params) => {
    if (p.previous) {
      return {
        action: "kubernetes.apply",
        params: defined({
          namespace: p.namespace,
          manifest: p.previous,
          previous: p.manifest,
          timeout: p.timeout,
        }),
      };
    }
    const { kind, metadata } = p.manifest;
    const ns = kubectlNamespace(p.namespace ?? metadata.namespace);
    return {
      manual:
        `kubernetes.apply has no automatic undo without previous: if the step created ${kind} ${metadata.name}, ` +
        `delete it (kubectl ${ns}delete ${kind.toLowerCase()} ${metadata.name}); if it replaced one, apply the earlier ` +
        "version again. Give the step previous for an automatic rollback",
    };
  },
  async apply(connection: KubernetesConnection, p: Params, context) {
    const namespace = namespaceOfStep(connection, p);
    const what = describeObject(p.manifest, namespace);
    const live = await beforeChanging(() => readObject(connection, p.manifest, namespace));
    let outcome: "created" | "replaced" | "unchanged";
    if (!live) {
      context.log(`${what}: creating it`);
      await createObject(connection, p.manifest, namespace);
      outcome = "created";
    } else if (holds(live, p.manifest, namespace)) {
      context.log(`${what} already holds the manifest; nothing to write`);
      outcome = "unchanged";
    } else {
      context.log(`${what}: replacing it`);
      await replaceObject(connection, p.manifest, namespace, live);
      outcome = "replaced";
    }
    const figures: Record<string, string | number | boolean | null> = { kind: p.manifest.kind, outcome };
    if (p.manifest.kind === "Deployment") {
      const { progress, waitedMs } = await waitForRollout(connection, namespace, p.manifest.metadata.name, {
        timeoutMs: rolloutTimeoutOf(p),
        signal: context.signal,
        log: context.log,
      });
      Object.assign(figures, { rollout_ms: waitedMs }, progress.figures);
    }
    return { figures };
  },
  async verify(connection: KubernetesConnection, p: Params) {
    const namespace = namespaceOfStep(connection, p);
    const live = await readObject(connection, p.manifest, namespace);
    if (!live || !holds(live, p.manifest, namespace)) return false;
    return p.manifest.kind !== "Deployment" || rolloutProgress(live as V1Deployment).done;
  },
} satisfies ActionDef<Params, KubernetesConnection>;
