/**
 * Requests that must not be carried out as asked: they destroy data with no way back, or switch
 * off the checks that make a migration safe. The offline planner refuses them with the reason;
 * the core would gate any plan for them anyway.
 */
const UNSAFE: [RegExp, string][] = [
  [/\btruncat\w*/, "TRUNCATE destroys every row at once, with no backup and no rollback"],
  [
    /\b(?:delete|remove|erase|clear)\s+(?:out\s+)?(?:everything|(?:all|every)(?:\s+of)?(?:\s+the)?\s+(?:rows?|data|records?|entries))\b/,
    "deleting every row destroys the data with no rollback",
  ],
  [/\b(?:wipe|wiping|purge|purging)\b/, "wiping a table destroys the data with no rollback"],
  [/\bdelete\s+from\b/, "DELETE FROM removes rows with no backup; deleting data is not a schema migration"],
  [
    /\b(?:skip|skipping|disable|disabling|without|no|ignore|ignoring|bypass)\b(?:\s+\w+){0,3}\s+(?:health\s+)?checks?\b/,
    "health checks are what stop a migration before it breaks something; they are never skipped",
  ],
  [
    /\bwithout (?:a |any )?(?:backups?|rollbacks?)\b|\bno (?:backups?|rollbacks?)\b/,
    "every step keeps a way back; a plan without one is not made",
  ],
  [/\bdrop\b[^.]*\bcascade\b/, "DROP … CASCADE takes every dependent object with it, unseen"],
  [
    /\b(?:disable|disabling|drop|dropping)\s+(?:all\s+)?(?:the\s+)?(?:triggers|constraints)\b/,
    "switching off triggers or constraints lets bad data in",
  ],
];

/** Why a request is unsafe as asked, or undefined. */
export function unsafeReason(text: string): string | undefined {
  for (const [pattern, why] of UNSAFE) {
    const m = pattern.exec(text);
    if (m)
      return `"${m[0]}": ${why}. Ask for the change itself (e.g. "drop the table payments") and the plan will archive, back up and gate it for approval`;
  }
  return undefined;
}
