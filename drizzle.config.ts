import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations that wrangler (migrations_dir) and the tests apply.
export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/tables/index.ts",
  out: "./schema/migrations",
});
