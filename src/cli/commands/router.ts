import type { Command } from "commander";
import { isLoopback, parseListen } from "../../router/listen-address.js";
import { startEmbeddedRouter } from "../../router/router.js";
import type { Weights } from "../../router/types.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

interface RouterOptions {
  upstream?: string[];
  weights?: string;
  listen: string;
  admin: string;
  upstreamTimeout?: string;
}

const repeat = (value: string, previous: string[] = []) => [...previous, value];

export function registerRouter(program: Command, context: CliContext): void {
  program
    .command("router")
    .description(
      "run the embedded weighted router: a reverse proxy with an admin API for weights, mirror and stats",
    )
    .option(
      "--upstream <name=url>",
      "an upstream version: NAME=http://HOST:PORT (repeat; at least one)",
      repeat,
    )
    .option("--weights <list>", "NAME=WEIGHT,… integers ≥ 0 (default: the first upstream 100, the others 0)")
    .option("--listen <host:port>", "where the traffic is served (port 0 picks a free one)", "127.0.0.1:0")
    .option("--admin <host:port>", "where the admin API is served (port 0 picks a free one)", "127.0.0.1:0")
    .option("--upstream-timeout <ms>", "how long an upstream may stay silent before 504 (default 30000)")
    .addHelpText(
      "after",
      `
The admin API (JSON): GET /state, PUT /state { weights?, mirror?, expect_generation? },
GET /stats?since=<epoch ms>[&until=<epoch ms>], GET /healthz. With MA_ROUTER_TOKEN set, admin
requests need Authorization: Bearer <token>; an admin address other than loopback needs it.
Runs until SIGINT or SIGTERM, then lets requests in flight finish (up to 10 s).

Example:
  migration-architect router --upstream v1=http://127.0.0.1:9001 --upstream v2=http://127.0.0.1:9002 \\
    --weights v1=90,v2=10 --listen 127.0.0.1:8080 --admin 127.0.0.1:8081`,
    )
    .action(async (options: RouterOptions) => {
      const upstreams = parseUpstreams(options.upstream ?? []);
      const weights =
        options.weights === undefined ? firstTakesAll(upstreams) : parseWeights(options.weights);
      const listen = address(options.listen, "--listen");
      const admin = address(options.admin, "--admin");
      const token = context.env.MA_ROUTER_TOKEN?.trim() || undefined;
      if (!isLoopback(admin.host) && token === undefined)
        throw new UsageError(
          `--admin ${options.admin} can be reached from other machines, and anyone reaching it could move your traffic: set MA_ROUTER_TOKEN, or use --admin 127.0.0.1:PORT`,
        );
      const timeout = options.upstreamTimeout === undefined ? undefined : Number(options.upstreamTimeout);
      if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0))
        throw new UsageError(
          `--upstream-timeout must be a number of milliseconds above 0, not '${options.upstreamTimeout}'`,
        );

      let router: Awaited<ReturnType<typeof startEmbeddedRouter>>;
      try {
        router = await startEmbeddedRouter({
          upstreams,
          weights,
          listen,
          admin,
          admin_token: token,
          upstream_timeout_ms: timeout,
        });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      context.out(`router at ${router.url}`);
      context.out(`admin at ${router.adminUrl}`);
      const split = Object.entries(router.state().weights)
        .map(([name, weight]) => `${name}=${weight}`)
        .join(", ");
      context.err(
        `[router] weights ${split}; admin ${token ? "needs the bearer token from MA_ROUTER_TOKEN" : "has no token"}`,
      );
      const signal = await new Promise<string>((resolve) => {
        process.once("SIGINT", () => resolve("SIGINT"));
        process.once("SIGTERM", () => resolve("SIGTERM"));
      });
      context.err(`[router] ${signal}: letting requests in flight finish, then stopping`);
      await router.close();
      context.exit(EXIT.ok);
    });
}

function parseUpstreams(specs: string[]): Record<string, string> {
  if (specs.length === 0)
    throw new UsageError(
      "give at least one --upstream NAME=URL, for example --upstream v1=http://127.0.0.1:9001",
    );
  const upstreams: Record<string, string> = {};
  for (const spec of specs) {
    const match = /^([^=]+)=(.+)$/.exec(spec);
    if (match?.[1] === undefined || match[2] === undefined)
      throw new UsageError(`--upstream ${spec} is not NAME=URL (for example v1=http://127.0.0.1:9001)`);
    if (match[1] in upstreams) throw new UsageError(`--upstream ${match[1]} is given twice`);
    upstreams[match[1]] = match[2];
  }
  return upstreams;
}

function parseWeights(list: string): Weights {
  const weights: Weights = {};
  for (const pair of list.split(",")) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(pair);
    if (match?.[1] === undefined)
      throw new UsageError(`--weights ${list}: '${pair}' is not NAME=WEIGHT with an integer weight ≥ 0`);
    weights[match[1]] = Number(match[2]);
  }
  return weights;
}

function firstTakesAll(upstreams: Record<string, string>): Weights {
  return Object.fromEntries(Object.keys(upstreams).map((name, i) => [name, i === 0 ? 100 : 0]));
}

function address(text: string, flag: string): { host: string; port: number } {
  const parsed = parseListen(text);
  if (parsed === null) throw new UsageError(`${flag} ${text} is not HOST:PORT (for example 127.0.0.1:8080)`);
  return parsed;
}
