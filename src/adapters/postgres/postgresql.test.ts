import { afterAll, beforeAll, describe } from "vitest";
import { postgresBackend } from "./backends.contract.js";
import { contentionContract } from "./contention.contract.js";
import { discoverContract } from "./discover.contract.js";
import { fullSeedContract } from "./full-seed.contract.js";
import { healthContract } from "./health.contract.js";
import { injectionContract } from "./injection.contract.js";
import { lifecycleContract } from "./lifecycle.contract.js";
import { lockContract } from "./lock.contract.js";
import { refusalsContract } from "./refusals.contract.js";
import { snapshotContract } from "./snapshot.contract.js";

const url = process.env.TEST_DATABASE_URL;
if (!url) console.log("PostgreSQL adapter tests skipped: TEST_DATABASE_URL is not set");

describe.skipIf(!url)("postgres adapter on PostgreSQL", () => {
  const backend = postgresBackend(url ?? "");
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
  contentionContract(backend);
});
