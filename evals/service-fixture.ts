import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "../src/adapters/traffic/nginx/free-port.js";
import { nginxBinary, privateNginx } from "../src/adapters/traffic/nginx/nginx-process.js";
import { nginxRouter } from "../src/adapters/traffic/nginx/nginx-router.js";
import type { Component } from "../src/core/blueprint/schema.js";
import { startEmbeddedRouter } from "../src/router/index.js";
import { type SampleService, startSampleService } from "../src/sample-service/index.js";
import type { CaseComponent } from "./case.js";

/** A case's service, running: its versions, and the router in front of them. */
export interface CaseService {
  id: string;
  /** Where the case's HTTP traffic goes: the router. */
  publicUrl: string;
  versions: Map<string, SampleService>;
  close(): Promise<void>;
}

/**
 * Builds a `kind: service` component of a case (FORMAT.md, "Service components"): the project's
 * sample service started once per version on loopback ports, with the version's simulated faults,
 * behind the embedded router (the default) or a private nginx, the live version taking all the
 * traffic. The blueprint sees a `traffic` component with the case's id.
 */
export async function buildService(
  spec: CaseComponent,
  dir: string,
): Promise<{ component: Component; service: CaseService }> {
  const versions = spec.versions ?? [];
  if (versions.length === 0)
    throw new Error(`service component '${spec.id}' has no versions: give at least one, live: true`);
  const started = new Map<string, SampleService>();
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    for (const v of versions) {
      const service = await startSampleService({
        name: v.name,
        ...(v.error_rate !== undefined ? { error_rate: v.error_rate } : {}),
        ...(v.latency_ms !== undefined ? { latency_ms: v.latency_ms } : {}),
      });
      started.set(v.name, service);
      closers.push(() => service.close());
    }
    const live = versions.find((v) => v.live) ?? versions[0];
    const upstreams = Object.fromEntries([...started].map(([name, s]) => [name, s.url]));
    const weights = Object.fromEntries(versions.map((v) => [v.name, v === live ? 100 : 0]));
    let component: Component;
    let publicUrl: string;
    if ((spec.router ?? "embedded") === "nginx") {
      const nginxDir = join(dir, `nginx-${spec.id}`);
      await mkdir(nginxDir, { recursive: true });
      const nginx = await privateNginx(nginxDir);
      const listen = `127.0.0.1:${await freePort()}`;
      const command = [nginxBinary()];
      await nginxRouter({
        name: spec.id,
        conf: nginx.conf,
        site: nginx.site(spec.id),
        command,
        listen,
        publicUrl: `http://${listen}`,
        upstreams,
        initialWeights: weights,
      }).install();
      await nginx.start();
      closers.push(() => nginx.stop());
      publicUrl = `http://${listen}`;
      component = {
        id: spec.id,
        kind: "traffic",
        options: {
          router: "nginx",
          conf: nginx.conf,
          site: nginx.site(spec.id),
          listen,
          upstreams,
          weights,
          command,
        },
      };
    } else {
      const router = await startEmbeddedRouter({ upstreams, weights });
      closers.push(() => router.close());
      publicUrl = router.url;
      component = {
        id: spec.id,
        kind: "traffic",
        connection: router.adminUrl,
        options: { public_url: router.url },
      };
    }
    return { component, service: { id: spec.id, publicUrl, versions: started, close } };
  } catch (error) {
    await close();
    throw error;
  }
}
