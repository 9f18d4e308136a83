// Writes verified webhooks into the durable inbox, group-committing the requests that arrive
// together: one transaction (SQLite) or one statement (PostgreSQL) per batch. This is the path
// Shopify waits on, so it talks to the driver directly, ahead of background work: on SQLite into
// a file of its own, whose write lock the job thread's transactions never hold
// (arrivals.server.ts), on PostgreSQL into WebhookJob through a pool of its own. A row is stored
// only if its shop is installed (or, for compliance topics, still known) and only once per
// (shop, webhook id). A signed body the app cannot use is stored the same way, already a dead
// letter: Shopify gets its 200 (a refusal would be retried for hours and could cost the
// subscription) and the merchant sees it with Retry.
import pg from "pg";
import { sqliteFileOf, type Db, type Dialect } from "~/db.server";
import { whenUnlocked } from "~/sqlite-serialized.server";
import { openArrivals } from "./arrivals.server";

export interface InboxRow {
  shopId: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  customerId: string | null;
  payload: string;
  afterUninstall: boolean;
  /** a stable error code: store the row as a dead letter, not as work to do */
  deadLetter: string | null;
}

export interface InboxWriter {
  /** resolves true when the row was stored now (false: a repeat, or a shop that is not installed) */
  store(row: InboxRow): Promise<boolean>;
  close(): Promise<void>;
}

const MAX_BATCH = 256;

type Flush = (rows: InboxRow[], now: Date) => Promise<boolean[]>;

function batching(flush: Flush, close: () => Promise<void>): InboxWriter {
  let queue: Array<{ row: InboxRow; resolve: (stored: boolean) => void; reject: (e: unknown) => void }> = [];
  let scheduled = false;
  const run = async () => {
    scheduled = false;
    while (queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(MAX_BATCH);
      try {
        const stored = await flush(
          batch.map((b) => b.row),
          new Date(),
        );
        batch.forEach((b, i) => b.resolve(stored[i] ?? false));
      } catch (error) {
        batch.forEach((b) => b.reject(error));
      }
    }
  };
  return {
    store: (row) =>
      new Promise((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // Let the requests that arrived in this turn of the event loop join the batch.
          setImmediate(run);
        }
      }),
    close,
  };
}

// Prisma's SQLite adapter stores DateTime as ISO 8601 text with an explicit offset.
const sqliteTime = (d: Date) => d.toISOString().replace("Z", "+00:00");

// Into the arrivals file (arrivals.server.ts); the app's file, attached as `app`, is only read:
// is the shop installed, and was this webhook moved into the inbox already.
const SQLITE_INSERT = `
  INSERT INTO "Arrival" ("shopId", "topic", "webhookId", "eventId", "customerId", "payload", "status", "lastError", "receivedAt")
  SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
  WHERE EXISTS (SELECT 1 FROM app."Shop" WHERE "id" = ? AND ("uninstalledAt" IS NULL OR ? = 1))
    AND NOT EXISTS (SELECT 1 FROM app."WebhookJob" WHERE "shopId" = ? AND "webhookId" = ?)
  ON CONFLICT DO NOTHING`;

function sqliteWriter(db: Db): InboxWriter {
  const conn = openArrivals(sqliteFileOf(db), true);
  const insert = conn.prepare(SQLITE_INSERT);
  // Deferred, not IMMEDIATE: BEGIN IMMEDIATE would take the write lock of every attached file,
  // the app's too. The first statement writes, so the lock taken is the arrivals file's alone.
  const transaction = conn.transaction((batch: InboxRow[], at: string) =>
    batch.map(
      (r) =>
        insert.run(
          r.shopId,
          r.topic,
          r.webhookId,
          r.eventId,
          r.customerId,
          r.payload,
          r.deadLetter ? "dead" : "pending",
          r.deadLetter,
          at,
          r.shopId,
          r.afterUninstall ? 1 : 0,
          r.shopId,
          r.webhookId,
        ).changes === 1,
    ),
  );
  return batching(
    (rows, now) => whenUnlocked(() => transaction.deferred(rows, sqliteTime(now))),
    async () => void conn.close(),
  );
}

const POSTGRES_INSERT = `
  INSERT INTO "WebhookJob" ("shopId", "topic", "webhookId", "eventId", "customerId", "payload", "status", "lastError", "processedAt", "attempts", "runAt", "receivedAt")
  SELECT v.shop, v.topic, v.webhook, v.event, v.customer, v.payload,
         CASE WHEN v.dead IS NULL THEN 'pending' ELSE 'dead' END, v.dead,
         CASE WHEN v.dead IS NULL THEN NULL ELSE $8::timestamp(3) END, 0, $8::timestamp(3), $8::timestamp(3)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $9::text[])
       AS v(shop, topic, webhook, event, customer, payload, after_uninstall, dead)
  WHERE EXISTS (SELECT 1 FROM "Shop" s WHERE s."id" = v.shop AND (s."uninstalledAt" IS NULL OR v.after_uninstall))
  ON CONFLICT DO NOTHING
  RETURNING "shopId", "webhookId"`;

function postgresWriter(url: string): InboxWriter {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.INBOX_POOL_SIZE ?? 4) });
  return batching(
    async (rows, now) => {
      const { rows: stored } = await pool.query<{ shopId: string; webhookId: string }>({
        name: "inbox-insert",
        text: POSTGRES_INSERT,
        values: [
          rows.map((r) => r.shopId),
          rows.map((r) => r.topic),
          rows.map((r) => r.webhookId),
          rows.map((r) => r.eventId),
          rows.map((r) => r.customerId),
          rows.map((r) => r.payload),
          rows.map((r) => r.afterUninstall),
          now.toISOString().slice(0, 23), // UTC, as Prisma stores timestamp(3)
          rows.map((r) => r.deadLetter),
        ],
      });
      const keys = new Set(stored.map((s) => `${s.shopId}\u0000${s.webhookId}`));
      return rows.map((r) => keys.delete(`${r.shopId}\u0000${r.webhookId}`));
    },
    () => pool.end(),
  );
}

export function createInboxWriter(db: Db, dialect: Dialect, url: string): InboxWriter {
  return dialect === "postgresql" ? postgresWriter(url) : sqliteWriter(db);
}
