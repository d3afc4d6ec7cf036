import { describe, expect, it } from "vitest";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./fake-patch.js";

const deployment = {
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: "web", image: "web:1", ports: [{ containerPort: 80 }] },
          { name: "sidecar", image: "proxy:1" },
        ],
      },
    },
  },
};

describe("the fake API server's patches", () => {
  it("strategic merge: containers merge by name, the others stay", () => {
    const patched = strategicMergePatch(deployment, {
      spec: { template: { spec: { containers: [{ name: "web", image: "web:2" }] } } },
    });
    expect(patched).toEqual({
      spec: {
        replicas: 2,
        template: {
          spec: {
            containers: [
              { name: "web", image: "web:2", ports: [{ containerPort: 80 }] },
              { name: "sidecar", image: "proxy:1" },
            ],
          },
        },
      },
    });
    expect(() => strategicMergePatch(deployment, { spec: { $patch: "replace" } })).toThrow(PatchError);
  });

  it("merge patch: lists are replaced, null deletes", () => {
    expect(mergePatch({ a: [1, 2], b: 1, c: { d: 1 } }, { a: [3], b: null, c: { e: 2 } })).toEqual({
      a: [3],
      c: { d: 1, e: 2 },
    });
  });

  it("JSON patch: replace, add, remove, test", () => {
    const patched = jsonPatch(deployment, [
      { op: "test", path: "/spec/replicas", value: 2 },
      { op: "replace", path: "/spec/template/spec/containers/1/image", value: "proxy:2" },
      { op: "add", path: "/spec/paused", value: true },
      { op: "remove", path: "/spec/template/spec/containers/0/ports" },
    ]) as typeof deployment & { spec: { paused: boolean } };
    expect(patched.spec.paused).toBe(true);
    expect(patched.spec.template.spec.containers).toEqual([
      { name: "web", image: "web:1" },
      { name: "sidecar", image: "proxy:2" },
    ]);
    expect(deployment.spec.template.spec.containers[1]?.image).toBe("proxy:1");
    expect(() => jsonPatch(deployment, [{ op: "test", path: "/spec/replicas", value: 3 }])).toThrow(
      /test failed/,
    );
    expect(() => jsonPatch(deployment, [{ op: "replace", path: "/spec/nothing", value: 1 }])).toThrow(
      /no such member/,
    );
  });
});
