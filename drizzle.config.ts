import { defineConfig } from "drizzle-kit";

// `npm run db:generate -- --name <what-changed>` writes the next migration beside the schema; the
// store applies the folder on open (src/store/migrations-folder.ts finds it from src/ and dist/).
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema.ts",
  out: "./src/store/migrations",
});
