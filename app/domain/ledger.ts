// Ledger entry kinds and how each moves a member's balance. The database layer applies
// exactly these effects in the same transaction that appends the entry.

export const ENTRY_KINDS = [
  "earn",
  "redeem",
  "reversal",
  "adjustment",
  "expiry",
  "bonus",
  "referral",
  "refund_of_redemption",
  // points brought in by the merchant's import of a members file (e.g. from an earlier program)
  "import",
  // points spent on entries to a seasonal draw, and given back when the merchant cancels it
  "draw_entry",
  "draw_refund",
  // internal: pending points (of the entry named by the key) becoming available; folded into that entry for shoppers
  "release",
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export type EntryStatus = "pending" | "available";

/** A ledger entry as a rule decides it; the ledger adds the shop, the actor and its key's hash. */
export interface EntryDraft {
  memberId: string;
  kind: EntryKind;
  points: number;
  status: EntryStatus;
  availableAt: Date;
  idempotencyKey: string;
  sourceType: string;
  sourceId?: string | null;
  /** the program version, and the rate, the points were earned under (a reversal reuses them) */
  programVersion?: number | null;
  rateNum?: number | null;
  rateDen?: number | null;
  reason: string;
  occurredAt: Date;
}

export interface BalanceDelta {
  available: number;
  pending: number;
  /** lifetime points earned, net of reversals: what tiers are measured on */
  lifetimeEarned: number;
}

export interface Balance {
  available: number;
  pending: number;
  lifetimeEarned: number;
}

// Imported points were earned elsewhere before: like adjustments they count towards tiers.
export const COUNTS_TOWARDS_LIFETIME: ReadonlySet<EntryKind> = new Set([
  "earn",
  "reversal",
  "bonus",
  "referral",
  "adjustment",
  "import",
]);

export function balanceDelta(entry: { kind: EntryKind; points: number; status: EntryStatus }): BalanceDelta {
  if (entry.kind === "release") return releaseDelta(entry.points);
  return {
    available: entry.status === "available" ? entry.points : 0,
    pending: entry.status === "pending" ? entry.points : 0,
    lifetimeEarned: COUNTS_TOWARDS_LIFETIME.has(entry.kind) ? entry.points : 0,
  };
}

/** The delta of releasing pending points (a `release` entry): they move from pending to available. */
export function releaseDelta(points: number): BalanceDelta {
  return { available: points, pending: -points, lifetimeEarned: 0 };
}

export function applyDelta(balance: Balance, delta: BalanceDelta): Balance {
  return {
    available: balance.available + delta.available,
    pending: balance.pending + delta.pending,
    lifetimeEarned: balance.lifetimeEarned + delta.lifetimeEarned,
  };
}

export const EMPTY_BALANCE: Balance = { available: 0, pending: 0, lifetimeEarned: 0 };

/** A negative or short balance blocks redemption until earnings bring it back. */
export function canSpend(available: number, cost: number): boolean {
  return cost > 0 && available >= cost;
}

/** Points that expire for inactivity: all that is available, if any, once the window has passed. */
export function expiringPoints(available: number, lastActivityAt: Date | null, expiryDays: number | null, now: Date): number {
  if (expiryDays === null || available <= 0 || lastActivityAt === null) return 0;
  return now.getTime() - lastActivityAt.getTime() >= expiryDays * 86_400_000 ? available : 0;
}
