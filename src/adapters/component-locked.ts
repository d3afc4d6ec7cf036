/** Another run holds the component (an advisory lock, a lock file, an in-process lock). */
export class ComponentLockedError extends Error {
  constructor(
    readonly target: string,
    readonly holder: string,
  ) {
    super(`${target} is locked by ${holder}`);
    this.name = "ComponentLockedError";
  }
}
