import type { RiskValues } from "../../../core/catalog/catalog.js";
import type { StepContext } from "../../types.js";
import type { RetryOptions } from "../ddl.js";

/** The schema of an action's params, `public` unless given (DESIGN.md §4). */
export const schemaOf = (params: { schema?: string | undefined }) => params.schema ?? "public";

/** `users` in public, `audit.users` elsewhere: how messages name a table. */
export const tableName = (params: { schema?: string | undefined; table: string }) =>
  params.schema && params.schema !== "public" ? `${params.schema}.${params.table}` : params.table;

/** The optional `schema` key, carried over to an inverse only when it was given. */
export const withSchema = (params: { schema?: string | undefined }) =>
  params.schema ? { schema: params.schema } : {};

/** A step's abort signal and log line, for the DDL retries. */
export const retryOptions = (context: StepContext): RetryOptions => ({
  signal: context.signal,
  log: (message) => context.log(message),
});

/** Static risk factors: the same for every params of an action, for now. */
export const staticRisk = (values: RiskValues) => (): RiskValues => values;
