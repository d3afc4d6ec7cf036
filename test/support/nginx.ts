import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../src/adapters/traffic/nginx/free-port.js";
import {
  type NginxProcess,
  nginxAvailable,
  privateNginx,
} from "../../src/adapters/traffic/nginx/nginx-process.js";
import { nginxRouter } from "../../src/adapters/traffic/nginx/nginx-router.js";
import type { Weights } from "../../src/adapters/traffic/route.js";

/** Whether nginx runs here; when not, the suites that need it say so and are skipped. */
export const hasNginx = await nginxAvailable();
if (!hasNginx)
  console.log("nginx suites skipped: no nginx binary (apt-get install nginx-light; .ci/run does)");

/** A private nginx with one site for `name`, in front of `upstreams`, listening on a free port. */
export async function nginxInFront(
  name: string,
  upstreams: Record<string, string>,
  weights: Weights,
): Promise<{
  nginx: NginxProcess;
  router: ReturnType<typeof nginxRouter>;
  options: Record<string, unknown>;
  publicUrl: string;
  stop(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "ma-nginx-"));
  const nginx = await privateNginx(dir);
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const options = {
    router: "nginx",
    conf: nginx.conf,
    site: nginx.site(name),
    listen,
    upstreams,
    weights,
    command: [process.env.MA_NGINX ?? "/usr/sbin/nginx"],
  };
  const router = nginxRouter({
    name,
    conf: nginx.conf,
    site: nginx.site(name),
    command: options.command,
    listen,
    publicUrl: `http://${listen}`,
    upstreams,
    initialWeights: weights,
  });
  await router.install();
  await nginx.start();
  return {
    nginx,
    router,
    options,
    publicUrl: `http://${listen}`,
    stop: async () => {
      await nginx.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
