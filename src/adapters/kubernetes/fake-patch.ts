/**
 * The three PATCH bodies of the Kubernetes API, as far as the FAKE API server needs them (see
 * fake-api-server.ts): JSON merge patch (RFC 7386), JSON patch (RFC 6902: add, replace, remove,
 * test) and a reduced strategic merge patch. Test support, not a reimplementation of the API
 * server's patch machinery.
 */

import { stringify } from "safe-stable-stringify";

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** RFC 7386: objects merge key by key, `null` deletes a key, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const named = (list: Json[]): list is Record<string, Json>[] =>
  list.length > 0 && list.every((item) => isObject(item) && typeof item.name === "string");

/**
 * A strategic merge patch reduced to what the adapter sends: like a merge patch, except that a
 * list of objects with a `name` (containers, env, volumes) merges item by item on `name`, as the
 * API server does for those fields. Other lists are replaced, and `$patch` directives are not
 * understood (the fake refuses them rather than guess).
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (Array.isArray(patch) && Array.isArray(target) && named(patch) && named(target)) {
    const result = target.map((item) => structuredClone(item));
    for (const item of patch) {
      const at = result.findIndex((existing) => existing.name === item.name);
      if (at === -1) result.push(structuredClone(item));
      else result[at] = strategicMergePatch(result[at], item) as Record<string, Json>;
    }
    return result;
  }
  if (!isObject(patch)) return structuredClone(patch);
  if ("$patch" in patch) throw new PatchError("$patch directives are not supported by the fake API server");
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = strategicMergePatch(result[key], value);
  }
  return result;
}

/** A patch the fake cannot apply: answered with 422, as the API server does. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}

interface Operation {
  op: string;
  path: string;
  value?: Json;
}

/** RFC 6902 with the operations kubectl sends (add, replace, remove, test). */
export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError("a JSON patch is a list of operations");
  let document = structuredClone(target);
  for (const operation of operations as Operation[]) {
    const tokens = pointer(operation.path);
    if (tokens.length === 0) {
      if (operation.op === "test") assertEqual(document, operation.value, operation.path);
      else if (operation.op === "add" || operation.op === "replace")
        document = structuredClone(operation.value);
      else throw new PatchError(`cannot ${operation.op} the whole document`);
      continue;
    }
    const parentPath = tokens.slice(0, -1);
    const last = tokens[tokens.length - 1] as string;
    const parent = resolve(document, parentPath, operation.path);
    switch (operation.op) {
      case "test":
        assertEqual(getChild(parent, last, operation.path), operation.value, operation.path);
        break;
      case "remove":
        getChild(parent, last, operation.path);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete (parent as Record<string, Json>)[last];
        break;
      case "replace":
        getChild(parent, last, operation.path);
        setChild(parent, last, structuredClone(operation.value), false);
        break;
      case "add":
        setChild(parent, last, structuredClone(operation.value), true);
        break;
      default:
        throw new PatchError(
          `the fake API server does not support the JSON patch operation '${operation.op}'`,
        );
    }
  }
  return document;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`'${path}' is not a JSON pointer`);
  return path
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolve(document: Json, tokens: string[], path: string): Json {
  let node = document;
  for (const token of tokens) node = getChild(node, token, path);
  return node;
}

function getChild(node: Json, token: string, path: string): Json {
  if (Array.isArray(node)) {
    const index = Number(token);
    if (!Number.isInteger(index) || index < 0 || index >= node.length) {
      throw new PatchError(`${path}: no element ${token}`);
    }
    return node[index];
  }
  if (isObject(node) && token in node) return node[token];
  throw new PatchError(`${path}: no such member '${token}'`);
}

function setChild(parent: Json, token: string, value: Json, insert: boolean): void {
  if (Array.isArray(parent)) {
    const index = token === "-" ? parent.length : Number(token);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new PatchError(`no element ${token}`);
    }
    if (insert) parent.splice(index, 0, value);
    else parent[index] = value;
    return;
  }
  if (!isObject(parent)) throw new PatchError(`cannot set '${token}' on a value that is not an object`);
  parent[token] = value;
}

function assertEqual(actual: Json, expected: Json, path: string): void {
  if (stringify(actual) !== stringify(expected)) throw new PatchError(`test failed at ${path}`);
}
