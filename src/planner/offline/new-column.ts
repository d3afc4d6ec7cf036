import type { PgTable } from "../../adapters/postgres/discover.js";
import type { Intent } from "./intent.js";
import { typesIn } from "./vocabulary.js";

const IDENT = "([a-z_][a-z0-9_]*)";

/** Words that stand where a new column's name would, but are not one ("a column to users"). */
const NOT_NAMES = new Set(
  "a an the new required nullable optional mandatory to in on of for that with which and is must called named".split(
    " ",
  ),
);

/**
 * The new column's name: after "column" or "field" ("column nickname", "column called
 * nickname", "a boolean flag is_admin"), before it, past a type ("an email_verified boolean
 * column"), or right after "add" when a type follows ("add nickname text to users").
 */
function newColumnName(text: string): string | undefined {
  const all = (pattern: string) => [...text.matchAll(new RegExp(pattern, "g"))].map((m) => m[1]);
  const candidates = [
    ...all(`\\b(?:column|field|flag)\\s+(?:called\\s+|named\\s+)?"?${IDENT}`),
    // A lookahead, so that "a" in "a nickname column" does not hide "nickname".
    ...all(`\\b${IDENT}(?=\\s+(?:[a-z0-9_()]+\\s+)?(?:column|field)\\b)`),
    ...[
      ...text.matchAll(new RegExp(`\\b(?:add|need|want)\\s+(?:(?:a|an|the|new)\\s+)*${IDENT}\\s*\\(?`, "g")),
    ]
      .filter((m) => typesIn(text.slice((m.index ?? 0) + m[0].length))[0]?.at === 0)
      .map((m) => m[1]),
  ];
  return candidates.find((n) => n !== undefined && !NOT_NAMES.has(n) && !typesIn(n).length);
}

/** An added column, when the request names a new column and its type; else undefined. */
export function addedColumn(text: string, table: PgTable): Intent | undefined {
  const named = newColumnName(text);
  if (!named || table.columns.some((c) => c.name === named)) return undefined;
  const types = typesIn(text).filter((t) => t.type !== "boolean" || /\b(?:boolean|bool|flag)\b/.test(text));
  const type = types[0]?.type;
  if (!type) return undefined;
  const required = /\b(?:required|mandatory|not null|non-null|non-nullable|not nullable)\b/.test(text);
  const value =
    /\bdefault(?:ing|s)?(?:\s+value)?(?:\s+(?:to|of|=|is))?\s+('[^']*'|-?\d+(?:\.\d+)?|true|false|[a-z_][a-z0-9_]*\(\)|current_timestamp|current_date|null)/.exec(
      text,
    )?.[1];
  return {
    kind: "add_column",
    table,
    column: {
      name: named,
      type,
      nullable: !required,
      ...(value && value !== "null" ? { default: value } : {}),
    },
  };
}
