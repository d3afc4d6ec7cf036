/**
 * What an action applied successfully in this process, per connection and params: all that
 * `verify` can know of an effect the system itself cannot confirm (a command, a request, an
 * analysis). A new process knows nothing, so a step found running after a crash runs again.
 */
export function doneHere<C extends object>() {
  const done = new WeakMap<C, Set<string>>();
  const key = (params: unknown) => JSON.stringify(params);
  return {
    mark(connection: C, params: unknown): void {
      const set = done.get(connection) ?? new Set<string>();
      done.set(connection, set);
      set.add(key(params));
    },
    has(connection: C, params: unknown): boolean {
      return done.get(connection)?.has(key(params)) ?? false;
    },
  };
}
