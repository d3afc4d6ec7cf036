import { isIP } from "node:net";

/** Whether only this machine can reach an address: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || (isIP(bare) === 4 && bare.startsWith("127."));
}

/** The URL of a server listening on host:port (IPv6 in brackets). */
export function listenUrl(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return `http://${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}`;
}

/**
 * Reads `HOST:PORT`, `[IPV6]:PORT` or a bare `PORT` (on 127.0.0.1); null when it is neither.
 *
 * @example parseListen("127.0.0.1:8080") // { host: "127.0.0.1", port: 8080 }
 */
export function parseListen(text: string): { host: string; port: number } | null {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text.trim());
  if (match === null) return null;
  const port = Number(match[2]);
  if (port > 65535) return null;
  return { host: (match[1] ?? "127.0.0.1").replace(/^\[|\]$/g, ""), port };
}
