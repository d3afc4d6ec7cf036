import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runNginx } from "./nginx-command.js";

/** A private nginx master, started for tests, the eval runner and the benchmark. */
export interface NginxProcess {
  /** The main config, which includes every `*.conf` of `sites`. */
  conf: string;
  /** The folder of site files (`site(name)` is where a traffic component's site goes). */
  sites: string;
  site(name: string): string;
  /** Starts the master (the sites must be written first: `nginxRouter(...).install()`). */
  start(): Promise<void>;
  /** `nginx -s quit`: a graceful stop. */
  stop(): Promise<void>;
}

/** Where Debian's package puts nginx; `MA_NGINX` overrides. */
export function nginxBinary(): string {
  return process.env.MA_NGINX ?? "/usr/sbin/nginx";
}

/** Whether an nginx binary can run here (tests that need one say they were skipped when not). */
export async function nginxAvailable(): Promise<boolean> {
  return runNginx([nginxBinary()], ["-v"], "-v", { cwd: "/" }).then(
    () => true,
    () => false,
  );
}

/**
 * Lays out a private nginx under `dir` — its own main config, pid file, error log and temp
 * folders, one worker, listening only where the sites say — so that it runs beside any system
 * nginx and without root's files. The production nginx is the operator's; this one is for
 * running the real thing in tests.
 */
export async function privateNginx(dir: string): Promise<NginxProcess> {
  const sites = join(dir, "sites");
  await mkdir(sites, { recursive: true });
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
    await mkdir(join(dir, "temp", sub), { recursive: true });
  const conf = join(dir, "nginx.conf");
  const run = process.getuid?.() === 0 ? "user root;\n" : "";
  await writeFile(
    conf,
    `# A private nginx for migration-architect's tests.
${run}worker_processes 1;
daemon on;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 4096; }
http {
    client_body_temp_path ${join(dir, "temp", "client_body")};
    proxy_temp_path ${join(dir, "temp", "proxy")};
    fastcgi_temp_path ${join(dir, "temp", "fastcgi")};
    uwsgi_temp_path ${join(dir, "temp", "uwsgi")};
    scgi_temp_path ${join(dir, "temp", "scgi")};
    access_log off;
    keepalive_timeout 65;
    include ${sites}/*.conf;
}
`,
  );
  const nginx = (args: string[], what: string) =>
    runNginx([nginxBinary()], args, what, {
      cwd: dir,
      detail: async () => (await readFile(join(dir, "error.log"), "utf8")).slice(-1000),
    });
  return {
    conf,
    sites,
    site: (name) => join(sites, `${name}.conf`),
    start: () => nginx(["-c", conf, "-p", dir], "start"),
    stop: async () => {
      await nginx(["-c", conf, "-p", dir, "-s", "quit"], "stop").catch(() => undefined);
      // The master exits once its workers have finished their requests.
      const pidFile = join(dir, "nginx.pid");
      for (let i = 0; i < 200; i++) {
        const pid = Number(await readFile(pidFile, "utf8").catch(() => ""));
        if (!pid || !alive(pid)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
