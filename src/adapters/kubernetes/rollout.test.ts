import type { V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { rolloutProgress } from "./rollout.js";

const deployment = (replicas: number, generation: number, status: V1Deployment["status"]): V1Deployment => ({
  metadata: { name: "web", generation },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: { spec: { containers: [{ name: "web", image: "web:1" }] } },
  },
  ...(status ? { status } : {}),
});

describe("rolloutProgress", () => {
  it.each([
    [
      "complete",
      deployment(3, 2, {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
      }),
      [],
    ],
    [
      // Right after a patch the status is the old, complete one: only the generation tells.
      "a spec the controller has not seen",
      deployment(3, 3, {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
      }),
      ["the controller has not seen generation 3 yet (observed 2)"],
    ],
    [
      "half-way",
      deployment(3, 2, {
        observedGeneration: 2,
        replicas: 4,
        updatedReplicas: 2,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: 1,
      }),
      [
        "2 of 3 replicas run the new template",
        "1 replica is not available",
        "2 old replicas are still running",
      ],
    ],
    ["scaled to zero, counts left out by the API server", deployment(0, 5, { observedGeneration: 5 }), []],
    [
      "no status yet",
      deployment(1, 1, undefined),
      ["the controller has not seen generation 1 yet (observed 0)"],
    ],
    [
      "updated but not available",
      deployment(2, 1, {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
      }),
      ["1 replica is not available"],
    ],
  ])("%s", (_name, d, waiting) => {
    const progress = rolloutProgress(d);
    expect(progress.waiting).toEqual(waiting);
    expect(progress.done).toBe(waiting.length === 0);
  });
});
