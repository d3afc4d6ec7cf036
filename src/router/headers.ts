import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Headers that describe one connection, not the message: a proxy never passes them on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** The headers without the hop-by-hop ones, including those the Connection header names. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/**
 * The headers sent upstream: the client's end-to-end headers, the client's address appended to
 * x-forwarded-for, and the host and scheme it asked for (the Host header itself is set to the
 * upstream's when sending, as nginx's `proxy_set_header Host $proxy_host` does by default).
 */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  clientAddress: string | undefined,
): OutgoingHttpHeaders {
  const forwarded = endToEnd(headers);
  const prior = headers["x-forwarded-for"];
  const chain = [...(Array.isArray(prior) ? prior : prior ? [prior] : []), clientAddress ?? "unknown"];
  forwarded["x-forwarded-for"] = chain.join(", ");
  forwarded["x-forwarded-proto"] = "http";
  if (headers.host !== undefined) forwarded["x-forwarded-host"] = headers.host;
  delete forwarded.host;
  return forwarded;
}
