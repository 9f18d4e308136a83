// The one Prisma client of the process, on SQLite (embedded default) or PostgreSQL,
// chosen from DATABASE_URL. Both clients are generated from prisma/schema.prisma.
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";
import { capturePgTransaction, capturingPg, runOnPgClient } from "./pg-direct.server";
import { runHeld, serializedSqlite, SqliteGate } from "./sqlite-serialized.server";

export type Dialect = "sqlite" | "postgresql";
export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

/**
 * Runs a statement built with Prisma.sql / Prisma.join. Tagged $queryRaw does not recognise
 * fragments built by the other dialect's generated client (each has its own runtime), so
 * composed statements go through here, spelled with the dialect's placeholders.
 */
export function rawQuery<T>(client: Db | Tx, dialect: Dialect, query: Prisma.Sql): Promise<T[]> {
  const direct = directOf.get(client as Tx);
  if (direct) return direct(query, true) as Promise<T[]>;
  return client.$queryRawUnsafe<T[]>(dialect === "postgresql" ? query.text : query.sql, ...query.values);
}

export function rawExecute(client: Db | Tx, dialect: Dialect, query: Prisma.Sql): Promise<number> {
  const direct = directOf.get(client as Tx);
  if (direct) return direct(query, false) as Promise<number>;
  return client.$executeRawUnsafe(dialect === "postgresql" ? query.text : query.sql, ...query.values);
}

/**
 * Transactions opened by `transaction` run their composed statements (rawQuery, rawExecute) on
 * their connection directly, past Prisma's client: a few hundred microseconds a statement less,
 * which is most of what the order writer's dozen statements a batch cost. The rows are then the
 * driver's (SQLite: numbers, strings, null, booleans as 0/1, timestamps as text; PostgreSQL:
 * timestamps as ISO text), so callers read columns with `column` below, whichever way they came.
 */
type Direct = (query: Prisma.Sql, rows: boolean) => Promise<unknown[] | number>;
const directOf = new WeakMap<Tx, Direct>();

/** A synchronous call as a promise (its error a rejection, as Prisma's would be). */
function settled<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Runs `fn` in a transaction of `db` whose composed statements go to its connection directly. */
export function transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, options: { timeout: number; maxWait: number }): Promise<T> {
  const gate = sqliteGates.get(db);
  if (gate) {
    return db.$transaction((tx) => {
      // The transaction holds the gate: nothing else runs on the connection until it ends.
      const open = gate.transaction;
      directOf.set(tx, (q, rows) => settled(() => runHeld(gate, open, q.sql, q.values, rows)));
      return fn(tx);
    }, options);
  }
  return capturePgTransaction((slot) =>
    db.$transaction((tx) => {
      if (slot.client) directOf.set(tx, (q, rows) => runOnPgClient(slot, q.text, q.values, rows));
      return fn(tx);
    }, options),
  );
}

/** A timestamp parameter: PostgreSQL needs its type inside VALUES lists, SQLite stores Prisma's text. */
export function timestampParam(dialect: Dialect, value: Date | null): Prisma.Sql {
  return dialect === "postgresql" ? Prisma.sql`CAST(${value} AS TIMESTAMP(3))` : Prisma.sql`${value}`;
}

/** A column read with rawQuery, as the type the schema gives it. */
export const column = {
  date: (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(v as string | number)),
  bool: (v: unknown): boolean => v === true || v === 1 || v === 1n || v === "1" || v === "true",
  int: (v: unknown): number => Number(v),
  intOrNull: (v: unknown): number | null => (v == null ? null : Number(v)),
};

/**
 * The distinct shops of `table`'s rows matching `where`, after `after`, in order, at most `limit`:
 * an index skip-scan (one seek per shop on an index that starts with the condition's columns and
 * the shop), never a read of every matching row. `where` names columns unqualified.
 */
export async function distinctShops(
  db: Db,
  dialect: Dialect,
  table: string,
  where: Prisma.Sql,
  after: string,
  limit: number,
): Promise<string[]> {
  const t = Prisma.raw(`"${table}"`);
  const rows = await rawQuery<{ shopId: string | null }>(
    db,
    dialect,
    Prisma.sql`
    WITH RECURSIVE "s" ("shopId", "n") AS (
      SELECT (SELECT MIN("shopId") FROM ${t} WHERE ${where} AND "shopId" > ${after}), 1
      UNION ALL
      SELECT (SELECT MIN("shopId") FROM ${t} WHERE ${where} AND "shopId" > "s"."shopId"), "s"."n" + 1
      FROM "s" WHERE "s"."shopId" IS NOT NULL AND "s"."n" < ${limit}
    )
    SELECT "shopId" FROM "s" WHERE "shopId" IS NOT NULL`,
  );
  return rows.map((r) => r.shopId!);
}

export const DEFAULT_DATABASE_URL = "file:./data/loyalty.sqlite";

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** SQLite only: the gate every statement of a client passes (see sqlite-serialized.server.ts). */
export const sqliteGates = new WeakMap<Db, SqliteGate>();

/** SQLite only: the database file of a client made by createDb. */
const sqliteFiles = new WeakMap<Db, string>();
export function sqliteFileOf(db: Db): string {
  const file = sqliteFiles.get(db);
  if (!file) throw new Error("not a SQLite client");
  return file;
}

/** The dialect of a client made by createDb (tests hold clients of both kinds in one process). */
export function clientDialect(db: Db): Dialect {
  return sqliteGates.has(db) ? "sqlite" : "postgresql";
}

/** The file of a SQLite `DATABASE_URL` (relative to the working directory). */
export function sqliteFile(url: string): string {
  return path.resolve(process.cwd(), url.replace(/^file:/, ""));
}

/**
 * Settings of the app's PostgreSQL sessions (ADR 0015). The analytics reads group a period's
 * orders by customer: with the server's defaults, PostgreSQL compiles them with JIT first (about
 * 335 ms of a 940 ms read of 450,000 orders, to save less than that) and spills the hash of
 * 100,000 customers to disk at work_mem's 4 MB. Without JIT and with 32 MB (a hash node takes what
 * it needs, only when a query needs it) the read took 385 ms, and the 365-day page 1.1 s instead
 * of 1.9 s. No query of the app gains from JIT: the others are index lookups of a few rows. An
 * `options` parameter in DATABASE_URL replaces these.
 */
export const PG_SESSION_OPTIONS = "-c jit=off -c work_mem=32MB";

export function createDb(url: string): Db {
  if (dialectOf(url) === "postgresql") {
    // The PostgreSQL twin of the client lives outside @prisma/client (scripts/prisma-generate.mjs).
    const require = createRequire(import.meta.url);
    const pg = require(path.resolve(process.cwd(), "node_modules/.prisma/client-postgresql")) as {
      PrismaClient: typeof PrismaClient;
    };
    const max = Number(process.env.DATABASE_POOL_SIZE ?? 10);
    return new pg.PrismaClient({
      adapter: capturingPg(new PrismaPg({ connectionString: url, max, options: PG_SESSION_OPTIONS })),
    });
  }
  const gate = new SqliteGate();
  const client = new PrismaClient({
    adapter: serializedSqlite(new PrismaBetterSQLite3({ url: sqliteFile(url), timeout: 0 }), gate),
  });
  sqliteGates.set(client, gate);
  sqliteFiles.set(client, sqliteFile(url));
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
 * free pages or free space inside pages (docs/data-protection.md). A WAL checkpoint copies pages
 * back and fsyncs, tens to hundreds of milliseconds under load: the connections that serve HTTP
 * and run jobs never checkpoint; the checkpointer thread that startBackground starts beside them
 * does (app/sqlite-checkpointer.server.ts). The WAL file is cut back to 64 MB once a checkpoint has
 * emptied it, so a flash sale's WAL does not keep its size.
 */
export function ready(): Promise<void> {
  tuned ??=
    dialect === "sqlite"
      ? (async () => {
          await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
          await db.$queryRawUnsafe("PRAGMA secure_delete = ON");
          await db.$queryRawUnsafe("PRAGMA wal_autocheckpoint = 0");
          await db.$queryRawUnsafe(`PRAGMA journal_size_limit = ${64 * 1024 * 1024}`);
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
