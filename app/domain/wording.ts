// How the admin says things in English: counts with the right plural, who made a ledger entry,
// and what a reconciliation run found. Pure functions, so the pages and tests agree on the words.

const number = new Intl.NumberFormat("en");
const rules = new Intl.PluralRules("en");

/** "1 row", "2 rows", "1,250 points". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${number.format(n)} ${rules.select(n) === "one" ? one : many}`;
}

/** Who a ledger entry's actor is, as the merchant reads it in a member's history. */
export function actorLabel(actor: string): string {
  if (actor.startsWith("webhook:")) return "Order";
  if (actor === "shopper") return "Member";
  const system: Record<string, string> = {
    "system:reconciliation": "Order check",
    "system:birthday": "Birthday bonus",
    "system:expiry": "Expiry",
    "system:redemption": "Reward",
    "system:release": "Pending points",
  };
  if (system[actor]) return system[actor];
  if (actor.startsWith("system:")) return "Loyalty Club";
  // Otherwise the staff member's user id (the session token's `sub`).
  return /^\d+$/.test(actor) ? `Staff #${actor}` : "Staff";
}

export interface ReconciliationFindings {
  ordersChecked: number;
  missedPaid: number;
  missedCancelled: number;
  missedRefunds: number;
  pointsCredited: number;
  pointsReversed: number;
}

/** What a run found, in one sentence or two; `when` is the run's date as the page shows it. */
export function reconciliationSummary(r: ReconciliationFindings, when: string): string {
  const sentences: string[] = [];
  if (r.missedPaid > 0) {
    const points = r.pointsCredited > 0 ? ` (${count(r.pointsCredited, "point")})` : "";
    sentences.push(
      `${count(r.missedPaid, "order")} ${r.missedPaid === 1 ? "was" : "were"} missed and credited on ${when}${points}.`,
    );
  }
  const takeBacks = [
    r.missedCancelled > 0 ? count(r.missedCancelled, "cancellation") : null,
    r.missedRefunds > 0 ? count(r.missedRefunds, "refund") : null,
  ].filter(Boolean);
  if (takeBacks.length > 0) {
    const points = r.pointsReversed > 0 ? ` (${count(r.pointsReversed, "point")})` : "";
    const several = r.missedCancelled + r.missedRefunds > 1;
    sentences.push(
      `${takeBacks.join(" and ")} ${several ? "were" : "was"} missed and taken back${sentences.length ? "" : ` on ${when}`}${points}.`,
    );
  }
  if (sentences.length === 0) return `${count(r.ordersChecked, "order")} checked with Shopify on ${when}: nothing was missed.`;
  return sentences.join(" ");
}

/** The toast after "Check now". */
export function reconciliationToast(r: ReconciliationFindings): string {
  const parts = [
    r.missedPaid > 0 ? `${count(r.missedPaid, "missed order")} credited` : null,
    r.missedCancelled > 0 ? `${count(r.missedCancelled, "cancellation")} taken back` : null,
    r.missedRefunds > 0 ? `${count(r.missedRefunds, "refund")} taken back` : null,
  ].filter(Boolean);
  return `${count(r.ordersChecked, "order")} checked: ${parts.length ? parts.join(", ") : "nothing missed"}`;
}

/** An API message ("must be at most 90") as a sentence beside a field ("Must be at most 90."). */
export function sentence(message: string): string {
  const t = message.trim();
  if (!t) return t;
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".");
}
