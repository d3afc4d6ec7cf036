import { findNodeAtLocation, type Node as JsonNode, parseTree } from "jsonc-parser";
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node as YamlNode } from "yaml";
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
}

/** Locates paths in YAML through the document's nodes and their ranges. */
export function yamlLocator(doc: Document, lines: LineCounter): SourceLocator {
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
          if (last && at === "key" && keyStart !== undefined) return position(lines, keyStart);
          node = pair.value;
          offset = rangeStart(node) ?? keyStart ?? offset;
        } else if (isSeq(node) && typeof part === "number") {
          const item = node.items[part];
          if (item === undefined) break;
          node = item;
          offset = rangeStart(node) ?? offset;
        } else break;
      }
      return offset === undefined ? undefined : position(lines, offset);
    },
  };
}

function position(lines: LineCounter, offset: number): SourcePosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function rangeStart(node: unknown): number | undefined {
  return (node as YamlNode | null)?.range?.[0];
}

/**
 * Locates paths in JSON. The syntax tree is built only when the first diagnostic needs a
 * position, so a valid file pays nothing for it.
 */
export function jsonLocator(text: string): SourceLocator {
  let root: JsonNode | undefined;
  let lineStarts: number[] | undefined;
  return {
    locate(path, at) {
      root ??= parseTree(text);
      if (!root) return undefined;
      lineStarts ??= computeLineStarts(text);
      let prefix = [...path];
      let node = findNodeAtLocation(root, prefix);
      while (!node && prefix.length > 0) {
        prefix = prefix.slice(0, -1);
        node = findNodeAtLocation(root, prefix);
      }
      if (!node) return undefined;
      const exact = prefix.length === path.length;
      const keyNode = node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
      const target = (exact && at === "key") || !exact ? (keyNode ?? node) : node;
      return positionAt(lineStarts, target.offset);
    },
  };
}

/** Offsets where each line starts, for offset → line:column. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
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
