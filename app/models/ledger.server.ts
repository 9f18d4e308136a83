// The only code that changes a balance. `withLedger` opens the transaction and hands out the one
// object that can post: each change is an append-only LedgerEntry written in that transaction
// together with the member's balance, under a unique idempotency key stored with a hash of what
// it posted. The same key with the same entry posts nothing; with a different entry it is refused.
import { createHash, randomUUID } from "node:crypto";
import { balanceDelta, type EntryDraft } from "~/domain/ledger";
import {
  clientDialect,
  Prisma,
  rawExecute,
  rawQuery,
  timestampParam,
  transaction,
  type Db,
  type Dialect,
  type Tx,
} from "~/db.server";
import { recordEntryEvents, type MemberAfter } from "./outbox.server";
import { refreshTierValues } from "./tier-values.server";

export interface NewEntry extends EntryDraft {
  shopId: string;
  actor: string;
}

export class InsufficientPointsError extends Error {
  readonly code = "insufficient_points";
  constructor() {
    super("not enough available points");
  }
}

/** An idempotency key already answered a different request. */
export class IdempotencyConflictError extends Error {
  readonly code = "idempotency_key_reused";
  constructor(readonly key: string) {
    super(`idempotency key ${key} was used for a different request`);
  }
}

export interface Ledger {
  /** the transaction, for the writes that go with the entries (orders, redemptions, members) */
  readonly tx: Tx;
  readonly dialect: Dialect;
  /** posts one entry once per key: `posted` is false when the key had posted the same entry before */
  post(entry: NewEntry): Promise<{ posted: boolean }>;
  /** a debit that posts only if the available balance covers it, else InsufficientPointsError (all rolls back) */
  spend(entry: NewEntry): Promise<{ posted: boolean }>;
  /** many entries in a few statements; answers the keys posted now */
  postMany(entries: readonly NewEntry[]): Promise<Set<string>>;
}

/** What a key answers for: who, what kind and how many points. */
export function entryHash(e: Pick<NewEntry, "memberId" | "kind" | "points">): string {
  return createHash("sha256").update(`${e.memberId}\u0000${e.kind}\u0000${e.points}`).digest("hex").slice(0, 32);
}

const CHUNK = 400;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function validate(entry: NewEntry) {
  if (!Number.isSafeInteger(entry.points) || entry.points === 0) throw new RangeError(`points must be a non-zero integer`);
}

async function insertEntries(
  tx: Tx,
  dialect: Dialect,
  rows: Array<NewEntry & { id: string; hash: string }>,
  now: Date,
): Promise<Set<string>> {
  const posted = new Set<string>();
  for (const part of chunks(rows)) {
    const values = part.map(
      (e) => Prisma.sql`(${e.id}, ${e.shopId}, ${e.memberId}, ${e.kind}, ${e.points}, ${e.status}, ${e.availableAt},
        ${e.idempotencyKey}, ${e.hash}, ${e.sourceType}, ${e.sourceId ?? null}, ${e.programVersion ?? null}, ${e.rateNum ?? null},
        ${e.rateDen ?? null}, ${e.actor}, ${e.reason}, ${e.occurredAt}, ${now})`,
    );
    const inserted = await rawQuery<{ k: string }>(
      tx,
      dialect,
      Prisma.sql`
      INSERT INTO "LedgerEntry" ("id", "shopId", "memberId", "kind", "points", "status", "availableAt", "idempotencyKey",
        "requestHash", "sourceType", "sourceId", "programVersion", "rateNum", "rateDen", "actor", "reason", "occurredAt", "createdAt")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shopId", "idempotencyKey") DO NOTHING
      RETURNING "shopId" || ':' || "idempotencyKey" AS "k"`,
    );
    for (const r of inserted) posted.add(r.k);
  }
  return posted;
}

/** Keys that posted nothing now were used before: by the same entry (a repeat) or not (refused). */
async function checkRepeats(tx: Tx, repeats: Array<NewEntry & { hash: string }>): Promise<void> {
  const byShop = new Map<string, Array<NewEntry & { hash: string }>>();
  for (const e of repeats) byShop.set(e.shopId, [...(byShop.get(e.shopId) ?? []), e]);
  for (const [shopId, list] of byShop) {
    for (const part of chunks(list)) {
      const stored = await tx.ledgerEntry.findMany({
        where: { shopId, idempotencyKey: { in: part.map((e) => e.idempotencyKey) } },
        select: { idempotencyKey: true, requestHash: true },
      });
      const hashes = new Map(stored.map((s) => [s.idempotencyKey, s.requestHash]));
      for (const e of part) {
        const hash = hashes.get(e.idempotencyKey);
        // An empty hash is an entry written before hashes were kept: trusted as the same request.
        if (hash !== undefined && hash !== "" && hash !== e.hash) throw new IdempotencyConflictError(e.idempotencyKey);
      }
    }
  }
}

interface MemberMove {
  shopId: string;
  memberId: string;
  available: number;
  pending: number;
  lifetimeEarned: number;
  activityAt: Date | null;
}

/** Moves the balances; answers each member's standing after the move (for the outbox's events). */
async function moveBalances(tx: Tx, dialect: Dialect, moves: MemberMove[]): Promise<Map<string, MemberAfter>> {
  const after = new Map<string, MemberAfter>();
  const int = (n: number) => Prisma.sql`CAST(${n} AS INTEGER)`;
  for (const part of chunks(moves)) {
    const values = part.map(
      (m) =>
        Prisma.sql`(${m.memberId}, ${m.shopId}, ${int(m.available)}, ${int(m.pending)}, ${int(m.lifetimeEarned)}, ${timestampParam(dialect, m.activityAt)})`,
    );
    const moved = await rawQuery<{
      id: string;
      shopId: string;
      customerId: string | null;
      available: number;
      lifetimeEarned: number;
    }>(
      tx,
      dialect,
      Prisma.sql`
      WITH "v" ("id", "shopId", "a", "p", "l", "t") AS (VALUES ${Prisma.join(values)})
      UPDATE "Member" SET
        "available" = "Member"."available" + "v"."a",
        "pending" = "Member"."pending" + "v"."p",
        "lifetimeEarned" = "Member"."lifetimeEarned" + "v"."l",
        "lastActivityAt" = CASE WHEN "v"."t" IS NOT NULL AND ("Member"."lastActivityAt" IS NULL OR "Member"."lastActivityAt" < "v"."t")
                           THEN "v"."t" ELSE "Member"."lastActivityAt" END
      FROM "v" WHERE "Member"."id" = "v"."id" AND "Member"."shopId" = "v"."shopId"
      RETURNING "Member"."id", "Member"."shopId", "Member"."customerId", "Member"."available", "Member"."lifetimeEarned"`,
    );
    if (moved.length !== part.length)
      throw new Error(`${part.length - moved.length} of ${part.length} members not found in their shop`);
    for (const m of moved)
      after.set(m.id, {
        shopId: m.shopId,
        customerId: m.customerId,
        available: Number(m.available),
        lifetimeEarned: Number(m.lifetimeEarned),
      });
  }
  return after;
}

function makeLedger(tx: Tx, dialect: Dialect): Ledger {
  const postMany = async (entries: readonly NewEntry[]): Promise<Set<string>> => {
    if (entries.length === 0) return new Set();
    const now = new Date();
    const rows: Array<NewEntry & { id: string; hash: string }> = [];
    const seen = new Map<string, string>();
    for (const e of entries) {
      validate(e);
      const hash = entryHash(e);
      const key = `${e.shopId}:${e.idempotencyKey}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        if (earlier !== hash) throw new IdempotencyConflictError(e.idempotencyKey);
        continue;
      }
      seen.set(key, hash);
      rows.push({ ...e, id: `le_${randomUUID()}`, hash });
    }
    const posted = await insertEntries(tx, dialect, rows, now);
    const fresh = rows.filter((r) => posted.has(`${r.shopId}:${r.idempotencyKey}`));
    if (fresh.length < rows.length)
      await checkRepeats(
        tx,
        rows.filter((r) => !posted.has(`${r.shopId}:${r.idempotencyKey}`)),
      );

    // Pending points wait in a queue of their own until they are due (ledger entries never change).
    const pending = fresh.filter((r) => r.status === "pending");
    for (const part of chunks(pending)) {
      await rawExecute(
        tx,
        dialect,
        Prisma.sql`
        INSERT INTO "PendingRelease" ("entryId", "shopId", "memberId", "points", "dueAt")
        VALUES ${Prisma.join(part.map((r) => Prisma.sql`(${r.id}, ${r.shopId}, ${r.memberId}, ${r.points}, ${r.availableAt})`))}`,
      );
    }

    const moves = new Map<string, MemberMove>();
    for (const r of fresh) {
      const d = balanceDelta(r);
      const m = moves.get(r.memberId) ?? {
        shopId: r.shopId,
        memberId: r.memberId,
        available: 0,
        pending: 0,
        lifetimeEarned: 0,
        activityAt: null,
      };
      m.available += d.available;
      m.pending += d.pending;
      m.lifetimeEarned += d.lifetimeEarned;
      if (r.kind !== "release" && (m.activityAt === null || m.activityAt < r.occurredAt)) m.activityAt = r.occurredAt;
      moves.set(r.memberId, m);
    }
    // In id order, so that concurrent batches on PostgreSQL lock members in one order.
    const after = await moveBalances(
      tx,
      dialect,
      [...moves.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1)),
    );
    // The events these entries cause, in this transaction, after the members' rows are locked (so
    // one member's events are written, and numbered, in the order their postings commit).
    const entryOf = await recordEntryEvents(tx, dialect, fresh, after, now);
    // Tiers measured by points in the last 12 months: the posted members' values, computed again.
    for (const [shopId, entry] of entryOf) {
      if (entry.measure !== "points" || entry.period !== "rolling_12_months") continue;
      const members = [...after].flatMap(([id, m]) => (m.shopId === shopId ? [id] : []));
      await refreshTierValues(tx, dialect, shopId, members, { entry, now });
    }
    return new Set(fresh.map((r) => r.idempotencyKey));
  };

  return {
    tx,
    dialect,
    postMany,
    async post(entry) {
      const posted = await postMany([entry]);
      return { posted: posted.size === 1 };
    },
    async spend(entry) {
      validate(entry);
      if (entry.points >= 0 || entry.status !== "available") throw new RangeError("a spend is an available debit");
      // The guard comes first: a member short of points gets no entry at all.
      const [member] = await rawQuery<{ available: number }>(
        tx,
        dialect,
        Prisma.sql`SELECT "available" FROM "Member" WHERE "id" = ${entry.memberId} AND "shopId" = ${entry.shopId}
          ${dialect === "postgresql" ? Prisma.sql`FOR UPDATE` : Prisma.empty}`,
      );
      if (!member) throw new Error(`member ${entry.memberId} not found in shop ${entry.shopId}`);
      const posted = await postMany([entry]);
      if (posted.size === 1 && Number(member.available) + entry.points < 0) throw new InsufficientPointsError();
      return { posted: posted.size === 1 };
    },
  };
}

export interface LedgerOptions {
  /** the longest the transaction may run (ms) */
  timeout?: number;
  /**
   * false: PostgreSQL may acknowledge the commit before its WAL reaches the disk. Only for work
   * that is replayed if lost: a batch of inbox jobs marks them done in the same transaction, so a
   * commit a crash loses leaves its jobs pending, and they are applied again (once, by their keys).
   */
  durable?: boolean;
}

/** Runs `fn` in one transaction with the ledger; nothing can post outside one. */
export function withLedger<T>(db: Db, fn: (ledger: Ledger) => Promise<T>, options: LedgerOptions = {}): Promise<T> {
  const dialect = clientDialect(db);
  return transaction(
    db,
    async (tx) => {
      if (options.durable === false && dialect === "postgresql") await tx.$executeRawUnsafe("SET LOCAL synchronous_commit = off");
      return fn(makeLedger(tx, dialect));
    },
    { timeout: options.timeout ?? 15_000, maxWait: 15_000 },
  );
}

/**
 * Moves pending points whose time has come to available: a `release` entry for each, once
 * (keyed by the entry it releases), in batches. Returns how many entries were released.
 */
export async function releaseDuePoints(db: Db, now = new Date(), batch = 500): Promise<number> {
  let released = 0;
  for (;;) {
    const n = await withLedger(db, async ({ tx, postMany }) => {
      const due = await tx.pendingRelease.findMany({
        where: { dueAt: { lte: now } },
        orderBy: { dueAt: "asc" },
        take: batch,
      });
      if (due.length === 0) return 0;
      await tx.pendingRelease.deleteMany({ where: { entryId: { in: due.map((d) => d.entryId) } } });
      const posted = await postMany(
        due.map((d) => ({
          shopId: d.shopId,
          memberId: d.memberId,
          kind: "release" as const,
          points: d.points,
          status: "available" as const,
          availableAt: now,
          idempotencyKey: `release:${d.entryId}`,
          sourceType: "ledger",
          sourceId: d.entryId,
          actor: "system:release",
          reason: "Pending points became available",
          occurredAt: now,
        })),
      );
      return posted.size;
    });
    released += n;
    if (n < batch) return released;
  }
}
