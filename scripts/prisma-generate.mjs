// Generates two Prisma clients from prisma/schema.prisma: the default one (SQLite) and a
// PostgreSQL twin. A client generated for one provider refuses the other's driver adapter,
// so the PostgreSQL schema is derived here rather than kept by hand.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const source = readFileSync("prisma/schema.prisma", "utf8");
const pg = source
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace('url      = "file:./unused.sqlite"', 'url      = "postgresql://unused"')
  .replace('engineType = "client"', 'engineType = "client"\n  output     = "../../node_modules/.prisma/client-postgresql"');
mkdirSync("prisma/postgresql", { recursive: true });
writeFileSync(
  "prisma/postgresql/schema.prisma",
  "// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs — do not edit.\n" + pg,
);

const prisma = ["node_modules/prisma/build/index.js", "generate", "--no-hints"];
execFileSync(process.execPath, [...prisma, "--schema", "prisma/schema.prisma"], { stdio: "inherit" });
execFileSync(process.execPath, [...prisma, "--schema", "prisma/postgresql/schema.prisma"], { stdio: "inherit" });
