// Prisma CLI configuration. Engines cannot be downloaded offline, so the CLI runs on the
// JS engine with a driver adapter chosen from DATABASE_URL (see docs/decisions/0003).
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL ?? "file:./data/loyalty.sqlite";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    if (url.startsWith("postgres")) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: url });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: url.replace(/^file:/, "") });
  },
});
