import type { PgDiscovery } from "../src/adapters/postgres/discover.js";
import type { Component } from "../src/core/blueprint/schema.js";
import { pickComponent } from "./component-input.js";
import { ToolInputError, type ToolServices } from "./tool.js";

/** A PostgreSQL component and what discovery saw of it. */
export interface PostgresComponent {
  component: Component;
  discovery: PgDiscovery;
}

/** Whether a component's discovery is a PostgreSQL one (the postgres adapter's `PgDiscovery`). */
export function isPgDiscovery(discovery: unknown): discovery is PgDiscovery {
  return (
    typeof discovery === "object" &&
    discovery !== null &&
    (discovery as { kind?: unknown }).kind === "postgres" &&
    Array.isArray((discovery as { tables?: unknown }).tables)
  );
}

/**
 * The discovery of the PostgreSQL component a tool call names (or the only component). Another
 * kind of component is the caller's mistake (`ToolInputError`); a database that cannot be reached
 * is not, and fails with a redacted message.
 */
export async function postgresComponent(
  services: ToolServices,
  componentId: string | undefined,
): Promise<PostgresComponent> {
  const component = pickComponent(services.system, componentId);
  if (component.kind !== "postgres") {
    throw new ToolInputError(
      `component '${component.id}' is a ${component.kind} component; this tool reads PostgreSQL components (kind postgres)`,
    );
  }
  let discovery: unknown;
  try {
    discovery = await services.system.discover(component.id);
  } catch (error) {
    throw new Error(`component '${component.id}' could not be discovered: ${(error as Error).message}`);
  }
  if (!isPgDiscovery(discovery)) {
    throw new Error(`component '${component.id}': its adapter did not return a PostgreSQL discovery`);
  }
  return { component, discovery };
}
