// Points expiry by inactivity (off by default): a scheduled job writes an `expiry` entry for the
// whole available balance of members inactive for the program's expiryDays.
import { expiringPoints } from "~/domain/ledger";
import type { Db } from "~/db.server";
import { withLedger } from "./ledger.server";
import { currentRules } from "./shops.server";

export async function expireInactivePoints(db: Db, now = new Date()): Promise<number> {
  let expired = 0;
  const shops = await db.shop.findMany({ where: { uninstalledAt: null }, select: { id: true, programVersion: true } });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (rules.expiryDays === null) continue;
    const cutoff = new Date(now.getTime() - rules.expiryDays * 86_400_000);
    const members = await db.member.findMany({
      where: { shopId: shop.id, available: { gt: 0 }, lastActivityAt: { lte: cutoff } },
      select: { id: true },
      take: 1000,
    });
    for (const { id } of members) {
      await withLedger(db, async ({ tx, spend }) => {
        // Re-read inside the transaction: activity since the query above cancels the expiry.
        const m = await tx.member.findUniqueOrThrow({ where: { id } });
        const points = expiringPoints(m.available, m.lastActivityAt, rules.expiryDays, now);
        if (points <= 0) return;
        const { posted } = await spend({
          shopId: shop.id,
          memberId: id,
          kind: "expiry",
          points: -points,
          status: "available",
          availableAt: now,
          idempotencyKey: `expiry:${id}:${m.lastActivityAt!.toISOString()}`,
          sourceType: "expiry",
          programVersion: rules.version,
          actor: "system:expiry",
          reason: `Points expired after ${rules.expiryDays} days without activity`,
          occurredAt: m.lastActivityAt!,
        });
        if (posted) expired++;
      });
    }
  }
  return expired;
}
