/**
 * Removes secrets from text and from values bound for logs, events and reports: the password of a
 * URL (`postgres://user:secret@host` → `postgres://user:***@host`), `password=…` pairs, and bearer
 * tokens and API keys.
 */
export function redactText(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*):([^@\s/]+)@/gi, "$1:***@")
    .replace(
      /\b(password|passwd|pwd|secret|token|api[_-]?key)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi,
      (_m, key: string, sep: string, value: string) => {
        const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : "";
        return `${key}${sep}${quote}***${quote}`;
      },
    )
    .replace(/\b(Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/g, "$1 ***")
    .replace(/\bsk-ant-[A-Za-z0-9_-]{10,}/g, "sk-ant-***");
}

/** Redacts every string inside a JSON-like value. */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}
