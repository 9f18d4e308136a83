// The one Prisma client of the process, on SQLite (embedded default) or PostgreSQL,
// chosen from DATABASE_URL. Both clients are generated from prisma/schema.prisma.
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";
import { serializedSqlite } from "./sqlite-serialized.server";

export type Dialect = "sqlite" | "postgresql";
export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

export const DEFAULT_DATABASE_URL = "file:./data/loyalty.sqlite";

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
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
  return new PrismaClient({
    adapter: serializedSqlite(new PrismaBetterSQLite3({ url: path.resolve(process.cwd(), file), timeout: 5000 })),
  });
}

export const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
export const dialect: Dialect = dialectOf(databaseUrl);

declare global {
  var __loyaltyDb: Db | undefined;
}

/** The process-wide client (kept on globalThis so a dev-server reload does not open another). */
const db: Db = globalThis.__loyaltyDb ?? (globalThis.__loyaltyDb = createDb(databaseUrl));

let tuned: Promise<void> | undefined;
/** Per-connection settings; the migration already switched the file to WAL. */
export function ready(): Promise<void> {
  tuned ??=
    dialect === "sqlite"
      ? db.$queryRawUnsafe("PRAGMA synchronous = NORMAL").then(() => undefined)
      : Promise.resolve();
  return tuned;
}

export default db;
export { Prisma };
