import { z } from "zod";
import { parseDuration } from "../../core/blueprint/duration.js";
import type { HealthCheck } from "../../core/blueprint/schema.js";
import { redactText } from "../redact.js";
import type { HealthCheckResult } from "../types.js";
import type { ShellConnection } from "./connection.js";
import { figuresOf, runIn } from "./exec.js";
import { describeEnd, showArgv } from "./run-command.js";

const Params = z.strictObject({
  argv: z.array(z.string()).min(1),
  expect_exit: z.int().min(0).max(255).optional(),
  /** Text the standard output must contain. */
  expect_stdout: z.string().optional(),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

/**
 * Connectivity and functional checks run a command (`{ argv, expect_exit? (0), expect_stdout? }`)
 * within the check's timeout (30s unless given). Other types have no meaning for a bare command
 * and fail, saying so. A failure is a result, never an exception.
 */
export async function healthCheckShell(
  connection: ShellConnection,
  check: HealthCheck,
): Promise<HealthCheckResult> {
  const started = performance.now();
  const result = (status: "pass" | "fail", message: string, figures: HealthCheckResult["figures"] = {}) => ({
    check_id: check.id,
    type: check.type,
    stage: check.stage,
    component: check.component,
    status,
    figures,
    message: redactText(message),
    duration_ms: Math.round(performance.now() - started),
  });
  if (check.type !== "connectivity" && check.type !== "functional") {
    return result(
      "fail",
      `the shell adapter runs connectivity and functional checks (a command), not ${check.type}`,
    );
  }
  const parsed = Params.safeParse(check.params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return result("fail", `params${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message}`);
  }
  const p = parsed.data;
  const timeoutMs = (check.timeout ? parseDuration(check.timeout) : undefined) ?? 30_000;
  try {
    const ran = await runIn(connection, p, p.argv, timeoutMs);
    const figures = figuresOf(ran);
    const expected = p.expect_exit ?? 0;
    if (ran.exitCode !== expected || ran.timedOut) {
      return result(
        "fail",
        `${showArgv(p.argv)} ${describeEnd(ran, timeoutMs)} (expected exit ${expected})`,
        figures,
      );
    }
    if (p.expect_stdout !== undefined && !ran.stdoutTail.includes(p.expect_stdout)) {
      return result(
        "fail",
        `${showArgv(p.argv)}: the output does not contain ${JSON.stringify(p.expect_stdout)}`,
        figures,
      );
    }
    return result("pass", `${showArgv(p.argv)} exited with ${expected}`, figures);
  } catch (error) {
    return result("fail", `${showArgv(p.argv)}: ${(error as Error).message}`);
  }
}
