/** Deeper than this, a document is refused before parsing: blueprints nest about ten levels. */
export const MAX_NESTING = 256;

const OPEN_SQUARE = 91; // [
const OPEN_CURLY = 123; // {
const CLOSE_SQUARE = 93; // ]
const CLOSE_CURLY = 125; // }
const DOUBLE = 34; // "
const SINGLE = 39; // '
const HASH = 35; // #
const BACKSLASH = 92;
const NEWLINE = 10;

/** Characters after which a quote opens a string: line start, `[ { , : - ?`. */
const VALUE_START = new Set([NEWLINE, 13, OPEN_SQUARE, OPEN_CURLY, 44, 58, 45, 63]);

/**
 * The deepest nesting of `[` and `{` in a YAML or JSON text, outside quoted strings and comments,
 * stopping as soon as it passes `limit`.
 *
 * Checked before parsing because the YAML parser and jsonc-parser's visitor recurse per level: a
 * document of 50,000 nested brackets overflows the stack, and in V8 an overflow at the wrong
 * instant aborts the whole process rather than throwing. Hand-written: no parser offers a depth
 * limit. One pass of charCodeAt, with strings skipped by indexOf, so 40 MB take tens of ms.
 */
export function nestingDepth(text: string, limit = MAX_NESTING): { depth: number; offset: number } {
  let depth = 0;
  let max = 0;
  let previous = NEWLINE; // the last character that is not a space, outside strings
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    if (c === DOUBLE && VALUE_START.has(previous)) {
      i = endOfDoubleQuoted(text, i);
      previous = DOUBLE;
      continue;
    }
    if (c === SINGLE && VALUE_START.has(previous)) {
      i = endOfSingleQuoted(text, i);
      previous = SINGLE;
      continue;
    }
    if (c === HASH && (i === 0 || isSpace(text.charCodeAt(i - 1)))) {
      const end = text.indexOf("\n", i);
      if (end === -1) break;
      i = end - 1;
      continue;
    }
    if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return { depth: max, offset: i };
      }
    } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && depth > 0) depth--;
    previous = c;
  }
  return { depth: max, offset: -1 };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === NEWLINE || c === 13;
}

/** Index of the closing `"` of a string opened at `start` (or the text's end). */
function endOfDoubleQuoted(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/** Index of the closing `'` of a YAML single-quoted string (`''` is an escaped quote). */
function endOfSingleQuoted(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf("'", at + 1);
    if (at === -1) return text.length;
    if (text.charCodeAt(at + 1) === SINGLE) at++;
    else return at;
  }
}
