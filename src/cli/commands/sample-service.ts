import type { Command } from "commander";
import { startSampleService } from "../../sample-service/sample-service.js";
import type { CliContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";

interface SampleServiceCliOptions {
  name: string;
  host: string;
  port: string;
  errorRate: string;
  latencyMs: string;
}

/**
 * `sample-service`: runs the built-in sample HTTP service in the foreground, so that a person can
 * try the http adapter, traffic switching or a demo against two local versions of a service.
 */
export function registerSampleService(program: Command, context: CliContext): void {
  program
    .command("sample-service")
    .description("run the built-in sample HTTP service (one version of it) until interrupted")
    .requiredOption("--name <version>", "the version it reports, e.g. v2 (in bodies and x-served-by)")
    .option("--host <address>", "the address to listen on", "127.0.0.1")
    .option("--port <n>", "the port (0 picks a free one)", "0")
    .option("--error-rate <share>", "the share of order requests answered with a 500, 0..1", "0")
    .option("--latency-ms <ms>", "a delay added to every order request", "0")
    .addHelpText(
      "after",
      `
Endpoints: GET /healthz, GET /version (never faulty), GET /orders/:id (faulty),
GET /admin/flags, PUT /admin/flags/:name {"value": …}, DELETE /admin/flags/:name.
It stops on Ctrl-C (SIGINT) or SIGTERM, letting requests in flight finish.

Example, two versions side by side:
  migration-architect sample-service --name v1 --port 9001 &
  migration-architect sample-service --name v2 --port 9002 --error-rate 0.1 --latency-ms 5`,
    )
    .action(async (options: SampleServiceCliOptions) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65535) {
        throw new UsageError(`--port ${options.port} is not a port (0–65535)`);
      }
      const errorRate = Number(options.errorRate);
      if (options.errorRate.trim() === "" || !(errorRate >= 0 && errorRate <= 1)) {
        throw new UsageError(`--error-rate ${options.errorRate} is not a share between 0 and 1`);
      }
      const latencyMs = Number(options.latencyMs);
      if (options.latencyMs.trim() === "" || !(latencyMs >= 0 && Number.isFinite(latencyMs))) {
        throw new UsageError(`--latency-ms ${options.latencyMs} is not a number of milliseconds ≥ 0`);
      }
      let service: Awaited<ReturnType<typeof startSampleService>>;
      try {
        service = await startSampleService({
          name: options.name,
          host: options.host,
          port,
          error_rate: errorRate,
          latency_ms: latencyMs,
        });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      context.out(`sample service ${service.name} at ${service.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await service.close();
      context.exit(EXIT.ok);
    });
}
