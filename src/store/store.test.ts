import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { beforeAll, describe } from "vitest";
import { openStore } from "./open.js";
import { type StoreBackend, storeContract } from "./store.contract.js";

const adminUrl = process.env.TEST_DATABASE_URL;

beforeAll(() => {
  if (!adminUrl) console.warn("skipped: store contract on PostgreSQL (TEST_DATABASE_URL is not set)");
});

describe("store contract: PGlite in memory", () => {
  storeContract(async () => ({
    open: () => openStore({ stateDir: ":memory:" }),
    durable: false,
    sharedByInstances: false,
    dispose: async () => undefined,
  }));
});

describe("store contract: PGlite in a directory", () => {
  storeContract(async () => {
    const temp = await mkdtemp(join(tmpdir(), "ma-store-"));
    return {
      // A state directory that does not exist yet: opening creates it.
      open: () => openStore({ stateDir: join(temp, "nested", ".migration-architect") }),
      durable: true,
      // PGlite is one process's database: a second instance on the same directory is not supported.
      sharedByInstances: false,
      dispose: () => rm(temp, { recursive: true, force: true }),
    };
  });
});

describe.skipIf(!adminUrl)("store contract: PostgreSQL", () => {
  storeContract(() => temporaryDatabase(adminUrl as string));
});

/** A database of its own for this file's run, so concurrent runs of the suite never collide; dropped afterwards. */
async function temporaryDatabase(adminUrl: string): Promise<StoreBackend> {
  const name = `ma_store_test_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    open: () => openStore({ url: url.toString() }),
    durable: true,
    sharedByInstances: true,
    // `with (force)` ends connections a failed test may have left open.
    dispose: () => admin(`drop database if exists ${name} with (force)`),
  };
}
