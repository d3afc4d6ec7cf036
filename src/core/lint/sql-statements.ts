import { identName, isWord, sqlStatements, type Token, tokensText } from "./sql-tokens.js";

/** A table as a statement names it; `schema` is undefined when unqualified. */
export interface SqlName {
  schema: string | undefined;
  name: string;
}

/** What the lint recognizes in a raw SQL statement; anything else is `other`. */
export type SqlOp =
  | { op: "create_index"; table: SqlName; concurrently: boolean }
  | { op: "create_table"; table: SqlName }
  | { op: "drop_table"; tables: SqlName[] }
  | { op: "drop_view"; views: SqlName[] }
  | { op: "create_view"; view: SqlName }
  | { op: "add_column"; table: SqlName; column: string; type: string; default: string | undefined }
  | {
      op: "add_constraint";
      table: SqlName;
      kind: "check" | "foreign_key" | "unique" | "primary_key" | "exclusion";
      name: string | undefined;
      notValid: boolean;
      usingIndex: boolean;
      /** The constraint's text after its name: `CHECK (phone IS NOT NULL)`. */
      body: string;
    }
  | { op: "validate_constraint"; table: SqlName; name: string }
  | { op: "alter_type"; table: SqlName; column: string; type: string }
  | { op: "set_not_null"; table: SqlName; column: string }
  | { op: "drop_column"; table: SqlName; column: string }
  | { op: "rename_column"; table: SqlName; from: string; to: string }
  | { op: "rename_table"; table: SqlName; to: string }
  | { op: "other"; readOnly: boolean };

/** Statements that change nothing: they need no MA608. */
const READ_ONLY = ["SELECT", "VALUES", "SHOW", "TABLE", "EXPLAIN", "ANALYZE", "WITH"];
const WRITES = ["INSERT", "UPDATE", "DELETE", "MERGE"];

/** The operations of a script, in order (an ALTER TABLE gives one per action). */
export function sqlOps(sql: string): SqlOp[] {
  return sqlStatements(sql).flatMap(statementOps);
}

/** The operations of one statement (of `sqlStatements`). */
export function statementOps(tokens: Token[]): SqlOp[] {
  const c = new Cursor(tokens);
  if (c.accept("CREATE")) {
    c.accept("OR", "REPLACE");
    const unique = c.accept("UNIQUE");
    if (c.accept("INDEX")) {
      const concurrently = c.accept("CONCURRENTLY");
      c.accept("IF", "NOT", "EXISTS");
      if (!isWord(c.peek(), "ON")) c.name();
      if (!c.accept("ON")) return [other(tokens)];
      c.accept("ONLY");
      const table = c.name();
      return table ? [{ op: "create_index", table, concurrently }] : [other(tokens)];
    }
    if (unique) return [other(tokens)];
    c.acceptAny("TEMP", "TEMPORARY", "UNLOGGED", "RECURSIVE", "MATERIALIZED");
    if (c.accept("TABLE")) {
      c.accept("IF", "NOT", "EXISTS");
      const table = c.name();
      return table ? [{ op: "create_table", table }] : [other(tokens)];
    }
    if (c.accept("VIEW")) {
      c.accept("IF", "NOT", "EXISTS");
      const view = c.name();
      return view ? [{ op: "create_view", view }] : [other(tokens)];
    }
    return [other(tokens)];
  }
  if (c.accept("DROP")) {
    const kind = c.accept("TABLE")
      ? "table"
      : c.accept("VIEW") || c.accept("MATERIALIZED", "VIEW")
        ? "view"
        : "";
    if (!kind) return [other(tokens)];
    c.accept("IF", "EXISTS");
    const names: SqlName[] = [];
    for (let name = c.name(); name; name = c.acceptPunct(",") ? c.name() : undefined) names.push(name);
    return kind === "table" ? [{ op: "drop_table", tables: names }] : [{ op: "drop_view", views: names }];
  }
  if (c.accept("ALTER", "TABLE")) {
    c.accept("IF", "EXISTS");
    c.accept("ONLY");
    const table = c.name();
    if (!table) return [other(tokens)];
    c.acceptPunct("*");
    return splitTopLevel(c.rest()).map((action) => alterTableOp(table, action));
  }
  return [other(tokens)];
}

function alterTableOp(table: SqlName, tokens: Token[]): SqlOp {
  const c = new Cursor(tokens);
  if (c.accept("ADD")) {
    if (c.accept("CONSTRAINT")) {
      const name = c.name()?.name;
      return constraintOp(table, name, c.rest());
    }
    if (c.peekAny("CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE"))
      return constraintOp(table, undefined, c.rest());
    c.accept("COLUMN");
    c.accept("IF", "NOT", "EXISTS");
    const column = c.name()?.name;
    if (!column) return other(tokens);
    const rest = c.rest();
    const stop = rest.findIndex((t) =>
      isWord(
        t,
        "DEFAULT",
        "NOT",
        "NULL",
        "CONSTRAINT",
        "CHECK",
        "REFERENCES",
        "PRIMARY",
        "UNIQUE",
        "GENERATED",
        "COLLATE",
      ),
    );
    const type = tokensText(stop === -1 ? rest : rest.slice(0, stop));
    const at = rest.findIndex((t) => isWord(t, "DEFAULT"));
    let fallback: string | undefined;
    if (at !== -1) {
      const after = rest.slice(at + 1);
      const end = after.findIndex((t) =>
        isWord(t, "NOT", "NULL", "CONSTRAINT", "CHECK", "REFERENCES", "PRIMARY", "UNIQUE", "COLLATE"),
      );
      fallback = tokensText(end === -1 ? after : after.slice(0, end));
    }
    return { op: "add_column", table, column, type, default: fallback };
  }
  if (c.accept("ALTER")) {
    if (c.peekAny("CONSTRAINT")) return other(tokens);
    c.accept("COLUMN");
    const column = c.name()?.name;
    if (!column) return other(tokens);
    if (c.accept("SET", "NOT", "NULL")) return { op: "set_not_null", table, column };
    c.accept("SET", "DATA");
    if (c.accept("TYPE")) {
      const rest = c.rest();
      const using = rest.findIndex((t) => isWord(t, "USING", "COLLATE"));
      return {
        op: "alter_type",
        table,
        column,
        type: tokensText(using === -1 ? rest : rest.slice(0, using)),
      };
    }
    return other(tokens);
  }
  if (c.accept("DROP")) {
    if (c.peekAny("CONSTRAINT")) return other(tokens);
    c.accept("COLUMN");
    c.accept("IF", "EXISTS");
    const column = c.name()?.name;
    return column ? { op: "drop_column", table, column } : other(tokens);
  }
  if (c.accept("RENAME")) {
    if (c.accept("TO")) {
      const to = c.name()?.name;
      return to ? { op: "rename_table", table, to } : other(tokens);
    }
    if (c.peekAny("CONSTRAINT")) return other(tokens);
    c.accept("COLUMN");
    const from = c.name()?.name;
    const to = c.accept("TO") ? c.name()?.name : undefined;
    return from && to ? { op: "rename_column", table, from, to } : other(tokens);
  }
  if (c.accept("VALIDATE", "CONSTRAINT")) {
    const name = c.name()?.name;
    return name ? { op: "validate_constraint", table, name } : other(tokens);
  }
  return other(tokens);
}

function constraintOp(table: SqlName, name: string | undefined, tokens: Token[]): SqlOp {
  const first = tokens[0];
  const kind = isWord(first, "CHECK")
    ? "check"
    : isWord(first, "FOREIGN")
      ? "foreign_key"
      : isWord(first, "UNIQUE")
        ? "unique"
        : isWord(first, "PRIMARY")
          ? "primary_key"
          : isWord(first, "EXCLUDE")
            ? "exclusion"
            : undefined;
  if (!kind) return other(tokens);
  const words = (i: number, ...kw: string[]) => kw.every((k, j) => isWord(tokens[i + j], k));
  const notValid = tokens.some((_, i) => words(i, "NOT", "VALID"));
  const usingIndex = tokens.some((_, i) => words(i, "USING", "INDEX"));
  return { op: "add_constraint", table, kind, name, notValid, usingIndex, body: tokensText(tokens) };
}

function other(tokens: Token[]): SqlOp {
  const first = tokens[0];
  const readOnly =
    isWord(first, ...READ_ONLY) &&
    !(isWord(first, "EXPLAIN") && isWord(tokens[1], "ANALYZE")) &&
    !tokens.some((t) => isWord(t, ...WRITES));
  return { op: "other", readOnly };
}

/** An ALTER TABLE's actions: its tokens split at the commas outside parentheses. */
function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ")") depth--;
    if (depth === 0 && t.kind === "punct" && t.text === ",") parts.push([]);
    else parts.at(-1)?.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  peekAny(...keywords: string[]): boolean {
    return isWord(this.peek(), ...keywords);
  }

  /** Consumes these keywords in sequence, or nothing. */
  accept(...keywords: string[]): boolean {
    if (!keywords.every((k, j) => isWord(this.tokens[this.i + j], k))) return false;
    this.i += keywords.length;
    return true;
  }

  acceptAny(...keywords: string[]): boolean {
    if (!this.peekAny(...keywords)) return false;
    this.i++;
    return true;
  }

  acceptPunct(mark: string): boolean {
    const t = this.peek();
    if (t?.kind !== "punct" || t.text !== mark) return false;
    this.i++;
    return true;
  }

  /** `name` or `schema.name`, quoted or not. */
  name(): SqlName | undefined {
    const first = this.peek();
    if (first?.kind !== "word" && first?.kind !== "ident") return undefined;
    this.i++;
    const dot = this.peek();
    const second = this.tokens[this.i + 1];
    if (dot?.kind === "punct" && dot.text === "." && (second?.kind === "word" || second?.kind === "ident")) {
      this.i += 2;
      return { schema: identName(first), name: identName(second) };
    }
    return { schema: undefined, name: identName(first) };
  }

  rest(): Token[] {
    return this.tokens.slice(this.i);
  }
}
