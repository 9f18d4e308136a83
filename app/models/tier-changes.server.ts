// Tier changes as rows, for the Analytics page's tier movement: written where the ledger detects a
// change (the tier.changed events the posting plans, app/models/outbox.server.ts), in the same
// transaction, once per event key. How a tier is computed is not decided here: this only keeps
// what the detection said, with the thresholds of the tiers as they were then.
import type { EventDraft } from "~/domain/events";
import { Prisma, rawExecute, type Dialect, type Tx } from "~/db.server";

export async function recordTierChanges(
  tx: Tx,
  dialect: Dialect,
  events: ReadonlyArray<EventDraft & { shopId: string }>,
  tiers: ReadonlyArray<{ shopId: string; name: string; threshold: number }>,
  now = new Date(),
) {
  const threshold = (shopId: string, name: string | null | undefined) =>
    name ? (tiers.find((t) => t.shopId === shopId && t.name === name)?.threshold ?? -1) : -1;
  const rows = events
    .filter((e) => e.type === "tier.changed")
    .map(
      (e) =>
        Prisma.sql`(${e.shopId}, ${e.memberId}, ${e.eventKey}, ${e.data.previousTier ?? null}, ${e.data.tier ?? null},
          ${threshold(e.shopId, e.data.previousTier)}, ${threshold(e.shopId, e.data.tier)}, ${now})`,
    );
  if (rows.length === 0) return;
  await rawExecute(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "TierChange" ("shopId", "memberId", "eventKey", "fromTier", "toTier", "fromThreshold", "toThreshold", "createdAt")
      VALUES ${Prisma.join(rows)} ON CONFLICT ("shopId", "eventKey") DO NOTHING`,
  );
}
