import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify as yamlStringify } from "yaml";
import { FakeApiError, FakeCluster, type Resource } from "./fake-cluster.js";
import { FakeDeploymentController } from "./fake-controller.js";
import type { Container, FakeDeployment, FakeReplicaSet } from "./fake-objects.js";

/**
 * A FAKE of the small part of the Kubernetes API that the kubernetes adapter calls — it is not a
 * cluster, and passing tests against it say nothing about a real one. It serves, on 127.0.0.1 and
 * a port the OS picks:
 *
 * - `GET /version` (no credentials needed, as on a cluster);
 * - `GET /api/v1/namespaces/{ns}`;
 * - core/v1 `services` and `configmaps`: list, get, create (POST), replace (PUT), delete;
 * - apps/v1 `deployments`: list, get, create, replace, delete, and PATCH as JSON merge patch,
 *   JSON patch or a reduced strategic merge patch (lists of named objects merge by name);
 * - apps/v1 `replicasets`: list and get (the controller writes them).
 *
 * Every other request gets 404. Requests need `Authorization: Bearer <token>` with the server's
 * token (401 otherwise). A simulated Deployment controller (fake-controller.ts) moves one replica
 * per deployment every `stepMs`; an image for which `isBroken` is true never becomes ready, so a
 * rollout to it never completes.
 */
export interface FakeKubernetesOptions {
  /** How often the controller moves one replica of each deployment (50 ms unless given). */
  stepMs?: number;
  /** Images whose pods never become ready (default: the image name contains "bad"). */
  isBroken?: (image: string) => boolean;
  /** Namespaces besides `default`. */
  namespaces?: string[];
}

export interface SeedDeployment {
  namespace?: string;
  name: string;
  /** One container named after the deployment, or the containers given. */
  image?: string;
  containers?: Container[];
  replicas?: number;
}

export interface FakeKubernetes {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The bearer token the server accepts: fake, and never to be printed by the adapter. */
  token: string;
  /** Every request, as `METHOD /path`, in order. */
  requests: string[];
  /** A kubeconfig pointing at the server (TLS verification skipped: it speaks plain HTTP). */
  kubeconfig(options?: { token?: string; namespace?: string }): string;
  /** Writes the kubeconfig to `dir/kubeconfig` and returns its path. */
  writeKubeconfig(dir: string, options?: { token?: string }): Promise<string>;
  /** Creates a namespace (the API calls for namespaces other than GET are not served). */
  addNamespace(name: string): void;
  /** Creates a deployment that is already rolled out (revision 1, every replica ready). */
  seedDeployment(seed: SeedDeployment): FakeDeployment;
  deployment(namespace: string, name: string): FakeDeployment | undefined;
  replicaSets(namespace: string): FakeReplicaSet[];
  close(): Promise<void>;
}

/** Starts the FAKE API server. Close it when done; its controller's timer does not hold the process. */
export async function startFakeKubernetes(options: FakeKubernetesOptions = {}): Promise<FakeKubernetes> {
  const cluster = new FakeCluster();
  for (const namespace of options.namespaces ?? []) cluster.namespaces.add(namespace);
  const controller = new FakeDeploymentController(
    cluster,
    options.isBroken ?? ((image) => image.includes("bad")),
  );
  const token = `fake-token-${randomBytes(16).toString("hex")}`;
  const requests: string[] = [];

  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    void handle(cluster, token, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const timer = setInterval(() => controller.tick(), options.stepMs ?? 50);
  timer.unref();

  const kubeconfig = (o: { token?: string; namespace?: string } = {}) =>
    yamlStringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "fake-user", user: { token: o.token ?? token } }],
      contexts: [
        {
          name: "fake",
          context: { cluster: "fake", user: "fake-user", namespace: o.namespace ?? "default" },
        },
      ],
      "current-context": "fake",
    });

  return {
    url,
    token,
    requests,
    kubeconfig,
    async writeKubeconfig(dir, o = {}) {
      const path = join(dir, "kubeconfig");
      await writeFile(path, kubeconfig(o), { mode: 0o600 });
      return path;
    },
    addNamespace: (name) => {
      cluster.namespaces.add(name);
    },
    seedDeployment(seed) {
      const namespace = seed.namespace ?? "default";
      cluster.namespaces.add(namespace);
      const labels = { app: seed.name };
      const containers = seed.containers ?? [
        { name: seed.name, image: seed.image ?? `registry.example.com/${seed.name}:1.0.0` },
      ];
      cluster.create("deployments", namespace, {
        metadata: { name: seed.name, labels },
        spec: {
          replicas: seed.replicas ?? 2,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers } },
        },
      });
      controller.settle(namespace, seed.name);
      return cluster.get<FakeDeployment>("deployments", namespace, seed.name);
    },
    deployment: (namespace, name) => cluster.find<FakeDeployment>("deployments", namespace, name),
    replicaSets: (namespace) => cluster.list<FakeReplicaSet>("replicasets", namespace),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ROUTES: { pattern: RegExp; resource?: Resource; namespaceOnly?: true; version?: true }[] = [
  { pattern: /^\/version\/?$/, version: true },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)$/, namespaceOnly: true },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/services(?:\/([^/]+))?$/, resource: "services" },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/, resource: "configmaps" },
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/, resource: "deployments" },
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/replicasets(?:\/([^/]+))?$/, resource: "replicasets" },
];

const LIST_KINDS: Record<Resource, string> = {
  deployments: "DeploymentList",
  replicasets: "ReplicaSetList",
  services: "ServiceList",
  configmaps: "ConfigMapList",
};

async function handle(
  cluster: FakeCluster,
  token: string,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const send = (code: number, body: unknown) => {
    response.writeHead(code, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  try {
    const url = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    const route = ROUTES.map((r) => ({ ...r, match: r.pattern.exec(url.pathname) })).find((r) => r.match);
    if (route?.version && method === "GET") {
      return send(200, { major: "1", minor: "31", gitVersion: "v1.31.0-fake", platform: "linux/amd64" });
    }
    if (request.headers.authorization !== `Bearer ${token}`) {
      throw new FakeApiError(401, "Unauthorized", "Unauthorized");
    }
    if (!route?.match)
      throw new FakeApiError(404, "NotFound", "the server could not find the requested resource");
    const namespace = decodeURIComponent(route.match[1] ?? "");
    const name = route.match[2] === undefined ? undefined : decodeURIComponent(route.match[2]);
    const body = ["POST", "PUT", "PATCH"].includes(method) ? await readJson(request) : undefined;
    if (route.namespaceOnly) {
      if (method !== "GET") throw methodNotAllowed(method);
      if (!cluster.namespaces.has(namespace)) {
        throw new FakeApiError(404, "NotFound", `namespaces "${namespace}" not found`);
      }
      return send(200, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace },
        status: { phase: "Active" },
      });
    }
    const resource = route.resource as Resource;
    const writable = resource !== "replicasets";
    if (name === undefined) {
      if (method === "GET") {
        return send(200, {
          apiVersion: resource === "services" || resource === "configmaps" ? "v1" : "apps/v1",
          kind: LIST_KINDS[resource],
          metadata: { resourceVersion: cluster.listResourceVersion() },
          items: cluster.list(resource, namespace),
        });
      }
      if (method === "POST" && writable) return send(201, cluster.create(resource, namespace, body));
      throw methodNotAllowed(method);
    }
    if (method === "GET") return send(200, cluster.get(resource, namespace, name));
    if (method === "PUT" && writable) return send(200, cluster.replace(resource, namespace, name, body));
    if (method === "DELETE" && writable) {
      cluster.delete(resource, namespace, name);
      return send(200, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Success",
        details: { name },
      });
    }
    if (method === "PATCH" && resource === "deployments") {
      return send(200, cluster.patch(resource, namespace, name, request.headers["content-type"] ?? "", body));
    }
    throw methodNotAllowed(method);
  } catch (error) {
    if (error instanceof FakeApiError) return send(error.code, error.status());
    send(500, new FakeApiError(500, "InternalError", (error as Error).message).status());
  }
}

const methodNotAllowed = (method: string) =>
  new FakeApiError(405, "MethodNotAllowed", `the fake API server does not serve ${method} here`);

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new FakeApiError(400, "BadRequest", "the request body is not JSON");
  }
}
