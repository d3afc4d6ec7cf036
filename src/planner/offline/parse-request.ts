import type { PgColumn, PgDiscovery, PgTable } from "../../adapters/postgres/discover.js";
import type { Intent, NotUnderstood } from "./intent.js";
import { findTable } from "./names.js";
import { addedColumn } from "./new-column.js";
import { columnWords, mainTable, type TableMention, tableMentions } from "./references.js";
import { correctSpelling } from "./spelling.js";
import { unsafeReason } from "./unsafe.js";
import { typesIn, verbsIn } from "./vocabulary.js";

const IDENT = "([a-z_][a-z0-9_]*)";

const DEPLOYMENT: NotUnderstood = {
  kind: "unsupported",
  reason:
    "a deployment (blue-green, canary, rolling, shadow) needs a traffic component in the system: the router in front of the service's versions",
};

/**
 * Reads a request in plain English against what discovery found: which operation, on which
 * table and columns, with which type, default or new name. Rules, not a model: deterministic,
 * and when it cannot tell, it says what was missing rather than guessing.
 */
export function parseRequest(request: string, discovery: PgDiscovery): Intent | NotUnderstood {
  const text = correctSpelling(normalize(request), identifiersOf(discovery));
  const unsafe = unsafeReason(text);
  if (unsafe) return { kind: "unsafe", reason: unsafe };
  const words = text.match(/[a-z0-9_-]+/g) ?? [];
  const verbs = verbsIn(words);
  const mentions = tableMentions(text, discovery);
  const main = mainTable(mentions);

  if (verbs.has("deploy") && !main) return DEPLOYMENT;
  if (!main) {
    const named = discovery.tables.filter((t) => !t.partition_of).map((t) => t.name);
    return {
      kind: "unknown",
      reason: `the request names no table I can find; the database has ${named.slice(0, 20).join(", ")}${named.length > 20 ? ", …" : ""}`,
    };
  }
  const table = main.table;
  const column = main.columns[0] ?? columnWords(text, table)[0]?.column;

  if (verbs.has("rename")) return rename(text, main, column);
  // "users.email should be called email_address": a rename without the word.
  const called = new RegExp(`\\b(?:be|is)\\s+(?:called|named)\\s+"?${IDENT}`).exec(text.slice(main.at))?.[1];
  if (called && column && !verbs.has("add") && !verbs.has("move"))
    return { kind: "rename_column", table, column, to: called };
  if (verbs.has("move") && column) {
    const after = text.slice(main.at);
    // The new table's name: after "table" when it is said ("into its own table user_phones"),
    // else after "to" or "into".
    const to =
      new RegExp(`\\btable\\s+(?:called\\s+|named\\s+)?${IDENT}`).exec(after)?.[1] ??
      new RegExp(`\\b(?:to|into)\\s+(?:a\\s+)?(?:new\\s+)?(?:called\\s+|named\\s+)?${IDENT}`).exec(
        after,
      )?.[1];
    if (to && !findTable(discovery, to)) return { kind: "move_column", table, column, to };
    if (to)
      return {
        kind: "unknown",
        reason: `${to} already exists; moving a column into an existing table is not a template I have`,
      };
  }
  if (verbs.has("foreign") || /\breferences?\b/.test(text)) {
    const fk = foreignKey(text, mentions, main);
    if (fk) return fk;
  }
  // "drop that index", "remove the check constraint": dropping something that is neither a table
  // nor a column is no template here, and must never read as creating it, or as dropping the table.
  const other = verbs.has("drop")
    ? /\b(index(?:es)?|constraints?|checks?|views?|triggers?|foreign keys?)\b/.exec(text)?.[1]
    : undefined;
  if (other && column && /\b(?:column|field)s?\b/.test(text)) return { kind: "drop_column", table, column };
  if (other) {
    return {
      kind: "unknown",
      reason: `dropping ${/^index/.test(other) ? "an index" : /^view/.test(other) ? "a view" : /^trigger/.test(other) ? "a trigger" : "a constraint"} is not something this planner plans yet: write the blueprint (postgres.drop_index, postgres.drop_constraint, postgres.drop_view) or use a model planner`,
    };
  }
  if (verbs.has("index")) {
    const columns = indexColumns(text, main);
    if (!columns.length)
      return missing(`which columns of ${table.name} to index: write ${table.name}(column, …)`);
    return { kind: "create_index", table, columns, unique: verbs.has("unique") };
  }
  if (verbs.has("unique")) {
    const columns = indexColumns(text, main);
    if (!columns.length) return missing(`which columns of ${table.name} must be unique`);
    return { kind: "add_unique", table, columns };
  }
  const newColumn = addedColumn(text, table);
  if (verbs.has("add") && newColumn) return newColumn;
  if (verbs.has("check")) {
    const expression = checkExpression(request, table);
    if (expression) return { kind: "add_check", table, expression };
  }
  // "products.price_cents must be >= 0": a check said as a rule about the column.
  const rule = column
    ? new RegExp(
        `\\b${column.name}\\s+(?:must|should|has to|needs to)\\s+(?:always\\s+)?be\\s+(>=|<=|<>|!=|=|>|<)\\s*(-?\\d+(?:\\.\\d+)?|'[^']*')`,
      ).exec(text)
    : null;
  if (column && rule) return { kind: "add_check", table, expression: `${column.name} ${rule[1]} ${rule[2]}` };
  const types = typesIn(text);
  if (column && types.length) {
    // The type asked for comes after "to", "into", "a", "as" ("make it a bigint"); a type named
    // before describes what the column is now ("is an integer"). Without a verb of change, only
    // "should be a bigint" asks for one.
    // A type after "is", "was" or "from" says what the column is (or was), whatever the database
    // says now.
    const before = (t: { at: number }) => text.slice(Math.max(0, t.at - 12), t.at);
    const named = types.filter((t) => !/\b(?:is|was|are|were|from)\s+(?:an?\s+)?$/.test(before(t)));
    const pick = (list: typeof types) => {
      const wanted = list.find((t) => /\b(?:to|into|a|an|as|be)\s+$/.test(before(t)));
      return verbs.has("change") || /\btype\b/.test(text)
        ? (wanted ?? list.at(-1))
        : list.find((t) => /\b(?:be|become)\s+(?:an?\s+)?$/.test(before(t)));
    };
    // Asked for the type it already has ("make it a bigint" when it is one): the template says so.
    const asked = pick(named.filter((t) => t.type !== column.type)) ?? pick(named);
    if (asked) return { kind: "change_type", table, column, type: asked.type };
  }
  const noNulls =
    /\b(?:not|never)\s+(?:be\s+)?null\b|\bno\s+nulls?\b|\b(?:disallow|forbid|don't allow|do not allow)\s+nulls?\b/;
  if (column && (verbs.has("required") || noNulls.test(text))) {
    const fill =
      /\b(?:fill|filling|set|setting|replace|replacing|default(?:ing)?)\b[^.]*?\b(?:with|to|as)\s+('[^']*'|-?\d+(?:\.\d+)?|true|false|now\(\))/.exec(
        text,
      )?.[1];
    return { kind: "set_not_null", table, column, ...(fill ? { fill } : {}) };
  }
  if (verbs.has("drop")) {
    if (column && (main.columns.length > 0 || /\b(?:column|field|attribute)s?\b/.test(text)))
      return { kind: "drop_column", table, column };
    // A table goes when it is called one, or named right after the verb ("drop products"), not
    // whenever its name appears near "delete" ("delete the old rows from payments").
    const direct = /\b(?:drop|remove|delete|retire|rid of)\s+(?:the\s+)?$/.test(text.slice(0, main.at));
    if (/\btable\b/.test(text) || direct) return { kind: "drop_table", table };
  }
  if (verbs.has("add") && /\bcolumn\b/.test(text)) {
    return missing('the new column\'s name and type: e.g. "add a text column nickname to users"');
  }
  // "a canary release of the orders service": a table's name, but a deployment, not a change to it.
  if (verbs.has("deploy")) return DEPLOYMENT;
  return {
    kind: "unknown",
    reason: `I found ${table.name}${column ? `.${column.name}` : ""} in the request but not what to do with it`,
  };
}

/** The names the database already uses: never "corrected" into a keyword. */
function identifiersOf(discovery: PgDiscovery): Set<string> {
  const names = new Set(discovery.schemas.map((s) => s.toLowerCase()));
  for (const t of [...discovery.tables, ...discovery.views]) names.add(t.name.toLowerCase());
  for (const t of discovery.tables) for (const c of t.columns) names.add(c.name.toLowerCase());
  return names;
}

function missing(what: string): NotUnderstood {
  return { kind: "unknown", reason: `the request does not say ${what}` };
}

function normalize(request: string): string {
  return (
    request
      .toLowerCase()
      .replace(/[‘’`]/g, "'")
      .replace(/[“”]/g, '"')
      .replace(/\s+/g, " ")
      .trim()
      // "we no longer need the card_last4 column": a drop, though "need" alone asks for something new.
      .replace(/\b(?:no longer|don't|do not|doesn't|does not) (?:need|use)\b/g, "drop")
  );
}

function rename(text: string, main: TableMention, column: PgColumn | undefined): Intent | NotUnderstood {
  const to = new RegExp(`\\b(?:to|as|into)\\s+(?:be\\s+)?(?:called\\s+|named\\s+)?"?${IDENT}`).exec(
    text.slice(main.at),
  )?.[1];
  if (!to) return missing(`the new name: "rename ${main.table.name}${column ? `.${column.name}` : ""} to …"`);
  const tableOnly = main.columns.length === 0 && (/\brename (?:the )?table\b/.test(text) || !column);
  if (tableOnly) return { kind: "rename_table", table: main.table, to };
  if (!column) return missing(`which column of ${main.table.name} to rename`);
  return { kind: "rename_column", table: main.table, column, to };
}

function indexColumns(text: string, main: TableMention): PgColumn[] {
  if (main.columns.length) return main.columns;
  const on = /\bon\s+(?:the\s+)?(?:columns?\s+)?([a-z_][a-z0-9_]*(?:\s*(?:,|and)\s*[a-z_][a-z0-9_]*)*)/.exec(
    text,
  )?.[1];
  const named = on?.split(/\s*(?:,|and)\s*/).map((w) => main.table.columns.find((c) => c.name === w.trim()));
  if (named?.length && named.every((c) => c)) return named as PgColumn[];
  return columnWords(text, main.table).map((c) => c.column);
}

function foreignKey(text: string, mentions: TableMention[], main: TableMention): Intent | undefined {
  const columns = main.columns.length
    ? main.columns
    : columnWords(text, main.table)
        .slice(0, 1)
        .map((c) => c.column);
  const target =
    mentions.find((m) => m.table !== main.table && m.at > main.at) ??
    mentions.find((m) => m.table !== main.table);
  if (!columns.length || !target) return undefined;
  const refColumns = target.columns.length ? target.columns.map((c) => c.name) : target.table.primary_key;
  if (refColumns.length !== columns.length) return undefined;
  const onDelete = /\bon delete (cascade|restrict|set null|no action)\b/.exec(text)?.[1];
  return {
    kind: "add_foreign_key",
    table: main.table,
    columns,
    references: { table: target.table, columns: refColumns },
    ...(onDelete ? { on_delete: onDelete } : {}),
  };
}

/**
 * The expression of a check: after "that", "so that", "ensure" or ":", up to the sentence's end
 * (a question mark included: "…ensuring price_cents >= 0?"). The table's own name is taken off
 * its columns (`orders.total_cents >= 0`), as a CHECK names them bare.
 */
function checkExpression(request: string, table: PgTable): string | undefined {
  const m = /\b(?:that|ensure|ensuring|enforce|enforcing|where|:)\s+(.+?)(?:[.?!](?:\s|$)|[?!]*$)/i.exec(
    request,
  );
  const expression = m?.[1]?.trim();
  if (!expression || !/(>=|<=|<>|!=|=|>|<|\bis not null\b|\bbetween\b|\bin\s*\()/i.test(expression))
    return undefined;
  const quoted = (name: string) => name.replace(/[$]/g, "\\$&");
  const qualified = new RegExp(
    `(?<![\\w.])(?:${quoted(table.schema)}\\.)?${quoted(table.name)}\\.(?=[a-z_])`,
    "gi",
  );
  return expression.replace(/\s+(?:always|holds?)$/i, "").replace(qualified, "");
}
