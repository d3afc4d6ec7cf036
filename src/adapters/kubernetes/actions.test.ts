import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compositeRisk } from "../../core/risk/risk.js";
import { kubernetesApply } from "./actions/apply.js";
import { kubernetesRolloutUndo } from "./actions/rollout-undo.js";
import { kubernetesScale } from "./actions/scale.js";
import { kubernetesSetImage } from "./actions/set-image.js";
import { kubernetesActions } from "./adapter.js";

const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-config" }, data: { a: "1" } };

/** Valid params of every action, with and without what makes their undo automatic. */
const SAMPLES: Record<string, Record<string, unknown>[]> = {
  "kubernetes.set_image": [
    { deployment: "web", container: "web", image: "web:2" },
    {
      namespace: "shop",
      deployment: "web",
      container: "web",
      image: "web:2",
      previous_image: "web:1",
      timeout: "2m",
    },
  ],
  "kubernetes.scale": [
    { deployment: "web", replicas: 0 },
    { deployment: "web", replicas: 6, previous_replicas: 2 },
  ],
  "kubernetes.apply": [
    { manifest: configMap },
    { manifest: configMap, previous: { ...configMap, data: { a: "0" } } },
  ],
  "kubernetes.rollout_undo": [{ deployment: "web" }, { deployment: "web", to_revision: 3 }],
};

describe("kubernetes actions", () => {
  it("maps every automatic inverse to an action of the adapter, with valid params", () => {
    for (const action of kubernetesActions) {
      for (const sample of SAMPLES[action.name] ?? []) {
        const params = action.params.parse(sample);
        const inverse = action.inverse(params);
        if (!action.hasInverse(params)) {
          expect(inverse, action.name).toEqual({ manual: expect.any(String) });
          continue;
        }
        if (!("action" in inverse)) throw new Error(`${action.name}: no inverse action`);
        const undo = kubernetesActions.find((a) => a.name === inverse.action);
        expect(undo?.params.safeParse(inverse.params).success, action.name).toBe(true);
      }
    }
    expect(Object.keys(SAMPLES).sort()).toEqual(kubernetesActions.map((a) => a.name).sort());
  });

  it("keeps every action below the approval threshold (0.7), scaling to zero above scaling up", () => {
    for (const action of kubernetesActions) {
      for (const sample of SAMPLES[action.name] ?? []) {
        const composite = compositeRisk(action.risk(action.params.parse(sample), {}));
        expect(composite, action.name).toBeLessThanOrEqual(0.7);
        expect(composite, action.name).toBeGreaterThanOrEqual(0.2);
      }
    }
    const scale = (p: Record<string, unknown>) => compositeRisk(kubernetesScale.risk(p));
    expect(scale({ replicas: 0 })).toBeGreaterThan(scale({ replicas: 3, previous_replicas: 2 }));
  });

  it("takes the kubernetes steps of examples/blue-green.yaml as they are written", () => {
    const text = readFileSync(join(import.meta.dirname, "../../../examples/blue-green.yaml"), "utf8");
    const blueprint = parse(text).blueprint as {
      phases: {
        steps: { action: string; params: unknown; rollback?: { action?: string; params?: unknown } }[];
      }[];
    };
    const steps = blueprint.phases.flatMap((p) => p.steps);
    const uses = steps.flatMap((s) => [
      { action: s.action, params: s.params },
      ...(s.rollback?.action ? [{ action: s.rollback.action, params: s.rollback.params }] : []),
    ]);
    const kubernetes = uses.filter((u) => u.action.startsWith("kubernetes."));
    expect(kubernetes.length).toBe(4);
    for (const use of kubernetes) {
      const action = kubernetesActions.find((a) => a.name === use.action);
      const parsed = action?.params.safeParse(use.params);
      expect(parsed?.success, `${use.action}: ${parsed?.error?.message}`).toBe(true);
    }
  });

  it("describes steps in one line", () => {
    expect(
      kubernetesSetImage.describe(kubernetesSetImage.params.parse(SAMPLES["kubernetes.set_image"]?.[1])),
    ).toBe("set the image of container web of deployment shop/web to web:2");
    expect(kubernetesScale.describe(kubernetesScale.params.parse({ deployment: "web", replicas: 3 }))).toBe(
      "scale deployment web to 3 replicas",
    );
    expect(
      kubernetesApply.describe(kubernetesApply.params.parse({ manifest: configMap, namespace: "shop" })),
    ).toBe("apply ConfigMap shop/web-config");
    expect(
      kubernetesRolloutUndo.describe(
        kubernetesRolloutUndo.params.parse({ deployment: "web", to_revision: 2 }),
      ),
    ).toBe("roll deployment web back to revision 2");
  });

  it.each([
    ["kubernetes.set_image", { deployment: "web", container: "web" }, /image: .*expected string/],
    [
      "kubernetes.set_image",
      { deployment: "Web_1", container: "web", image: "x" },
      /deployment: expected a Kubernetes name/,
    ],
    [
      "kubernetes.set_image",
      { deployment: "web", container: "web", image: "a b" },
      /image: .*without spaces/,
    ],
    [
      "kubernetes.set_image",
      { deployment: "web", container: "web", image: "x", timeout: "soon" },
      /timeout: expected a duration/,
    ],
    [
      "kubernetes.set_image",
      { deployment: "web", container: "web", image: "x", replicas: 2 },
      /Unrecognized key/,
    ],
    ["kubernetes.scale", { deployment: "web", replicas: -1 }, /replicas: .*>=0/],
    ["kubernetes.scale", { deployment: "web", replicas: 1.5 }, /replicas: .*int/],
    [
      "kubernetes.apply",
      { manifest: { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" } } },
      /manifest.kind: expected one apps\/v1 Deployment, v1 Service or v1 ConfigMap/,
    ],
    [
      "kubernetes.apply",
      { manifest: { ...configMap, metadata: { name: "web-config", namespace: "a" } }, namespace: "b" },
      /manifest.metadata.namespace: the manifest's namespace a differs from params.namespace b/,
    ],
    [
      "kubernetes.apply",
      { manifest: configMap, previous: { ...configMap, metadata: { name: "other" } } },
      /previous: previous must be the same object/,
    ],
    ["kubernetes.rollout_undo", { deployment: "web", to_revision: 0 }, /to_revision: .*>=1/],
  ])("%s refuses params %j", (name, params, message) => {
    const action = kubernetesActions.find((a) => a.name === name);
    const parsed = action?.params.safeParse(params);
    expect(parsed?.success).toBe(false);
    expect(parsed?.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")).toMatch(message);
  });
});
