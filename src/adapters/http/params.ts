import { z } from "zod";

/** The params shared by `http.request` and the http health checks. */

export const Method = z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"], {
  error: "expected a method: GET, POST, PUT, PATCH or DELETE",
});

/** Header values may be `env:NAME`, read from the environment: a token never sits in a blueprint. */
export const Headers = z.record(z.string(), z.string());

export const Status = z.int().min(100).max(599);

/** One status, or a list of them; a step's default is any 2xx. */
export const ExpectStatus = z.union([Status, z.array(Status).min(1)]);

/** A JSON object the response must contain (a subset match). */
export const ExpectJson = z.record(z.string(), z.unknown());

/** Whether a status is expected: the one given, one of the list, or any 2xx without one. */
export function statusExpected(status: number, expected: number | number[] | undefined): boolean {
  if (expected === undefined) return status >= 200 && status < 300;
  return Array.isArray(expected) ? expected.includes(status) : status === expected;
}

/** How the expected status prints in a message. */
export function showExpected(expected: number | number[] | undefined): string {
  if (expected === undefined) return "2xx";
  return Array.isArray(expected) ? expected.join(" or ") : String(expected);
}
