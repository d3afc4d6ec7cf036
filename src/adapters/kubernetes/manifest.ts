import type { V1ConfigMap, V1Deployment, V1Service } from "@kubernetes/client-node";
import { z } from "zod";
import { request, requestIfExists } from "./api-errors.js";
import type { KubernetesConnection } from "./connection.js";
import { LabelName, ObjectName } from "./params.js";

/**
 * The objects `kubernetes.apply` takes — one apps/v1 Deployment, v1 Service or v1 ConfigMap —
 * and the requests that read, create and replace each. Anything else is refused by the params.
 */
export const KINDS = [
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "ConfigMap" },
] as const;

export type ManifestKind = (typeof KINDS)[number]["kind"];

export const Manifest = z
  .looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.looseObject({ name: ObjectName, namespace: LabelName.optional() }),
  })
  .refine((m) => KINDS.some((k) => k.apiVersion === m.apiVersion && k.kind === m.kind), {
    error: "expected one apps/v1 Deployment, v1 Service or v1 ConfigMap",
    path: ["kind"],
  });
export type Manifest = z.infer<typeof Manifest>;

type Live = V1Deployment | V1Service | V1ConfigMap;

/** The read, create and replace requests of one kind, with the body cast to the client's type. */
const OPERATIONS: Record<
  ManifestKind,
  {
    read(c: KubernetesConnection, namespace: string, name: string): Promise<Live>;
    create(c: KubernetesConnection, namespace: string, body: object): Promise<Live>;
    replace(c: KubernetesConnection, namespace: string, name: string, body: object): Promise<Live>;
  }
> = {
  Deployment: {
    read: (c, namespace, name) => c.apps.readNamespacedDeployment({ name, namespace }),
    create: (c, namespace, body) =>
      c.apps.createNamespacedDeployment({ namespace, body: body as V1Deployment }),
    replace: (c, namespace, name, body) =>
      c.apps.replaceNamespacedDeployment({ name, namespace, body: body as V1Deployment }),
  },
  Service: {
    read: (c, namespace, name) => c.core.readNamespacedService({ name, namespace }),
    create: (c, namespace, body) => c.core.createNamespacedService({ namespace, body: body as V1Service }),
    replace: (c, namespace, name, body) =>
      c.core.replaceNamespacedService({ name, namespace, body: body as V1Service }),
  },
  ConfigMap: {
    read: (c, namespace, name) => c.core.readNamespacedConfigMap({ name, namespace }),
    create: (c, namespace, body) =>
      c.core.createNamespacedConfigMap({ namespace, body: body as V1ConfigMap }),
    replace: (c, namespace, name, body) =>
      c.core.replaceNamespacedConfigMap({ name, namespace, body: body as V1ConfigMap }),
  },
};

/** `Deployment shop/web`, for messages. */
export const describeObject = (m: Manifest, namespace: string) => `${m.kind} ${namespace}/${m.metadata.name}`;

/**
 * What of a manifest is the author's to write: the spec or data, and of the metadata only the
 * name, labels and annotations. Fields the server sets (uid, resourceVersion, timestamps,
 * status) are dropped, so that the output of `kubectl get -o yaml` can serve as `previous`.
 */
export function authored(manifest: Manifest, namespace: string): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = manifest as Manifest & { status?: unknown };
  const { labels, annotations } = metadata as { labels?: unknown; annotations?: unknown };
  return {
    ...structuredClone(rest),
    metadata: {
      name: metadata.name,
      namespace,
      ...(labels ? { labels: structuredClone(labels) } : {}),
      ...(annotations ? { annotations: structuredClone(annotations) } : {}),
    },
  };
}

/** The object as it is in the cluster, or undefined when there is none. */
export function readObject(
  connection: KubernetesConnection,
  m: Manifest,
  namespace: string,
): Promise<Live | undefined> {
  return requestIfExists(`read ${describeObject(m, namespace)}`, () =>
    OPERATIONS[m.kind as ManifestKind].read(connection, namespace, m.metadata.name),
  );
}

export function createObject(
  connection: KubernetesConnection,
  m: Manifest,
  namespace: string,
): Promise<Live> {
  return request(`create ${describeObject(m, namespace)}`, () =>
    OPERATIONS[m.kind as ManifestKind].create(connection, namespace, authored(m, namespace)),
  );
}

/**
 * Replaces the object (PUT) with the manifest, at the resource version read: a change made
 * meanwhile is a conflict, not overwritten. A Service keeps the cluster IP it was given.
 */
export function replaceObject(
  connection: KubernetesConnection,
  m: Manifest,
  namespace: string,
  live: Live,
): Promise<Live> {
  const body = authored(m, namespace) as {
    metadata: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  body.metadata.resourceVersion = live.metadata?.resourceVersion;
  if (m.kind === "Service") {
    const liveSpec = (live as V1Service).spec;
    const spec = { ...(body.spec ?? {}) };
    if (spec.clusterIP === undefined && liveSpec?.clusterIP) spec.clusterIP = liveSpec.clusterIP;
    if (spec.clusterIPs === undefined && liveSpec?.clusterIPs) spec.clusterIPs = liveSpec.clusterIPs;
    body.spec = spec;
  }
  return request(`replace ${describeObject(m, namespace)}`, () =>
    OPERATIONS[m.kind as ManifestKind].replace(connection, namespace, m.metadata.name, body),
  );
}

/**
 * Whether the live object holds everything the manifest says (its spec or data, labels and
 * annotations); fields the server added (defaults, status) do not count. Values are compared as
 * written: a quantity the server normalises ("1000m" → "1") reads as a difference.
 */
export function holds(live: Live, m: Manifest, namespace: string): boolean {
  const {
    metadata,
    apiVersion: _v,
    kind: _k,
    ...rest
  } = authored(m, namespace) as {
    metadata: Record<string, unknown>;
    apiVersion?: unknown;
    kind?: unknown;
  };
  const { labels, annotations } = metadata;
  return contains(JSON.parse(JSON.stringify(live)), {
    ...rest,
    metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
  });
}

function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => contains(actual[i], e))
    );
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) =>
      contains((actual as Record<string, unknown>)[key], value),
    );
  }
  return actual === expected;
}
