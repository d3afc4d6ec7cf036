import { randomUUID } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { FakeDeployment, FakeObject, ObjectMeta } from "./fake-objects.js";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./fake-patch.js";

/**
 * The object store behind the FAKE API server (fake-api-server.ts): four resources in namespaces,
 * with resource versions, generations, the API server's defaults and refusals for the fields the
 * adapter uses. No admission, no watches, no field managers: test support, not a cluster.
 */

/** Anything the store keeps: an object with its metadata. */
type Stored = { metadata: ObjectMeta };

export type Resource = "deployments" | "replicasets" | "services" | "configmaps";

const KINDS: Record<Resource, { apiVersion: string; kind: string; group: string }> = {
  deployments: { apiVersion: "apps/v1", kind: "Deployment", group: "apps" },
  replicasets: { apiVersion: "apps/v1", kind: "ReplicaSet", group: "apps" },
  services: { apiVersion: "v1", kind: "Service", group: "" },
  configmaps: { apiVersion: "v1", kind: "ConfigMap", group: "" },
};

/** An answer other than success, sent as a `Status` object with its code. */
export class FakeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "FakeApiError";
  }

  /** The body the API server sends with an error. */
  status(): Record<string, unknown> {
    const { code, reason, message } = this;
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  }
}

const qualified = (resource: Resource) =>
  KINDS[resource].group ? `${resource}.${KINDS[resource].group}` : resource;

export const notFound = (resource: Resource, name: string) =>
  new FakeApiError(404, "NotFound", `${qualified(resource)} "${name}" not found`);

export const invalid = (resource: Resource, name: string, detail: string) =>
  new FakeApiError(
    422,
    "Invalid",
    `${KINDS[resource].kind}.${KINDS[resource].group || "core"} "${name}" is invalid: ${detail}`,
  );

export class FakeCluster {
  readonly namespaces = new Set<string>(["default"]);
  private readonly objects = new Map<string, FakeObject>();
  private version = 1000;
  private nextIp = 10;

  private key = (resource: Resource, namespace: string, name: string) => `${resource}/${namespace}/${name}`;

  get<T extends Stored = FakeObject>(resource: Resource, namespace: string, name: string): T {
    const found = this.objects.get(this.key(resource, namespace, name));
    if (!found) throw notFound(resource, name);
    return structuredClone(found) as unknown as T;
  }

  find<T extends Stored = FakeObject>(resource: Resource, namespace: string, name: string): T | undefined {
    const found = this.objects.get(this.key(resource, namespace, name));
    return found ? (structuredClone(found) as unknown as T) : undefined;
  }

  list<T extends Stored = FakeObject>(resource: Resource, namespace: string): T[] {
    const prefix = `${resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, object]) => structuredClone(object) as unknown as T);
  }

  listResourceVersion(): string {
    return String(this.version);
  }

  create(resource: Resource, namespace: string, body: unknown): FakeObject {
    if (!this.namespaces.has(namespace)) {
      throw new FakeApiError(404, "NotFound", `namespaces "${namespace}" not found`);
    }
    const object = this.shape(resource, namespace, body);
    const name = object.metadata.name;
    if (this.objects.has(this.key(resource, namespace, name))) {
      throw new FakeApiError(409, "AlreadyExists", `${qualified(resource)} "${name}" already exists`);
    }
    const created = this.defaults(resource, object, undefined);
    created.metadata = {
      ...created.metadata,
      namespace,
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString(),
      ...(resource === "deployments" ? { generation: 1 } : {}),
    };
    return this.store(resource, created);
  }

  /** PUT: the body replaces the object; a stale `resourceVersion` is a conflict, as on a cluster. */
  replace(resource: Resource, namespace: string, name: string, body: unknown): FakeObject {
    const existing = this.get(resource, namespace, name);
    const object = this.shape(resource, namespace, body);
    if (object.metadata.name !== name) {
      throw invalid(resource, name, "metadata.name: the name in the body differs from the URL");
    }
    const given = object.metadata.resourceVersion;
    if (given !== undefined && given !== existing.metadata.resourceVersion) {
      throw new FakeApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return this.update(resource, existing, this.defaults(resource, object, existing));
  }

  patch(resource: Resource, namespace: string, name: string, contentType: string, body: unknown): FakeObject {
    const existing = this.get(resource, namespace, name);
    let patched: unknown;
    try {
      if (contentType.startsWith("application/merge-patch+json")) patched = mergePatch(existing, body);
      else if (contentType.startsWith("application/strategic-merge-patch+json")) {
        patched = strategicMergePatch(existing, body);
      } else if (contentType.startsWith("application/json-patch+json")) patched = jsonPatch(existing, body);
      else {
        throw new FakeApiError(
          415,
          "UnsupportedMediaType",
          `the fake API server does not take ${contentType} patches`,
        );
      }
    } catch (error) {
      if (error instanceof PatchError) throw invalid(resource, name, error.message);
      throw error;
    }
    const object = this.shape(resource, namespace, patched);
    if (object.metadata.name !== name) throw invalid(resource, name, "metadata.name: field is immutable");
    return this.update(resource, existing, this.defaults(resource, object, existing));
  }

  delete(resource: Resource, namespace: string, name: string): FakeObject {
    const existing = this.get(resource, namespace, name);
    this.objects.delete(this.key(resource, namespace, name));
    if (resource === "deployments") {
      for (const rs of this.list("replicasets", namespace)) {
        if (rs.metadata.ownerReferences?.some((owner) => owner.uid === existing.metadata.uid)) {
          this.objects.delete(this.key("replicasets", namespace, rs.metadata.name));
        }
      }
    }
    return existing;
  }

  /** Writes an object as the controller does: no validation, a new resource version. */
  store<T extends Stored>(resource: Resource, object: T): T {
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.version);
    this.objects.set(
      this.key(resource, stored.metadata.namespace ?? "default", stored.metadata.name),
      stored as unknown as FakeObject,
    );
    return structuredClone(stored);
  }

  private update(resource: Resource, existing: FakeObject, next: FakeObject): FakeObject {
    next.metadata = {
      ...next.metadata,
      namespace: existing.metadata.namespace,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
    };
    if (resource === "deployments") {
      // The generation counts changes of the spec, as the API server's does; status is not the client's to write.
      const changed = stringify(next.spec) !== stringify(existing.spec);
      next.metadata.generation = (existing.metadata.generation ?? 1) + (changed ? 1 : 0);
      next.status = existing.status;
    }
    return this.store(resource, next);
  }

  private shape(resource: Resource, namespace: string, body: unknown): FakeObject {
    const object = body as Partial<FakeObject> | null;
    const name = (object?.metadata as ObjectMeta | undefined)?.name;
    if (!object || typeof object !== "object" || typeof name !== "string" || name === "") {
      throw invalid(resource, String(name ?? ""), "metadata.name: Required value");
    }
    const { apiVersion, kind } = KINDS[resource];
    if (object.kind !== undefined && object.kind !== kind) {
      throw new FakeApiError(400, "BadRequest", `the body is a ${object.kind}, not a ${kind}`);
    }
    const metaNamespace = (object.metadata as ObjectMeta).namespace;
    if (metaNamespace !== undefined && metaNamespace !== namespace) {
      throw new FakeApiError(
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    return { ...structuredClone(object), apiVersion, kind, metadata: { ...(object.metadata as ObjectMeta) } };
  }

  /** The API server's defaults and refusals, for the fields this fake knows. */
  private defaults(resource: Resource, object: FakeObject, existing: FakeObject | undefined): FakeObject {
    if (resource === "deployments") return validDeployment(object, existing);
    if (resource === "services") return this.defaultService(object, existing);
    return object;
  }

  private defaultService(object: FakeObject, existing: FakeObject | undefined): FakeObject {
    const spec = { ...((object.spec as Record<string, unknown> | undefined) ?? {}) };
    const before = existing?.spec as Record<string, unknown> | undefined;
    spec.type ??= "ClusterIP";
    if (spec.clusterIP === undefined) spec.clusterIP = before?.clusterIP ?? `10.96.0.${this.nextIp++}`;
    else if (before && spec.clusterIP !== before.clusterIP) {
      throw invalid("services", object.metadata.name, "spec.clusterIP: Invalid value: field is immutable");
    }
    const ports = Array.isArray(spec.ports) ? (spec.ports as Record<string, unknown>[]) : [];
    spec.ports = ports.map((port) => ({ protocol: "TCP", targetPort: port.port, ...port }));
    return { ...object, spec };
  }
}

function validDeployment(object: FakeObject, existing: FakeObject | undefined): FakeObject {
  const name = object.metadata.name;
  const deployment = object as unknown as FakeDeployment;
  const spec = deployment.spec as Partial<FakeDeployment["spec"]> | undefined;
  const selector = spec?.selector?.matchLabels;
  if (!spec || !selector || Object.keys(selector).length === 0) {
    throw invalid("deployments", name, "spec.selector: Required value");
  }
  const labels = spec.template?.metadata?.labels ?? {};
  if (!Object.entries(selector).every(([key, value]) => labels[key] === value)) {
    throw invalid(
      "deployments",
      name,
      "spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`",
    );
  }
  const containers = spec.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid("deployments", name, "spec.template.spec.containers: Required value");
  }
  for (const [i, container] of containers.entries()) {
    if (!container?.name || !container.image) {
      throw invalid("deployments", name, `spec.template.spec.containers[${i}]: name and image are required`);
    }
  }
  const replicas = spec.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid("deployments", name, "spec.replicas: Invalid value: must be greater than or equal to 0");
  }
  const before = existing as unknown as FakeDeployment | undefined;
  if (before && stringify(before.spec.selector) !== stringify(spec.selector)) {
    throw invalid("deployments", name, "spec.selector: Invalid value: field is immutable");
  }
  return {
    ...object,
    spec: {
      strategy: { type: "RollingUpdate" },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
      replicas,
    },
    status: before?.status ?? {},
  };
}
