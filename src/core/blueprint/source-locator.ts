import { visit } from "jsonc-parser";
import { type Document, isMap, isScalar, isSeq, type Node as YamlNode } from "yaml";
import type { DocPath } from "../diagnostics/diagnostic.js";

export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * Finds where a path of the document sits in its source text: at its key (`"key"`) or at its
 * value (`"value"`). A path that is not in the source (a missing field) resolves to its nearest
 * ancestor that is.
 */
export interface SourceLocator {
  locate(path: DocPath, at: "key" | "value"): SourcePosition | undefined;
  /** Finds many paths at once, ahead of `locate` calls for them (one pass over the text). */
  prepare?(paths: readonly DocPath[]): void;
}

/** Locates paths in YAML through the document's nodes and their ranges. */
export function yamlLocator(doc: Document, text: string): SourceLocator {
  let lines: number[] | undefined;
  const position = (offset: number): SourcePosition => {
    lines ??= computeLineStarts(text);
    return positionAt(lines, offset);
  };
  return {
    locate(path, at) {
      let node: unknown = doc.contents;
      let offset = rangeStart(node);
      for (let i = 0; i < path.length; i++) {
        const part = path[i];
        const last = i === path.length - 1;
        if (isMap(node)) {
          const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === part);
          if (!pair) break;
          const keyStart = rangeStart(pair.key);
          if (last && at === "key" && keyStart !== undefined) return position(keyStart);
          node = pair.value;
          offset = rangeStart(node) ?? keyStart ?? offset;
        } else if (isSeq(node) && typeof part === "number") {
          const item = node.items[part];
          if (item === undefined) break;
          node = item;
          offset = rangeStart(node) ?? offset;
        } else break;
      }
      return offset === undefined ? undefined : position(offset);
    },
  };
}

function rangeStart(node: unknown): number | undefined {
  return (node as YamlNode | null)?.range?.[0];
}

/**
 * Locates paths in JSON in one pass over the text per batch of paths (`prepare`), building no
 * syntax tree: on a 40 MB blueprint jsonc-parser's `parseTree` takes seconds and a gigabyte,
 * where its `visit` with the subtrees nobody asked about skipped takes a fraction of that.
 */
export function jsonLocator(text: string): SourceLocator {
  const found = new Map<string, { key?: SourcePosition; value: SourcePosition }>();
  const scanned = new Set<string>();
  const scan = (paths: readonly DocPath[]) => {
    const fresh = paths.filter((p) => !scanned.has(pathKey(p)));
    if (fresh.length === 0) return;
    for (const p of fresh) for (let n = 0; n <= p.length; n++) scanned.add(pathKey(p.slice(0, n)));
    scanJson(text, fresh, found);
  };
  return {
    prepare: scan,
    locate(path, at) {
      scan([path]);
      for (let n = path.length; n >= 0; n--) {
        const hit = found.get(pathKey(path.slice(0, n)));
        if (!hit) continue;
        // A path found whole points at its key or value as asked; a missing one at its parent's key.
        return n === path.length && at === "value" ? hit.value : (hit.key ?? hit.value);
      }
      return undefined;
    },
  };
}

interface Trie {
  children: Map<string | number, Trie>;
  key: string;
}

function pathKey(path: DocPath): string {
  return path.join("\u0000");
}

/** Records the key and value positions of every prefix of `paths` found in the JSON text. */
function scanJson(
  text: string,
  paths: readonly DocPath[],
  found: Map<string, { key?: SourcePosition; value: SourcePosition }>,
): void {
  const root: Trie = { children: new Map(), key: "" };
  for (const path of paths) {
    let node = root;
    for (let n = 0; n < path.length; n++) {
      const part = path[n] as string | number;
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map(), key: pathKey(path.slice(0, n + 1)) };
        node.children.set(part, child);
      }
      node = child;
    }
  }
  type Frame = {
    trie: Trie | undefined;
    isArray: boolean;
    index: number;
    key: string;
    keyAt?: SourcePosition;
  };
  const stack: Frame[] = [];
  /** The trie node of the value starting here (undefined when nobody asked), recording it. */
  const enter = (line: number, character: number): Trie | undefined => {
    const at = { line: line + 1, column: character + 1 };
    const parent = stack[stack.length - 1];
    if (!parent) {
      found.set(root.key, { value: at });
      return root;
    }
    const node = parent.trie?.children.get(parent.isArray ? parent.index : parent.key);
    if (node) found.set(node.key, parent.isArray ? { value: at } : { key: parent.keyAt, value: at });
    return node;
  };
  const open = (isArray: boolean) => (_o: number, _l: number, line: number, character: number) => {
    const trie = enter(line, character);
    // The end of a skipped subtree still calls `close`, so it gets a frame too.
    stack.push({ trie, isArray, index: 0, key: "" });
    return trie !== undefined; // false: skip the callbacks inside a subtree nobody asked about
  };
  const close = () => {
    stack.pop();
  };
  visit(
    text,
    {
      onObjectBegin: open(false),
      onArrayBegin: open(true),
      onObjectEnd: close,
      onArrayEnd: close,
      onObjectProperty: (property, _o, _l, line, character) => {
        const top = stack[stack.length - 1];
        if (top) {
          top.key = property;
          top.keyAt = { line: line + 1, column: character + 1 };
        }
      },
      onLiteralValue: (_v, _o, _l, line, character) => {
        enter(line, character);
      },
      onSeparator: (separator) => {
        const top = stack[stack.length - 1];
        if (separator === "," && top?.isArray) top.index++;
      },
    },
    { disallowComments: true },
  );
}

/**
 * Offsets where each line starts, for offset → line:column. A line ends at `\r\n`, `\n` or a lone
 * `\r`, as in editors and in jsonc-parser, so every position agrees whichever found it.
 */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 1-based line and column of an offset. */
export function positionAt(lineStarts: readonly number[], offset: number): SourcePosition {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (lineStarts[lo] as number) + 1 };
}
