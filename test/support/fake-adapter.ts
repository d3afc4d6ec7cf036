import { z } from "zod";
import type { ActionDef, Adapter, HealthCheckResult } from "../../src/adapters/types.js";

/**
 * A fake adapter over an in-memory key/value "system", for executor tests (STYLE.md 16). Each
 * component's connection names its system: `fake:NAME`. Nothing here is used outside tests.
 */
export class FakeSystems {
  systems = new Map<string, Map<string, string>>();
  locks = new Map<string, string>();
  /** Calls to apply, in order: `action key`. */
  calls: string[] = [];

  system(name: string): Map<string, string> {
    let s = this.systems.get(name);
    if (!s) {
      s = new Map();
      this.systems.set(name, s);
    }
    return s;
  }

  adapter(): Adapter<Map<string, string>> {
    const risk = () => ({
      complexity: 0.2,
      blast_radius: 0.2,
      reversibility_difficulty: 0.2,
      data_sensitivity: 0.2,
    });
    const put = {
      name: "fake.put",
      params: z.object({ key: z.string(), value: z.string(), risky: z.boolean().optional() }),
      risk: (p: unknown) =>
        (p as { risky?: boolean }).risky
          ? { complexity: 1, blast_radius: 1, reversibility_difficulty: 1, data_sensitivity: 1 }
          : risk(),
      hasInverse: () => true,
      describe: (p: { key: string; value: string }) => `put ${p.key}=${p.value}`,
      inverse: (p: { key: string }) => ({ action: "fake.delete", params: { key: p.key } }),
      apply: async (s: Map<string, string>, p: { key: string; value: string }) => {
        this.calls.push(`put ${p.key}`);
        s.set(p.key, p.value);
        return { figures: { size: s.size } };
      },
      verify: async (s: Map<string, string>, p: { key: string; value: string }) => s.get(p.key) === p.value,
    } satisfies ActionDef<{ key: string; value: string; risky?: boolean }, Map<string, string>>;
    const del = {
      name: "fake.delete",
      params: z.object({ key: z.string() }),
      risk,
      hasInverse: () => false,
      describe: (p: { key: string }) => `delete ${p.key}`,
      inverse: () => ({ manual: "restore the key by hand" }),
      apply: async (s: Map<string, string>, p: { key: string }) => {
        this.calls.push(`delete ${p.key}`);
        s.delete(p.key);
        return {};
      },
      verify: async (s: Map<string, string>, p: { key: string }) => !s.has(p.key),
    } satisfies ActionDef<{ key: string }, Map<string, string>>;
    const fail = {
      name: "fake.fail",
      params: z.object({ message: z.string().optional() }),
      risk,
      hasInverse: () => true,
      describe: () => "fail",
      inverse: () => ({ action: "fake.delete", params: { key: "never-set" } }),
      apply: async (_s: Map<string, string>, p: { message?: string }) => {
        this.calls.push("fail");
        throw new Error(p.message ?? "the fake step failed");
      },
      verify: async () => false,
    } satisfies ActionDef<{ message?: string }, Map<string, string>>;

    return {
      kind: "fake",
      actions: [put, del, fail] as unknown as Adapter<Map<string, string>>["actions"],
      connect: async (component) => ({
        connection: this.system(String(component.connection ?? component.id)),
        describe: String(component.connection),
        close: async () => undefined,
      }),
      discover: async (s) => Object.fromEntries(s),
      healthCheck: async (s, check): Promise<HealthCheckResult> => {
        const params = (check.params ?? {}) as { key?: string; equals?: string; fail?: boolean };
        const ok = params.fail ? false : params.key ? s.get(params.key) === params.equals : true;
        return {
          check_id: check.id,
          type: check.type,
          stage: check.stage,
          component: check.component,
          status: ok ? "pass" : "fail",
          figures: { keys: s.size },
          message: ok ? "ok" : `expected ${params.key}=${params.equals}`,
          duration_ms: 0,
        };
      },
      snapshot: async (s, id) => ({
        component: id,
        fingerprint: [...s.keys()].sort().join(","),
        checksums: { kv: JSON.stringify([...s.entries()].sort()) },
        taken_at: new Date().toISOString(),
      }),
      lock: async (s, holder) => {
        const name = [...this.systems.entries()].find(([, v]) => v === s)?.[0] ?? "?";
        const held = this.locks.get(name);
        if (held) throw new Error(`component is held by ${held}`);
        this.locks.set(name, holder);
        return async () => {
          this.locks.delete(name);
        };
      },
    };
  }
}
