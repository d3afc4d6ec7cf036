/**
 * A small SQL tokenizer for the lint: enough to find statements and their shape, not a parser.
 * Comments are dropped; string literals and dollar-quoted bodies become one `string` token each,
 * so a `CREATE INDEX` inside a function body or a literal is never taken for a statement.
 */
export interface Token {
  kind: "word" | "ident" | "string" | "number" | "punct";
  /** A word as written; a quoted identifier unquoted; a string's content; a punctuation mark. */
  text: string;
}

/** Splits a script into statements of tokens; empty statements are dropped. */
export function sqlStatements(sql: string): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind === "punct" && token.text === ";") {
      if (current.length) statements.push(current);
      current = [];
    } else current.push(token);
  }
  if (current.length) statements.push(current);
  return statements;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charAt(i);
    const code = sql.charCodeAt(i);
    if (code === 32 || (code >= 9 && code <= 13)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      do {
        if (sql.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith("*/", i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < n);
    } else if (c === "'" || ((c === "E" || c === "e") && sql[i + 1] === "'")) {
      const escapes = c !== "'";
      let j = escapes ? i + 2 : i + 1;
      let text = "";
      while (j < n) {
        const d = sql.charAt(j);
        if (escapes && d === "\\") {
          text += sql.charAt(j + 1);
          j += 2;
        } else if (d === "'" && sql[j + 1] === "'") {
          text += "'";
          j += 2;
        } else if (d === "'") break;
        else {
          text += d;
          j++;
        }
      }
      tokens.push({ kind: "string", text });
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < n) {
        if (sql[j] === '"' && sql[j + 1] === '"') {
          text += '"';
          j += 2;
        } else if (sql[j] === '"') break;
        else text += sql[j++];
      }
      tokens.push({ kind: "ident", text });
      i = j + 1;
    } else if (c === "$" && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))?.[0] ?? "$$";
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end === -1 ? n : end;
      tokens.push({ kind: "string", text: sql.slice(i + tag.length, stop) });
      i = end === -1 ? n : end + tag.length;
    } else if (isIdentStart(code)) {
      let j = i + 1;
      while (
        j < n &&
        (isIdentStart(sql.charCodeAt(j)) || isDigit(sql.charCodeAt(j)) || sql.charCodeAt(j) === 36)
      )
        j++;
      tokens.push({ kind: "word", text: sql.slice(i, j) });
      i = j;
    } else if (isDigit(code)) {
      let j = i + 1;
      while (j < n && /[0-9.eE]/.test(sql.charAt(j))) j++;
      tokens.push({ kind: "number", text: sql.slice(i, j) });
      i = j;
    } else {
      tokens.push({ kind: "punct", text: c });
      i++;
    }
  }
  return tokens;
}

/** A letter, `_` or any non-ASCII character: what an unquoted identifier starts with. */
const isIdentStart = (code: number) =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 128;

const isDigit = (code: number) => code >= 48 && code <= 57;

/** Whether a token is this keyword (case-insensitive; a quoted identifier never is). */
export function isWord(token: Token | undefined, ...keywords: string[]): boolean {
  if (token?.kind !== "word") return false;
  const upper = token.text.toUpperCase();
  return keywords.includes(upper);
}

/** An identifier's name as PostgreSQL sees it: unquoted ones fold to lower case. */
export function identName(token: Token): string {
  return token.kind === "word" ? token.text.toLowerCase() : token.text;
}

/** Tokens back to text, for messages and for checking an expression. */
export function tokensText(tokens: readonly Token[]): string {
  let out = "";
  let previous: Token | undefined;
  for (const t of tokens) {
    const text =
      t.kind === "string" ? `'${t.text.replace(/'/g, "''")}'` : t.kind === "ident" ? `"${t.text}"` : t.text;
    const call = text === "(" && previous?.kind === "word";
    const glue = out === "" || call || /^[),.:\]]/.test(text) || /[(.:[]$/.test(out) ? "" : " ";
    out += glue + text;
    previous = t;
  }
  return out;
}
