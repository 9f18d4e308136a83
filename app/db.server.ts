// The one Prisma client of the process, on SQLite (embedded default) or PostgreSQL,
// chosen from DATABASE_URL. Both clients are generated from prisma/schema.prisma.
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";
import { serializedSqlite, SqliteGate } from "./sqlite-serialized.server";

export type Dialect = "sqlite" | "postgresql";
export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

/**
 * Runs a statement built with Prisma.sql / Prisma.join. Tagged $queryRaw does not recognise
 * fragments built by the other dialect's generated client (each has its own runtime), so
 * composed statements go through here, spelled with the dialect's placeholders.
 */
export function rawQuery<T>(client: Db | Tx, dialect: Dialect, query: Prisma.Sql): Promise<T[]> {
  return client.$queryRawUnsafe<T[]>(dialect === "postgresql" ? query.text : query.sql, ...query.values);
}

export function rawExecute(client: Db | Tx, dialect: Dialect, query: Prisma.Sql): Promise<number> {
  return client.$executeRawUnsafe(dialect === "postgresql" ? query.text : query.sql, ...query.values);
}

export const DEFAULT_DATABASE_URL = "file:./data/loyalty.sqlite";

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** SQLite only: the gate every statement of a client passes (see sqlite-serialized.server.ts). */
export const sqliteGates = new WeakMap<Db, SqliteGate>();

/** The dialect of a client made by createDb (tests hold clients of both kinds in one process). */
export function clientDialect(db: Db): Dialect {
  return sqliteGates.has(db) ? "sqlite" : "postgresql";
}

export function createDb(url: string): Db {
  if (dialectOf(url) === "postgresql") {
    // The PostgreSQL twin of the client lives outside @prisma/client (scripts/prisma-generate.mjs).
    const require = createRequire(import.meta.url);
    const pg = require(path.resolve(process.cwd(), "node_modules/.prisma/client-postgresql")) as {
      PrismaClient: typeof PrismaClient;
    };
    const max = Number(process.env.DATABASE_POOL_SIZE ?? 10);
    return new pg.PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
  }
  const file = url.replace(/^file:/, "");
  const gate = new SqliteGate();
  const client = new PrismaClient({
    adapter: serializedSqlite(new PrismaBetterSQLite3({ url: path.resolve(process.cwd(), file), timeout: 0 }), gate),
  });
  sqliteGates.set(client, gate);
  return client;
}

export const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
export const dialect: Dialect = dialectOf(databaseUrl);

declare global {
  var __loyaltyDb: Db | undefined;
}

/** The process-wide client (kept on globalThis so a dev-server reload does not open another). */
const db: Db = globalThis.__loyaltyDb ?? (globalThis.__loyaltyDb = createDb(databaseUrl));

let tuned: Promise<void> | undefined;
/**
 * Per-connection settings (the migration already switched the file to WAL). `secure_delete`
 * overwrites deleted and replaced content with zeros, so erased personal data does not linger in
 * free pages or free space inside pages (docs/data-protection.md). A WAL checkpoint
 * copies pages back and fsyncs, hundreds of milliseconds under load: the connection that serves
 * HTTP leaves checkpoints to the job thread's connection (`checkpoints: false`).
 */
export function ready(options: { checkpoints?: boolean } = {}): Promise<void> {
  tuned ??=
    dialect === "sqlite"
      ? (async () => {
          await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
          await db.$queryRawUnsafe("PRAGMA secure_delete = ON");
          await db.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${options.checkpoints === false ? 0 : 1000}`);
        })()
      : Promise.resolve();
  return tuned;
}

/**
 * SQLite only: after an erasure, copy the WAL into the database file and truncate it, so the
 * erased rows' old page images do not stay in the -wal file. Waits (briefly) for readers.
 */
export async function checkpointAfterErasure(client: Db): Promise<void> {
  if (!sqliteGates.has(client)) return;
  for (let attempt = 0; attempt < 100; attempt++) {
    const rows = await client.$queryRawUnsafe<Array<{ busy: number | bigint }>>("PRAGMA wal_checkpoint(TRUNCATE)");
    if (!rows[0] || Number(rows[0].busy) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.warn("[privacy] WAL still in use after an erasure: it is emptied at the next checkpoint");
}

export default db;
export { Prisma };
