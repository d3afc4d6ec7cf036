import { existsSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import type { AppsV1Api, CoreV1Api, KubeConfig, setHeaderOptions, VersionApi } from "@kubernetes/client-node";
import { z } from "zod";
import type { Component } from "../../core/blueprint/schema.js";
import { redactText } from "../redact.js";
import type { Connected } from "../types.js";

/** A `kubernetes` component: API clients for one cluster, and the namespace its steps default to. */
export interface KubernetesConnection {
  componentId: string;
  /** `options.namespace`, else `default`: where steps and checks act unless they name another. */
  namespace: string;
  /** `options.deployment`: the deployment health checks look at unless they name one. */
  deployment?: string;
  /** The API server's host and port, safe to print. */
  server: string;
  apps: AppsV1Api;
  core: CoreV1Api;
  version: VersionApi;
  /** Request options that send a body as the given content type (a PATCH's). */
  withContentType(contentType: string): ReturnType<typeof setHeaderOptions>;
  /** How often a step polls a rollout (the adapter's `pollMs`). */
  pollMs: number;
  describe: string;
}

const Options = z.strictObject({
  namespace: z.string().min(1).optional(),
  deployment: z.string().min(1).optional(),
  /** A context of the kubeconfig other than its current one. */
  context: z.string().min(1).optional(),
});

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
const ACCEPTED =
  'env:KUBECONFIG (a variable holding a kubeconfig path), a kubeconfig file path, or "in-cluster"';

/**
 * Loads a component's kubeconfig and makes the API clients; sends no request (a health check
 * does). The kubeconfig's credentials stay inside the client: no message built here quotes the
 * file, so a token or a client key cannot leak through a YAML error.
 */
export async function connectKubernetes(
  component: Component,
  env: Readonly<Record<string, string | undefined>>,
  pollMs: number,
): Promise<Connected<KubernetesConnection>> {
  const where = `component '${component.id}'`;
  const options = Options.safeParse(component.options ?? {});
  if (!options.success) {
    const issue = options.error.issues[0];
    throw new Error(
      `${where}: options${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message}`,
    );
  }
  // Loaded here, not at the top: the client takes most of a second to import, which every CLI
  // command would pay for a component kind it may not use.
  const k8s = await import("@kubernetes/client-node");
  const config = loadKubeconfig(where, component.connection, env, () => new k8s.KubeConfig());
  if (options.data.context) {
    if (!config.getContextObject(options.data.context)) {
      throw new Error(`${where}: the kubeconfig has no context '${options.data.context}' (options.context)`);
    }
    config.setCurrentContext(options.data.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new Error(
      `${where}: the kubeconfig has no current context with a cluster server: set current-context, or options.context`,
    );
  }
  const server = safeHost(cluster.server);
  const namespace = options.data.namespace ?? "default";
  const connection: KubernetesConnection = {
    componentId: component.id,
    namespace,
    ...(options.data.deployment ? { deployment: options.data.deployment } : {}),
    server,
    apps: config.makeApiClient(k8s.AppsV1Api),
    core: config.makeApiClient(k8s.CoreV1Api),
    version: config.makeApiClient(k8s.VersionApi),
    withContentType: (contentType) => k8s.setHeaderOptions("Content-Type", contentType),
    pollMs,
    describe: `kubernetes ${server} namespace ${namespace}`,
  };
  return { connection, describe: connection.describe, close: async () => undefined };
}

function loadKubeconfig(
  where: string,
  reference: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  newConfig: () => KubeConfig,
): KubeConfig {
  const text = reference?.trim();
  if (!text) throw new Error(`${where}: no connection given (expected ${ACCEPTED})`);
  const config = newConfig();
  if (text === "in-cluster") {
    if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
      throw new Error(
        `${where}: connection "in-cluster", but this process does not run in a Kubernetes pod (no KUBERNETES_SERVICE_HOST or service account token): use a kubeconfig instead`,
      );
    }
    config.loadFromCluster();
    return config;
  }
  let paths: string[];
  if (text.startsWith("env:")) {
    const name = text.slice(4);
    const value = env[name]?.trim();
    if (!value)
      throw new Error(
        `${where}: ${text}: the variable ${name} is not set (it should hold a kubeconfig path)`,
      );
    paths = value.split(delimiter).filter((p) => p !== "");
  } else {
    paths = [text];
  }
  // Several paths (KUBECONFIG=a:b) merge as kubectl merges them: the first definition of a name wins.
  for (const path of paths) {
    const file = resolve(path);
    const one = newConfig();
    try {
      one.loadFromFile(file);
    } catch (error) {
      throw new Error(`${where}: cannot load the kubeconfig ${redactText(file)}: ${loadError(error)}`);
    }
    const known = (list: { name: string }[], name: string) => list.some((item) => item.name === name);
    config.clusters = [...config.clusters, ...one.clusters.filter((c) => !known(config.clusters, c.name))];
    config.users = [...config.users, ...one.users.filter((u) => !known(config.users, u.name))];
    config.contexts = [...config.contexts, ...one.contexts.filter((c) => !known(config.contexts, c.name))];
    config.currentContext ||= one.currentContext;
  }
  return config;
}

/** Why a kubeconfig did not load, without the file's text (a YAML error quotes it, secrets and all). */
function loadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { name?: string; mark?: { line?: number } };
  if (e.code === "ENOENT") return "no such file";
  if (e.code === "EACCES") return "permission denied";
  if (e.code === "EISDIR") return "it is a directory";
  if (e.name === "YAMLException")
    return `not valid YAML${e.mark?.line !== undefined ? ` (line ${e.mark.line + 1})` : ""}`;
  // The client's own checks ("clusters[0].cluster.server is missing") name fields, never values.
  return redactText(e.message?.split("\n")[0] ?? String(error));
}

function safeHost(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return "(an API server whose URL does not parse)";
  }
}
