// Seasonal draws: what an entry request may take, and who wins. Pure: the model locks the draw and
// the entrant, asks `planEntry`, and writes what it says; `drawWinners` is the algorithm the
// public proof lets anyone repeat (docs/http.md "Seasonal draws"; scripts/verify-draw.mjs).
import { sha256, sha256Hex } from "./sha256";

export type DrawState = "open" | "drawn" | "cancelled";

export interface DrawRules {
  state: DrawState;
  endsAt: Date;
  pointsPerEntry: number;
  maxEntriesPerCustomer: number;
  /** tickets handed out so far: the next accepted entry starts at this number */
  nextTicket: number;
}

export interface EntrantStanding {
  entries: number;
  freeUsed: boolean;
}

export type EntryRequest = { free: true } | { free: false; entries: number };

/** The refusals, in the order the contract answers them when several apply. */
export const ENTRY_REFUSALS = ["draw_closed", "free_entry_used", "entry_limit", "insufficient_points"] as const;
export type EntryRefusal = (typeof ENTRY_REFUSALS)[number];

export interface EntryPlan {
  entries: number;
  cost: number;
  firstTicket: number;
  lastTicket: number;
  standing: EntrantStanding;
}

export function drawOpen(draw: Pick<DrawRules, "state" | "endsAt">, now: Date): boolean {
  return draw.state === "open" && now.getTime() < draw.endsAt.getTime();
}

/** What one entry request takes: its tickets and points, or the first refusal that applies. */
export function planEntry(
  draw: DrawRules,
  entrant: EntrantStanding,
  request: EntryRequest,
  available: number,
  now: Date,
): EntryPlan | { refused: EntryRefusal } {
  if (!drawOpen(draw, now)) return { refused: "draw_closed" };
  if (request.free && entrant.freeUsed) return { refused: "free_entry_used" };
  const entries = request.free ? 1 : request.entries;
  if (entrant.entries + entries > draw.maxEntriesPerCustomer) return { refused: "entry_limit" };
  const cost = request.free ? 0 : entries * draw.pointsPerEntry;
  if (cost > 0 && available < cost) return { refused: "insufficient_points" };
  return {
    entries,
    cost,
    firstTicket: draw.nextTicket,
    lastTicket: draw.nextTicket + entries - 1,
    standing: { entries: entrant.entries + entries, freeUsed: entrant.freeUsed || request.free },
  };
}

export interface TicketRange<T> {
  owner: T;
  from: number;
  to: number;
}

/** The k-th pick: SHA-256 of "<seed>:<k>", its first 8 bytes as an unsigned big-endian integer, mod N. */
export function pickTicket(seed: string, k: number, tickets: number): number {
  const h = sha256(`${seed}:${k}`);
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 8n) | BigInt(h[i]!);
  return Number(value % BigInt(tickets));
}

/**
 * The winners: for k = 0, 1, 2, … the k-th pick's owner wins unless they already have, until
 * `winners` owners have won or every owner has. `tickets` must cover 0..N-1 (in any order).
 */
export function drawWinners<T>(
  seed: string,
  tickets: ReadonlyArray<TicketRange<T>>,
  winners: number,
): Array<{ owner: T; ticket: number }> {
  const ranges = [...tickets].sort((a, b) => a.from - b.from);
  const total = ranges.reduce((n, r) => n + (r.to - r.from + 1), 0);
  const owners = new Set(ranges.map((r) => r.owner));
  const wanted = Math.min(winners, owners.size);
  const won = new Set<T>();
  const out: Array<{ owner: T; ticket: number }> = [];
  for (let k = 0; out.length < wanted; k++) {
    const ticket = pickTicket(seed, k, total);
    const owner = ownerOf(ranges, ticket);
    if (won.has(owner)) continue;
    won.add(owner);
    out.push({ owner, ticket });
  }
  return out;
}

function ownerOf<T>(ranges: ReadonlyArray<TicketRange<T>>, ticket: number): T {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ranges[mid]!.from <= ticket) lo = mid;
    else hi = mid - 1;
  }
  return ranges[lo]!.owner;
}

/** The public commitment to a seed: lowercase hex SHA-256 of its 64 hex characters. */
export const commitmentOf = (seed: string): string => sha256Hex(seed);

export const SEED_PATTERN = /^[0-9a-f]{64}$/;
