import { afterAll, beforeAll, describe } from "vitest";
import { pgliteBackend } from "./backends.contract.js";
import { discoverContract } from "./discover.contract.js";
import { fullSeedContract } from "./full-seed.contract.js";
import { healthContract } from "./health.contract.js";
import { injectionContract } from "./injection.contract.js";
import { lifecycleContract } from "./lifecycle.contract.js";
import { lockContract } from "./lock.contract.js";
import { refusalsContract } from "./refusals.contract.js";
import { snapshotContract } from "./snapshot.contract.js";

describe("postgres adapter on PGlite", () => {
  const backend = pgliteBackend();
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  lifecycleContract(backend);
  refusalsContract(backend);
  snapshotContract(backend);
  healthContract(backend);
  lockContract(backend);
  fullSeedContract(backend);
  discoverContract(backend);
  injectionContract(backend);
});
