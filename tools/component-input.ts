import { z } from "zod";
import type { Component } from "../src/core/blueprint/schema.js";
import { type SystemSession, UnknownComponentError } from "../src/services/system.js";
import { ToolInputError } from "./tool.js";

/** The optional `component` field every discovery tool takes. */
export const componentField = z
  .string()
  .optional()
  .describe("The component id (see list_components). Omit it when the system has a single component.");

/**
 * The component a tool call is about: the one named, or the only one when none is named. A name
 * the session does not know, or a missing name when there are several, is the caller's to fix.
 */
export function pickComponent(system: SystemSession, id: string | undefined): Component {
  const ids = system.components.map((c) => c.id);
  if (id === undefined) {
    const only = system.components[0];
    if (system.components.length === 1 && only) return only;
    throw new ToolInputError(
      ids.length === 0
        ? "the system has no components to discover; the session was opened without a target"
        : `the system has ${ids.length} components (${ids.map((k) => `'${k}'`).join(", ")}); name one in 'component'`,
    );
  }
  try {
    return system.component(id);
  } catch (error) {
    if (error instanceof UnknownComponentError) {
      throw new ToolInputError(`${error.message}; call list_components to see them`);
    }
    throw error;
  }
}
