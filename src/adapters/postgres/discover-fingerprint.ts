import { createHash } from "node:crypto";
import { stringify } from "safe-stable-stringify";
import type { Queryable } from "./client.js";
import type { PgObjects } from "./discover-objects.js";
import { describeSchema } from "./snapshot.js";

/**
 * The schema's fingerprint: sha256 of the snapshot's canonical description (tables, columns,
 * constraints, indexes, triggers, views, sequences, functions, keyed by name) plus the enum
 * labels and domains, which that description leaves out. Row counts and sizes are not part of it:
 * it changes with DDL, never with data. Run it after `stableTextSettings`.
 */
export async function schemaFingerprint(
  tx: Queryable,
  objects: Pick<PgObjects, "enums" | "domains">,
): Promise<string> {
  const description = {
    ...(await describeSchema(tx)),
    enums: Object.fromEntries(objects.enums.map((e) => [`${e.schema}.${e.name}`, e.labels])),
    domains: Object.fromEntries(
      objects.domains.map(({ schema, name, ...domain }) => [`${schema}.${name}`, domain]),
    ),
  };
  return `sha256:${createHash("sha256")
    .update(String(stringify(description)))
    .digest("hex")}`;
}
