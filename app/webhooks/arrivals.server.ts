// SQLite only: where the webhook door writes, a database file of its own beside the app's
// (`loyalty.sqlite` → `loyalty.inbox.sqlite`, table "Arrival"). SQLite has one write lock per
// file: with the inbox in the app's file, every acknowledgement waited for the job thread's
// ledger transaction to commit (p99 of 200–600 ms at 500 webhooks/s while a backlog drained).
// Here the door's insert only ever waits for the mover's short DELETE. The job thread moves
// arrivals into "WebhookJob" in the app's file before each claim, in arrival order; from there
// on nothing differs from PostgreSQL, where the door writes "WebhookJob" directly (ADR 0022).
//
// A move is two statements, each its own transaction, each on one file: copy into "WebhookJob"
// (ON CONFLICT DO NOTHING on (shop, webhook id)), then delete what was copied. A crash between
// the two copies the same rows again, which the conflict clause discards. SQLite does not commit
// a transaction across two WAL files atomically, so the two are never one transaction.
//
// Every function here takes any client and does nothing for a PostgreSQL one.
import { existsSync } from "node:fs";
import Database from "better-sqlite3";
import { clientDialect, sqliteFileOf, type Db } from "~/db.server";
import { whenUnlocked } from "~/sqlite-serialized.server";
import { arrivalsFile } from "~/sqlite-files";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS "Arrival" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "shopId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "customerId" TEXT,
    "payload" TEXT,
    "status" TEXT NOT NULL,
    "lastError" TEXT,
    "receivedAt" TEXT NOT NULL,
    UNIQUE ("shopId", "webhookId")
  )`;

/**
 * A connection to the arrivals file (created if missing), set as the app's own connections are
 * (app/db.server.ts): WAL, synchronous NORMAL, secure_delete, checkpoints left to the
 * checkpointer thread, no busy timeout (callers retry on a timer, never sleeping the thread).
 * `attachApp`: the app's file attached as `app`, read by the door's insert (never written here).
 */
export function openArrivals(appFile: string, attachApp: boolean): Database.Database {
  const conn = new Database(arrivalsFile(appFile), { timeout: 0 });
  conn.pragma("journal_mode = WAL");
  conn.pragma("synchronous = NORMAL");
  conn.pragma("secure_delete = ON");
  conn.pragma("wal_autocheckpoint = 0");
  conn.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
  conn.exec(SCHEMA);
  if (attachApp) conn.prepare("ATTACH DATABASE ? AS app").run(appFile);
  return conn;
}

interface Arrivals {
  conn: Database.Database;
  oldestBatch: Database.Statement;
  move: Database.Statement;
  remove: Database.Statement;
  waiting: Database.Statement;
  waitingOfShop: Database.Statement;
  removeShop: Database.Statement;
}

/** Rows moved per statement: a few milliseconds of the app file's write lock. */
const MOVE_BATCH = 1_000;

const MOVE = `
  INSERT INTO app."WebhookJob" ("shopId", "topic", "webhookId", "eventId", "customerId", "payload", "status", "lastError", "processedAt", "attempts", "runAt", "receivedAt")
  SELECT "shopId", "topic", "webhookId", "eventId", "customerId", "payload", "status", "lastError",
         CASE WHEN "status" = 'dead' THEN "receivedAt" END, 0, "receivedAt", "receivedAt"
  FROM "Arrival" WHERE "id" <= ? ORDER BY "id"
  ON CONFLICT DO NOTHING`;

/** Each app client's connection to its arrivals file, with its statements (opened on first use). */
const opened = new WeakMap<Db, Arrivals>();

/**
 * The arrivals of `db`'s file, or null where there are none: a PostgreSQL client (its door writes
 * WebhookJob directly), or a SQLite file beside which nothing ever arrived.
 */
function arrivalsOf(db: Db): Arrivals | null {
  const known = opened.get(db);
  if (known) return known;
  if (clientDialect(db) !== "sqlite") return null;
  const appFile = sqliteFileOf(db);
  if (!existsSync(arrivalsFile(appFile))) return null;
  const conn = openArrivals(appFile, true);
  const arrivals: Arrivals = {
    conn,
    oldestBatch: conn.prepare(
      `SELECT max("id") AS last, count(*) AS n FROM (SELECT "id" FROM "Arrival" ORDER BY "id" LIMIT ${MOVE_BATCH})`,
    ),
    move: conn.prepare(MOVE),
    remove: conn.prepare(`DELETE FROM "Arrival" WHERE "id" <= ?`),
    waiting: conn.prepare(`SELECT count(*) AS n, min("receivedAt") AS oldest FROM "Arrival"`),
    waitingOfShop: conn.prepare(`SELECT count(*) AS n, min("receivedAt") AS oldest FROM "Arrival" WHERE "shopId" = ?`),
    removeShop: conn.prepare(`DELETE FROM "Arrival" WHERE "shopId" = ?`),
  };
  opened.set(db, arrivals);
  return arrivals;
}

/** Closes what arrivalsOf opened for `db` (its client is being disconnected). */
export function closeArrivals(db: Db): void {
  opened.get(db)?.conn.close();
  opened.delete(db);
}

/** Moves what has arrived into "WebhookJob", oldest first; resolves how many rows it took. */
export async function moveArrivals(db: Db): Promise<number> {
  const arrivals = arrivalsOf(db);
  let moved = 0;
  while (arrivals) {
    const { last, n } = arrivals.oldestBatch.get() as { last: number | null; n: number };
    if (last === null) break;
    await whenUnlocked(() => arrivals.move.run(last));
    await whenUnlocked(() => arrivals.remove.run(last));
    moved += n;
    if (n < MOVE_BATCH) break;
  }
  return moved;
}

/** Arrivals not yet moved (of one shop, or all), and when the oldest came (backlog figures, the System page, tests). */
export function arrivalsWaiting(db: Db, shopId?: string): { count: number; oldest: Date | null } {
  const arrivals = arrivalsOf(db);
  const row = (shopId === undefined ? arrivals?.waiting.get() : arrivals?.waitingOfShop.get(shopId)) as
    { n: number; oldest: string | null } | undefined;
  return { count: row?.n ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

/** shop/redact: the shop's arrivals not yet moved are deleted with the rest of its rows. */
export async function deleteShopArrivals(db: Db, shopId: string): Promise<void> {
  const arrivals = arrivalsOf(db);
  if (arrivals) await whenUnlocked(() => arrivals.removeShop.run(shopId));
}

/**
 * After an erasure: the arrivals file's WAL still holds the page images of rows moved out of it
 * (payloads the erasure has just redacted in "WebhookJob"); copy it back and truncate it.
 */
export async function truncateArrivalsWal(db: Db): Promise<void> {
  const arrivals = arrivalsOf(db);
  if (!arrivals) return;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const [row] = arrivals.conn.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number }>;
      if (!row || row.busy === 0) return;
    } catch (error) {
      if (!(error as { code?: string }).code?.startsWith("SQLITE_BUSY")) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  console.warn("[privacy] the arrivals WAL is still in use after an erasure: it is emptied at the next checkpoint");
}
