import { z } from "zod";
import { parseDuration } from "../../core/blueprint/duration.js";
import { Duration } from "../../core/blueprint/schema.js";
import type { KubernetesConnection } from "./connection.js";

/** A Kubernetes object name (RFC 1123 subdomain), checked before any request is built with it. */
export const ObjectName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    error:
      "expected a Kubernetes name: lower-case letters, digits, '-' and '.', starting and ending alphanumeric",
  });

/** A namespace or container name (RFC 1123 label). */
export const LabelName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error:
      "expected a Kubernetes label name: lower-case letters, digits and '-', starting and ending alphanumeric",
  });

export const NamespaceParam = LabelName.optional().meta({
  description: "The namespace (the component's options.namespace, else default)",
});

export const TimeoutParam = Duration.optional().meta({
  description: "How long the rollout may take before the step fails (5m unless given)",
});

export const DEFAULT_ROLLOUT_TIMEOUT_MS = 5 * 60_000;

/** The namespace a step acts in: its own, else the component's. */
export function namespaceOf(
  connection: KubernetesConnection,
  params: { namespace?: string | undefined },
): string {
  return params.namespace ?? connection.namespace;
}

/** The step's rollout timeout in milliseconds. */
export function rolloutTimeoutOf(params: { timeout?: string | undefined }): number {
  return (params.timeout ? parseDuration(params.timeout) : undefined) ?? DEFAULT_ROLLOUT_TIMEOUT_MS;
}

/** `-n NAMESPACE ` for a kubectl line in manual instructions, when the step names one. */
export const kubectlNamespace = (namespace: string | undefined) => (namespace ? `-n ${namespace} ` : "");

/** Only the keys that are set: inverse params stay as short as the step's own. */
export function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
