// The club's figures: periods in the shop's time zone, the definitions the page and the metrics
// API show, and the arithmetic (rounding half up, ratios, the holdout comparison). Pure: the
// model (app/models/analytics.server.ts) reads the sums and this says what they mean.

/** Quarter hours since the Unix epoch: the unit the pre-aggregates are kept in (ADR 0015). */
export const SLOT_MS = 15 * 60_000;
export const slotOf = (at: Date) => Math.floor(at.getTime() / SLOT_MS);
export const MAX_PERIOD_DAYS = 731;

export interface Day {
  /** YYYY-MM-DD in the shop's time zone */
  date: string;
  start: Date;
  /** exclusive */
  end: Date;
}

export interface Period {
  from: string;
  to: string;
  start: Date;
  /** exclusive: the next day's local midnight */
  end: Date;
  days: Day[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as days since 1970-01-01, or null when it is no real date. */
export function dayNumber(date: string): number | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms).toISOString().slice(0, 10);
  return back === date ? ms / 86_400_000 : null;
}
export const dateOfDayNumber = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

/** The zone's offset from UTC at an instant, in minutes (east positive). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a local date begins in the zone (its first moment, also on days a DST change skips midnight). */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const n = dayNumber(date);
  if (n === null) throw new RangeError(`not a date: ${date}`);
  const guess = n * 86_400_000;
  // Two passes settle the offset around a DST change.
  let at = guess - zoneOffsetMinutes(timeZone, new Date(guess)) * 60_000;
  at = guess - zoneOffsetMinutes(timeZone, new Date(at)) * 60_000;
  // A day whose midnight does not exist starts at the first local time that does.
  if (localDate(new Date(at), timeZone) !== date) at += 3_600_000;
  return new Date(at);
}

/** The local date (YYYY-MM-DD) of an instant in the zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

export function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export type PeriodProblem = { path: "from" | "to"; message: string };

/** `from`..`to` inclusive in the zone, or what is wrong with them. */
export function periodOf(
  from: string,
  to: string,
  timeZone: string,
): { ok: true; period: Period } | { ok: false; errors: PeriodProblem[] } {
  const errors: PeriodProblem[] = [];
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (a === null) errors.push({ path: "from", message: "must be a date as YYYY-MM-DD" });
  if (b === null) errors.push({ path: "to", message: "must be a date as YYYY-MM-DD" });
  if (a !== null && b !== null && b < a) errors.push({ path: "to", message: "must not be before from" });
  if (a !== null && b !== null && b - a + 1 > MAX_PERIOD_DAYS)
    errors.push({ path: "to", message: `a period is at most ${MAX_PERIOD_DAYS} days` });
  if (errors.length) return { ok: false, errors };
  const days: Day[] = [];
  let start = startOfLocalDay(from, timeZone);
  for (let n = a!; n <= b!; n++) {
    const end = startOfLocalDay(dateOfDayNumber(n + 1), timeZone);
    days.push({ date: dateOfDayNumber(n), start, end });
    start = end;
  }
  return { ok: true, period: { from, to, start: days[0]!.start, end: days[days.length - 1]!.end, days } };
}

/** The period of the same number of days just before. */
export function previousPeriod(period: Period, timeZone: string): Period {
  const a = dayNumber(period.from)!;
  const n = dayNumber(period.to)! - a + 1;
  const result = periodOf(dateOfDayNumber(a - n), dateOfDayNumber(a - 1), timeZone);
  if (!result.ok) throw new Error("previous period out of range");
  return result.period;
}

// The page's date ranges: presets end today (in the shop's zone) and include it.
export const PRESETS = [
  { id: "7d", label: "Last 7 days", days: 7 },
  { id: "30d", label: "Last 30 days", days: 30 },
  { id: "90d", label: "Last 90 days", days: 90 },
  { id: "365d", label: "Last 365 days", days: 365 },
  { id: "month", label: "This month", days: 0 },
] as const;

/** The range a page URL asks for: `from`/`to`, else a preset (default: the last 30 days, today included). */
export function rangeOf(params: URLSearchParams, timeZone: string, now = new Date()) {
  const today = dayNumber(localDate(now, timeZone))!;
  const from = params.get("from");
  const to = params.get("to");
  if (from || to) return { preset: "custom", from: from ?? "", to: to ?? "" };
  const preset = PRESETS.find((p) => p.id === params.get("preset")) ?? PRESETS[1];
  if (preset.id === "month")
    return { preset: preset.id, from: `${dateOfDayNumber(today).slice(0, 8)}01`, to: dateOfDayNumber(today) };
  return { preset: preset.id, from: dateOfDayNumber(today - preset.days + 1), to: dateOfDayNumber(today) };
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

/** n ÷ d, 0 when d is 0. */
export const ratio = (n: number, d: number) => (d === 0 ? 0 : n / d);

/** sum ÷ count rounded half up (towards +∞ at .5), 0 when count is 0. Exact for any safe integers. */
export function meanHalfUp(sum: number, count: number): number {
  if (count === 0) return 0;
  const s = BigInt(sum);
  const c = BigInt(count);
  const twice = 2n * s + c;
  const den = 2n * c;
  // floor division for negative numerators too
  const q = twice / den - (twice % den !== 0n && twice < 0n ? 1n : 0n);
  return Number(q);
}

/** The holdout: a customer's stable position in [0, 2^32) (from a keyed hash) below the share. */
export function inHoldoutShare(position: number, percent: number): boolean {
  return percent > 0 && position * 100 < percent * 2 ** 32;
}

export interface GroupStats {
  customers: number;
  orders: number;
  revenueMinor: number;
  /** Σ revenue² per customer, for the variance */
  revenueSquares: number;
  repeaters: number;
}

export const HOLDOUT_MIN_CUSTOMERS = 30;
export const HOLDOUT_MIN_ORDERS = 50;

export type HoldoutComparison =
  | { ready: false; reason: string; holdoutCustomers: number; holdoutOrders: number }
  | {
      ready: true;
      revenuePerCustomer: { members: number; holdout: number };
      repeatRate: { members: number; holdout: number };
      aov: { members: number; holdout: number };
      /** (members' − holdout's revenue per customer) × members, minor units, with a 95% interval */
      incrementalRevenue: { value: number; low: number; high: number };
      incrementalMargin: number;
      programCost: number;
      /** (incremental gross margin − program cost) ÷ program cost; null when the program cost nothing */
      roi: number | null;
    };

/**
 * Members (customers the club invited) against the holdout (a random share never invited), per
 * customer with an order in the period. The difference of the means has a normal-approximation
 * 95% interval (Welch), scaled to all members.
 */
export function compareWithHoldout(
  members: GroupStats,
  holdout: GroupStats,
  grossMarginPercent: number,
  programCostMinor: number,
): HoldoutComparison {
  if (holdout.customers < HOLDOUT_MIN_CUSTOMERS || holdout.orders < HOLDOUT_MIN_ORDERS || members.customers < 2) {
    return {
      ready: false,
      reason: `The holdout needs at least ${HOLDOUT_MIN_CUSTOMERS} customers with ${HOLDOUT_MIN_ORDERS} orders in the period to compare (it has ${holdout.customers} with ${holdout.orders}).`,
      holdoutCustomers: holdout.customers,
      holdoutOrders: holdout.orders,
    };
  }
  const mean = (g: GroupStats) => g.revenueMinor / g.customers;
  const variance = (g: GroupStats) => Math.max(0, (g.revenueSquares - g.customers * mean(g) ** 2) / (g.customers - 1));
  const diff = mean(members) - mean(holdout);
  const se = Math.sqrt(variance(members) / members.customers + variance(holdout) / holdout.customers);
  const scale = members.customers;
  const value = Math.round(diff * scale);
  const margin = Math.round((value * grossMarginPercent) / 100);
  return {
    ready: true,
    revenuePerCustomer: { members: Math.round(mean(members)), holdout: Math.round(mean(holdout)) },
    repeatRate: { members: ratio(members.repeaters, members.customers), holdout: ratio(holdout.repeaters, holdout.customers) },
    aov: { members: meanHalfUp(members.revenueMinor, members.orders), holdout: meanHalfUp(holdout.revenueMinor, holdout.orders) },
    incrementalRevenue: { value, low: Math.round((diff - 1.96 * se) * scale), high: Math.round((diff + 1.96 * se) * scale) },
    incrementalMargin: margin,
    programCost: programCostMinor,
    roi: programCostMinor > 0 ? (margin - programCostMinor) / programCostMinor : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Definitions: one line under every figure, the same words in the API.

export const DEFINITIONS = {
  participation_rate: "Customers with a member order ÷ customers with an order (orders paid in the period, not cancelled).",
  points_issued: "Points of earn, bonus, referral and positive adjustment or import entries created in the period.",
  points_redeemed: "Points spent on redemptions created in the period, less those given back.",
  redemption_rate: "Points redeemed ÷ points issued (0 when none were issued).",
  points_outstanding: "All members' available and pending points at the end of the period.",
  repeat_rate_members: "Among customers whose orders in the period include a member order, the share with 2 or more orders.",
  repeat_rate_non_members: "Among customers whose orders in the period include no member order, the share with 2 or more orders.",
  aov_members_minor: "Mean merchandise subtotal less refunds of member orders (orders that earned points), rounded half up.",
  aov_non_members_minor: "Mean merchandise subtotal less refunds of the other orders, guest orders included, rounded half up.",
  redemptions: "Redemptions created in the period whose points were not given back.",
  redemptions_used: "Of those redemptions, the ones whose code was used in a paid order.",
  reward_discount_minor: "Discount given by reward codes on orders paid in the period (the club's cost).",
  reward_revenue_minor:
    "Merchandise subtotal less refunds of the orders paid in the period that used a reward code (the return).",
  referral_orders: "First paid orders of referred friends in the period (referrals the fraud rules refused not counted).",
  // Beyond the contract's list
  orders: "Orders paid in the period and not cancelled since, guest orders included.",
  revenue_minor: "Their merchandise subtotals less refunds.",
  members_joined: "Customers enrolled in the club in the period.",
  active_members: "Members with a member order in the period.",
  points_expired: "Points that expired in the period.",
  liability_minor: "Points outstanding at the end of the period × the value of a point (the best fixed-amount reward's rate).",
  purchase_frequency_members: "Orders per customer in the period, among customers with a member order.",
  purchase_frequency_non_members: "Orders per customer in the period, among customers with no member order.",
  referral_links_shared: "Times members copied or shared their referral link from the storefront launcher in the period.",
  referral_links_opened: "Visits to the store through a referral link in the period (each page load with a valid ?ref= code).",
  referral_conversion: "Referral orders ÷ referral links opened (0 when none were opened).",
} as const;

export type MetricName = keyof typeof DEFINITIONS;

/** What a point is worth to a shopper: the best rate among fixed-amount rewards (minor units per point), 0 without one. */
export function valuePerPoint(rewards: ReadonlyArray<{ type: string; pointsCost: number; valueMinor: number | null }>): number {
  let best = 0;
  for (const r of rewards)
    if (r.type === "fixed_amount" && r.valueMinor && r.pointsCost > 0) best = Math.max(best, r.valueMinor / r.pointsCost);
  return best;
}

/**
 * Daily values summed into runs of whole days for a bar chart that must stay legible (a bar a
 * day up to `maxBars` days; beyond, 7 days a bar, then 30, …), each keyed by its first date.
 */
export function barsOf(days: ReadonlyArray<{ key: string; value: number }>, maxBars = 62) {
  let width = 1;
  for (const w of [1, 7, 30, 91]) {
    width = w;
    if (Math.ceil(days.length / w) <= maxBars) break;
  }
  const bars: Array<{ key: string; value: number }> = [];
  days.forEach((d, i) => {
    if (i % width === 0) bars.push({ key: d.key, value: 0 });
    bars[bars.length - 1]!.value += d.value;
  });
  return { width, bars };
}

// ---------------------------------------------------------------------------------------------
// Tier movement: a member's tier changes as recorded (oldest first); over a period a member moved
// from the tier before their first change to the tier after their last, up or down by the
// thresholds as they were then. A member back where they started did not move.

export interface TierChangeRow {
  memberId: string;
  fromTier: string | null;
  /** -1: no tier */
  fromThreshold: number;
  toTier: string | null;
  toThreshold: number;
}

export const NO_TIER = "No tier";

export function tierMoves(changes: readonly TierChangeRow[]) {
  const span = new Map<string, { from: TierChangeRow; to: TierChangeRow }>();
  for (const c of changes) {
    const known = span.get(c.memberId);
    span.set(c.memberId, { from: known?.from ?? c, to: c });
  }
  const moves = new Map<string, { from: string; to: string; direction: "up" | "down"; members: number }>();
  let up = 0;
  let down = 0;
  for (const { from, to } of span.values()) {
    if (from.fromThreshold === to.toThreshold && from.fromTier === to.toTier) continue;
    const direction = to.toThreshold > from.fromThreshold ? "up" : "down";
    if (direction === "up") up++;
    else down++;
    const [a, b] = [from.fromTier ?? NO_TIER, to.toTier ?? NO_TIER];
    const key = `${a}\u0000${b}`;
    const move = moves.get(key) ?? { from: a, to: b, direction, members: 0 };
    move.members++;
    moves.set(key, move);
  }
  return {
    up,
    down,
    moves: [...moves.values()].sort((x, y) => y.members - x.members || x.from.localeCompare(y.from) || x.to.localeCompare(y.to)),
  };
}

// ---------------------------------------------------------------------------------------------
// Customer value: recency, frequency, monetary, each scored 1–5 by quintile, into named segments.

export interface RfmInput {
  customerId: string;
  lastOrderAt: Date;
  orders: number;
  revenueMinor: number;
}

export const RFM_SEGMENTS = ["Champions", "Loyal", "Promising", "Needs attention", "At risk", "Lost"] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

function quintiles(values: number[]): (v: number) => number {
  const sorted = [...values].sort((a, b) => a - b);
  return (v) => {
    if (sorted.length === 0) return 1;
    // rank of v: how many are below it, as a share
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(5, 1 + Math.floor((lo / sorted.length) * 5));
  };
}

export function rfmSegments(rows: readonly RfmInput[], now: Date) {
  const recency = quintiles(rows.map((r) => r.lastOrderAt.getTime()));
  const frequency = quintiles(rows.map((r) => r.orders));
  const monetary = quintiles(rows.map((r) => r.revenueMinor));
  return rows.map((r) => {
    const R = recency(r.lastOrderAt.getTime());
    const F = frequency(r.orders);
    const M = monetary(r.revenueMinor);
    return {
      ...r,
      r: R,
      f: F,
      m: M,
      segment: segmentOf(R, F, M),
      daysSinceLastOrder: Math.floor((now.getTime() - r.lastOrderAt.getTime()) / 86_400_000),
    };
  });
}

export function segmentOf(r: number, f: number, m: number): RfmSegment {
  const fm = (f + m) / 2;
  if (r >= 4 && fm >= 4) return "Champions";
  if (r >= 3 && fm >= 3) return "Loyal";
  if (r >= 4) return "Promising";
  if (r === 3) return "Needs attention";
  if (fm >= 3) return "At risk";
  return "Lost";
}
