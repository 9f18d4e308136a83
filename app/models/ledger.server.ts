// The only code that changes a balance. Each change is an append-only LedgerEntry written in
// the same transaction as the member's balance row, under a unique idempotency key.
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
  const existing = await tx.ledgerEntry.findUnique({
    where: { shopId_idempotencyKey: { shopId: entry.shopId, idempotencyKey: entry.idempotencyKey } },
    select: { id: true },
  });
  if (existing) return { posted: false };

  const delta = balanceDelta(entry);
  const moved = await tx.member.updateMany({
    where: {
      id: entry.memberId,
      shopId: entry.shopId,
      ...(options.spend ? { available: { gte: -delta.available } } : {}),
    },
    data: {
      available: { increment: delta.available },
      pending: { increment: delta.pending },
      lifetimeEarned: { increment: delta.lifetimeEarned },
    },
  });
  if (moved.count !== 1) {
    if (options.spend) throw new InsufficientPointsError();
    throw new Error(`member ${entry.memberId} not found in shop ${entry.shopId}`);
  }
  await tx.ledgerEntry.create({ data: entry });
  await tx.member.updateMany({
    where: { id: entry.memberId, OR: [{ lastActivityAt: null }, { lastActivityAt: { lt: entry.occurredAt } }] },
    data: { lastActivityAt: entry.occurredAt },
  });
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
