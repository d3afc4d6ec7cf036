// tsc emits only JavaScript: copy the files the built code reads at run time (the store's
// drizzle-kit migrations) to the same place under dist/.
import { cp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const assets = ["src/store/migrations"];

for (const asset of assets) {
  const to = `${root}dist/${asset}`;
  // A migration deleted from src/ must not survive in dist/.
  await rm(to, { recursive: true, force: true });
  await cp(`${root}${asset}`, to, { recursive: true });
}
