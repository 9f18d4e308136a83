#!/usr/bin/env node
// `npm run setup`: creates the database named by DATABASE_URL if needed and applies the SQL
// migrations in prisma/migrations/<sqlite|postgresql>/ that it has not applied yet.
// Prisma's own `migrate deploy` cannot run here on PostgreSQL through a driver adapter
// (prisma/orm#27403), so one small runner serves both databases (docs/decisions/0003).
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_DATABASE_URL = "file:./data/loyalty.sqlite";

function migrationsFor(dialect) {
  const dir = path.join(root, "prisma", "migrations", dialect);
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, "migration.sql")))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

export function sqlitePath(url) {
  const file = url.replace(/^file:/, "");
  return path.isAbsolute(file) ? file : path.resolve(process.cwd(), file);
}

async function migrateSqlite(url, log) {
  const { default: Database } = await import("better-sqlite3");
  const file = sqlitePath(url);
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("secure_delete = ON"); // a migration that clears data leaves no copy in free pages
    db.exec(`CREATE TABLE IF NOT EXISTS "_loyalty_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TEXT NOT NULL)`);
    const applied = new Set(db.prepare(`SELECT "name" FROM "_loyalty_migrations"`).pluck().all());
    for (const m of migrationsFor("sqlite")) {
      if (applied.has(m.name)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare(`INSERT INTO "_loyalty_migrations" VALUES (?, ?)`).run(m.name, new Date().toISOString());
      }).immediate();
      log(`applied ${m.name}`);
      // Once, on the release that turned secure_delete on: rebuild the file, so rows deleted
      // before it (personal data among them) do not linger in free pages and unused space.
      if (m.name === "0006_privacy") db.exec("VACUUM");
    }
  } finally {
    db.close();
  }
}

async function migratePostgres(url, log) {
  const { default: pg } = await import("pg");
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.slice(1));
  // Create the database if it does not exist yet (connect to the maintenance database).
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const adminClient = new pg.Client({ connectionString: admin.toString() });
  await adminClient.connect();
  try {
    const found = await adminClient.query("SELECT 1 FROM pg_database WHERE datname = $1", [dbName]);
    if (found.rowCount === 0) {
      await adminClient.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`).catch((error) => {
        if (error.code !== "42P04") throw error; // created meanwhile by another setup
      });
      log(`created database ${dbName}`);
    }
  } finally {
    await adminClient.end();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One migrator at a time, whatever number of app servers run setup at once.
    await client.query("SELECT pg_advisory_lock(72150001)");
    await client.query(
      `CREATE TABLE IF NOT EXISTS "_loyalty_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TIMESTAMPTZ NOT NULL)`,
    );
    const { rows } = await client.query(`SELECT "name" FROM "_loyalty_migrations"`);
    const applied = new Set(rows.map((r) => r.name));
    for (const m of migrationsFor("postgresql")) {
      if (applied.has(m.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_loyalty_migrations" VALUES ($1, now())`, [m.name]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      log(`applied ${m.name}`);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(72150001)").catch(() => {});
    await client.end();
  }
}

export async function migrate(url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL, log = () => {}) {
  if (/^postgres(ql)?:\/\//.test(url)) return migratePostgres(url, log);
  if (url.startsWith("file:")) return migrateSqlite(url, log);
  throw new Error(`DATABASE_URL must start with file: or postgresql:// (got ${url.split(":")[0]}:…)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  migrate(url, (line) => console.log(`setup: ${line}`))
    .then(() => console.log(`setup: database is up to date (${url.startsWith("file:") ? url : "postgresql"})`))
    .catch((error) => {
      console.error(`setup failed: ${error.message}`);
      process.exit(1);
    });
}
