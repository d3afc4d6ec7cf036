import type { MirrorSpec, Weights } from "../route.js";

/** What the nginx site file of one traffic component says. */
export interface SiteSpec {
  /** The component's id: names the upstream blocks and the log format, so sites do not clash. */
  name: string;
  /** `127.0.0.1:8080`, or a port alone. */
  listen: string;
  upstreams: Record<string, string>;
  weights: Weights;
  mirror: MirrorSpec | null;
  generation: number;
  accessLog: string;
  mirrorLog: string;
}

/** `http://127.0.0.1:9001/` → `127.0.0.1:9001` (nginx `server` takes host:port). */
export function hostPort(url: string): string {
  const u = new URL(url);
  if (u.protocol !== "http:")
    throw new Error(`nginx upstream ${url}: only http:// upstreams are written by this adapter`);
  // nginx resolves `localhost` to every address it has (::1 too); the adapter means IPv4 loopback.
  const host = u.hostname === "localhost" ? "127.0.0.1" : u.hostname;
  return `${host}:${u.port || "80"}`;
}

/** Characters nginx would read as syntax never reach the file: ids and paths are checked. */
function safe(value: string, what: string): string {
  if (!/^[A-Za-z0-9_./:@-]+$/.test(value))
    throw new Error(`nginx ${what} '${value}' has characters this adapter does not write into a config`);
  return value;
}

/**
 * Renders the site file: a weighted upstream (weight 0 written as `down`, nginx's own way of
 * keeping a server out of rotation without forgetting it), a server that proxies to it with
 * keep-alive upstream connections and retries a refused connection on the next server, an access
 * log in a format the adapter reads back for its statistics, a `/__ma/generation` location that
 * tells which config a worker serves, and, for shadow traffic, `mirror` to a second upstream
 * block whose subrequests are logged for comparison. Pure.
 */
export function renderSite(spec: SiteSpec): string {
  const id = safe(spec.name.replace(/-/g, "_"), "component id");
  const lines: string[] = [
    `# Written by migration-architect for traffic component '${spec.name}', generation ${spec.generation}.`,
    "# Edits here are overwritten by the next change; the previous file is kept beside it (.prev).",
    `log_format ma_${id} '$msec|$request_id|$status|$upstream_addr|$upstream_status|$upstream_response_time|$request_time';`,
    "",
    `upstream ma_${id} {`,
  ];
  for (const [name, url] of Object.entries(spec.upstreams)) {
    const weight = spec.weights[name] ?? 0;
    const server = safe(hostPort(url), "upstream address");
    lines.push(
      weight > 0
        ? `    server ${server} weight=${weight} max_fails=0; # ${safe(name, "upstream name")}`
        : `    server ${server} down; # ${safe(name, "upstream name")}`,
    );
  }
  // Idle upstream connections are closed by nginx before the service's own keep-alive timeout
  // (Node's is 5 s) can close one under a request being sent on it.
  lines.push("    keepalive 32;", "    keepalive_timeout 4s;", "}");
  const mirrorUrl = spec.mirror ? spec.upstreams[spec.mirror.to] : undefined;
  if (spec.mirror && mirrorUrl) {
    lines.push(
      "",
      `upstream ma_${id}_mirror {`,
      `    server ${safe(hostPort(mirrorUrl), "upstream address")} max_fails=0; # ${safe(spec.mirror.to, "upstream name")}`,
      "    keepalive 8;",
      "    keepalive_timeout 4s;",
      "}",
    );
    if (spec.mirror.percent < 100) {
      lines.push(
        "",
        `split_clients "$request_id" $ma_${id}_mirrored {`,
        `    ${spec.mirror.percent}% 1;`,
        "    * 0;",
        "}",
      );
    }
  }
  lines.push(
    "",
    "server {",
    `    listen ${safe(spec.listen, "listen address")};`,
    `    access_log ${safe(spec.accessLog, "access log path")} ma_${id};`,
    "",
    "    location = /__ma/generation {",
    "        access_log off;",
    "        default_type text/plain;",
    `        return 200 "${spec.generation}\\n";`,
    "    }",
    "",
    "    location / {",
    `        proxy_pass http://ma_${id};`,
    "        proxy_http_version 1.1;",
    '        proxy_set_header Connection "";',
    "        proxy_set_header Host $host;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_next_upstream error timeout;",
    "        add_header X-MA-Upstream $upstream_addr always;",
  );
  if (spec.mirror && mirrorUrl) lines.push("        mirror /__ma/mirror;", "        mirror_request_body on;");
  lines.push("    }");
  if (spec.mirror && mirrorUrl) {
    lines.push(
      "",
      "    location = /__ma/mirror {",
      "        internal;",
      "        log_subrequest on;",
      `        access_log ${safe(spec.mirrorLog, "mirror log path")} ma_${id};`,
      ...(spec.mirror.percent < 100 ? [`        if ($ma_${id}_mirrored = 0) { return 204; }`] : []),
      `        proxy_pass http://ma_${id}_mirror$request_uri;`,
      "        proxy_http_version 1.1;",
      '        proxy_set_header Connection "";',
      "        proxy_set_header Host $host;",
      "    }",
    );
  }
  lines.push("}", "");
  return lines.join("\n");
}
