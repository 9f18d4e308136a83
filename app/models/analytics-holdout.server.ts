// The holdout: a stable random share of a shop's customers the club never invites, so that its
// effect can be measured against them (ADR 0015). A customer's place is a keyed hash of their id
// under the shop: the same customer is always in or out, and raising the share keeps everyone
// who was in. Those kept out are recorded (HoldoutCustomer) when one of their orders is decided.
import { inHoldoutShare } from "~/domain/analytics";
import { Prisma, rawExecute, type Dialect, type Tx, type Db } from "~/db.server";
import { personalDataHash } from "~/secrets.server";

/** The customer's place in [0, 2^32): the first 4 bytes of HMAC(shop key, customer id). */
export function holdoutPosition(shopId: string, customerId: string): number {
  return parseInt(personalDataHash(shopId, "holdout", customerId).slice(0, 8), 16);
}

/** Whether the shop's holdout (percent of customers) keeps this customer out of the club. */
export function inHoldout(shopId: string, customerId: string, percent: number): boolean {
  return percent > 0 && inHoldoutShare(holdoutPosition(shopId, customerId), percent);
}

/** Records the batch's held-out customers (once each). */
export async function recordHoldout(tx: Tx | Db, dialect: Dialect, rows: ReadonlyArray<{ shopId: string; customerId: string }>) {
  const unique = new Map(rows.map((r) => [`${r.shopId}\u0000${r.customerId}`, r]));
  if (unique.size === 0) return;
  await rawExecute(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "HoldoutCustomer" ("shopId", "customerId")
      VALUES ${Prisma.join([...unique.values()].map((r) => Prisma.sql`(${r.shopId}, ${r.customerId})`))}
      ON CONFLICT DO NOTHING`,
  );
}
