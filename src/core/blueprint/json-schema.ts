import { z } from "zod";
import { BlueprintDocument } from "./schema.js";

/** The JSON Schema of a blueprint document, generated from the zod schema (draft 2020-12). */
export function blueprintJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(BlueprintDocument, { target: "draft-2020-12" }),
    title: "Migration Architect blueprint",
  };
}
