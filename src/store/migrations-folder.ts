import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The folder of drizzle-kit's migrations, beside this module: `src/store/migrations` under tsx
 * and vitest, `dist/src/store/migrations` once built (`scripts/copy-assets.mjs` copies it, since tsc
 * copies no `.sql`). Fails with the reason when the folder is missing, rather than drizzle's
 * "Can't find meta/_journal.json".
 */
export function migrationsFolder(): string {
  const folder = fileURLToPath(new URL("./migrations", import.meta.url));
  if (!existsSync(`${folder}/meta/_journal.json`)) {
    throw new Error(
      `the store's migrations are missing from ${folder} (a build must copy src/store/migrations: npm run build)`,
    );
  }
  return folder;
}
