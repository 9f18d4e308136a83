// The only code that changes a balance. Each change is an append-only LedgerEntry written in
// the same transaction as the member's balance row, under a unique idempotency key.
import { randomUUID } from "node:crypto";
import { balanceDelta, releaseDelta, type EntryKind, type EntryStatus } from "~/domain/ledger";
import type { Db, Tx } from "~/db.server";

export interface NewEntry {
  shopId: string;
  memberId: string;
  kind: EntryKind;
  points: number;
  status: EntryStatus;
  availableAt: Date;
  idempotencyKey: string;
  sourceType: string;
  sourceId?: string | null;
  programVersion?: number | null;
  rateNum?: number | null;
  rateDen?: number | null;
  actor: string;
  reason: string;
  occurredAt: Date;
}

export class InsufficientPointsError extends Error {
  readonly code = "insufficient_points";
  constructor() {
    super("not enough available points");
  }
}

/**
 * Appends the entry and moves the balance, once per idempotency key. Must run inside the
 * caller's transaction. With `spend`, the debit happens only if the available balance covers
 * it (one guarded statement), else InsufficientPointsError and the transaction rolls back.
 */
export async function postEntry(tx: Tx, entry: NewEntry, options: { spend?: boolean } = {}): Promise<{ posted: boolean }> {
  if (!Number.isSafeInteger(entry.points) || entry.points === 0) throw new RangeError(`points must be a non-zero integer`);
  // The unique (shopId, idempotencyKey) decides: a key seen before posts nothing. ON CONFLICT
  // keeps the transaction usable on PostgreSQL, where a failed insert would abort it.
  const inserted = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "LedgerEntry" ("id", "shopId", "memberId", "kind", "points", "status", "availableAt", "idempotencyKey",
      "sourceType", "sourceId", "programVersion", "rateNum", "rateDen", "actor", "reason", "occurredAt", "createdAt")
    VALUES (${`le_${randomUUID()}`}, ${entry.shopId}, ${entry.memberId}, ${entry.kind}, ${entry.points}, ${entry.status},
      ${entry.availableAt}, ${entry.idempotencyKey}, ${entry.sourceType}, ${entry.sourceId ?? null}, ${entry.programVersion ?? null},
      ${entry.rateNum ?? null}, ${entry.rateDen ?? null}, ${entry.actor}, ${entry.reason}, ${entry.occurredAt}, ${new Date()})
    ON CONFLICT ("shopId", "idempotencyKey") DO NOTHING
    RETURNING "id"`;
  if (inserted.length === 0) return { posted: false };

  const d = balanceDelta(entry);
  // One guarded statement moves the balance (and, with `spend`, only if it covers the debit).
  const moved = await tx.$executeRaw`
    UPDATE "Member" SET
      "available" = "available" + ${d.available},
      "pending" = "pending" + ${d.pending},
      "lifetimeEarned" = "lifetimeEarned" + ${d.lifetimeEarned},
      "lastActivityAt" = CASE WHEN "lastActivityAt" IS NULL OR "lastActivityAt" < ${entry.occurredAt} THEN ${entry.occurredAt} ELSE "lastActivityAt" END
    WHERE "id" = ${entry.memberId} AND "shopId" = ${entry.shopId} AND (${options.spend ? 1 : 0} = 0 OR "available" + ${d.available} >= 0)`;
  if (moved !== 1) {
    // Throwing rolls the caller's transaction back, entry included.
    if (options.spend) throw new InsufficientPointsError();
    throw new Error(`member ${entry.memberId} not found in shop ${entry.shopId}`);
  }
  return { posted: true };
}

/** Moves pending points whose time has come to available. Returns how many entries were released. */
export async function releaseDuePoints(db: Db, now = new Date(), batch = 500): Promise<number> {
  const due = await db.ledgerEntry.findMany({
    where: { status: "pending", availableAt: { lte: now } },
    select: { id: true, memberId: true, points: true },
    orderBy: { availableAt: "asc" },
    take: batch,
  });
  let released = 0;
  for (const entry of due) {
    await db.$transaction(async (tx) => {
      // Guarded: only the releaser that flips the status moves the balance.
      const flipped = await tx.ledgerEntry.updateMany({
        where: { id: entry.id, status: "pending" },
        data: { status: "available" },
      });
      if (flipped.count !== 1) return;
      const delta = releaseDelta(entry.points);
      await tx.member.update({
        where: { id: entry.memberId },
        data: { available: { increment: delta.available }, pending: { increment: delta.pending } },
      });
      released++;
    });
  }
  return released;
}
