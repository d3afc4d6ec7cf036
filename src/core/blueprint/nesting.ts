/** Deeper than this, a document is refused before parsing: blueprints nest about ten levels. */
export const MAX_NESTING = 256;

/**
 * The deepest nesting of `[` and `{` in a YAML or JSON text, outside quoted strings and comments,
 * stopping as soon as it passes `limit`.
 *
 * Checked before parsing because both parsers (and jsonc-parser's visitor) recurse per level: a
 * document of 50,000 nested brackets overflows the stack, and in V8 an overflow at the wrong
 * instant aborts the whole process rather than throwing. Hand-written: no parser offers a depth
 * limit.
 */
export function nestingDepth(text: string, limit = MAX_NESTING): { depth: number; offset: number } {
  let depth = 0;
  let max = 0;
  let quote: '"' | "'" | undefined;
  let previous = "\n"; // the last character that is not a space, outside strings
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else {
          quote = undefined;
          previous = c;
        }
      }
      continue;
    }
    if (c === "#" && (previous === "\n" || /\s/.test(text[i - 1] ?? "\n"))) {
      const end = text.indexOf("\n", i);
      if (end === -1) break;
      i = end - 1;
      continue;
    }
    // A quote opens a string only where a value or key can start (so `it's` stays plain).
    if ((c === '"' || c === "'") && /[\n[{,:\-?]/.test(previous)) {
      quote = c;
      continue;
    }
    if (c === "[" || c === "{") {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return { depth: max, offset: i };
      }
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
    if (c !== " " && c !== "\t" && c !== "\r") previous = c as string;
  }
  return { depth: max, offset: -1 };
}
