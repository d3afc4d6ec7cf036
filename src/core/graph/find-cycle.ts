/**
 * Finds one cycle in a directed graph given as adjacency lists, and returns its nodes in order
 * (the first node is not repeated at the end), or undefined when the graph is acyclic.
 *
 * Hand-written because graphology-dag's `hasCycle` says only whether there is a cycle, and the
 * user needs to see which steps form it. Iterative, so a 10,000-step cycle cannot overflow the
 * call stack.
 *
 * @example findCycle([[1], [2], [0]]) // [0, 1, 2]
 */
export function findCycle(adjacency: ReadonlyArray<ReadonlyArray<number>>): number[] | undefined {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const n = adjacency.length;
  const color = new Uint8Array(n);
  const parent = new Int32Array(n).fill(-1);
  const nextChild = new Int32Array(n);
  for (let root = 0; root < n; root++) {
    if (color[root] !== WHITE) continue;
    const stack: number[] = [root];
    color[root] = GREY;
    while (stack.length > 0) {
      const node = stack[stack.length - 1] as number;
      const children = adjacency[node] as ReadonlyArray<number>;
      const i = nextChild[node] as number;
      if (i >= children.length) {
        color[node] = BLACK;
        stack.pop();
        continue;
      }
      nextChild[node] = i + 1;
      const child = children[i] as number;
      if (color[child] === GREY) {
        // Walk back up the DFS tree from `node` to `child`: that path plus this edge is the cycle.
        const cycle: number[] = [];
        for (let at = node; at !== child; at = parent[at] as number) cycle.push(at);
        cycle.push(child);
        return cycle.reverse();
      }
      if (color[child] === WHITE) {
        color[child] = GREY;
        parent[child] = node;
        stack.push(child);
      }
    }
  }
  return undefined;
}

/** `a → b → c → a` */
export function formatCycle(names: readonly string[]): string {
  return [...names, names[0]].join(" → ");
}
