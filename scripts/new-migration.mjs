// Writes the SQL migration from the committed schema (git HEAD, or --from <file>) to the working
// prisma/schema.prisma, for SQLite and PostgreSQL. Usage: node scripts/new-migration.mjs 0002_name
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!/^\d{4}_[a-z0-9_]+$/.test(name ?? "")) throw new Error("usage: node scripts/new-migration.mjs 0002_what_changed");
const fromIndex = process.argv.indexOf("--from");
const previous =
  fromIndex > 0
    ? readFileSync(process.argv[fromIndex + 1], "utf8")
    : execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8" });
const tmp = mkdtempSync(path.join(os.tmpdir(), "migration-"));
const toPostgres = (s) =>
  s
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('url      = "file:./unused.sqlite"', 'url      = "postgresql://unused"');
const env = { ...process.env, DATABASE_URL: `file:${path.join(tmp, "cli.sqlite")}` };

execFileSync(process.execPath, ["scripts/prisma-generate.mjs"], { stdio: "inherit" });
for (const [dialect, from, to] of [
  ["sqlite", previous, readFileSync("prisma/schema.prisma", "utf8")],
  ["postgresql", toPostgres(previous), toPostgres(readFileSync("prisma/schema.prisma", "utf8"))],
]) {
  writeFileSync(path.join(tmp, `from-${dialect}.prisma`), from);
  writeFileSync(path.join(tmp, `to-${dialect}.prisma`), to);
  const sql = execFileSync(
    process.execPath,
    [
      "node_modules/prisma/build/index.js",
      "migrate",
      "diff",
      "--from-schema-datamodel",
      path.join(tmp, `from-${dialect}.prisma`),
      "--to-schema-datamodel",
      path.join(tmp, `to-${dialect}.prisma`),
      "--script",
    ],
    { encoding: "utf8", env },
  );
  mkdirSync(`prisma/migrations/${dialect}/${name}`, { recursive: true });
  writeFileSync(`prisma/migrations/${dialect}/${name}/migration.sql`, sql);
  console.log(`prisma/migrations/${dialect}/${name}/migration.sql`);
}
