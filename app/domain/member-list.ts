// The merchant's member list: what a request may ask for (search, filters, sort) and the cursor
// that pages through it. Pages are keyset pages — (sort value, id) after the last row seen — so
// page 2,000 costs what page 1 costs; an offset would read every row before it.
import { z } from "zod";
import { tagList } from "./program";

export const MEMBER_SORTS = ["joined", "balance", "lifetime", "last_activity"] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];
/** The column each sort reads (each has an index on (shopId, column, id)). */
export const SORT_COLUMN = {
  joined: "enrolledAt",
  balance: "available",
  lifetime: "lifetimeEarned",
  last_activity: "lastActivityAt",
} as const satisfies Record<MemberSort, string>;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "must be a real date");
const points = z.coerce.number("must be a number").int("must be a whole number").min(-1_000_000_000).max(1_000_000_000);
const blankAsMissing = (v: unknown) => (v === "" || v === null ? undefined : v);

/** The query string of GET /app/api/members and the members page (one schema for both). */
export const MemberListQuery = z
  .object({
    query: z.string().trim().max(200).default(""),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    sort: z.enum(MEMBER_SORTS).default("joined"),
    direction: z.enum(["asc", "desc"]).default("desc"),
    /** a tier's id, or "none" for members below every tier */
    tier: z.string().max(100).optional(),
    balanceMin: points.optional(),
    balanceMax: points.optional(),
    /** last activity on or after this day (UTC) */
    activeSince: day.optional(),
    /** no activity since this day (UTC): last activity before it, or never */
    inactiveSince: day.optional(),
    /** "1": only customers with the pilot's tag */
    pilot: z.enum(["1"]).optional(),
    /** "1": only customers the merchant excluded from the club; "0": only the others */
    excluded: z.enum(["0", "1"]).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.balanceMin !== undefined && q.balanceMax !== undefined && q.balanceMin > q.balanceMax)
      ctx.addIssue({ code: "custom", path: ["balanceMax"], message: "must not be below the minimum balance" });
  });
export type MemberListQuery = z.output<typeof MemberListQuery>;

/** The query parameters as the schema reads them (empty values taken as not given). */
export function memberListQuery(params: URLSearchParams) {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(MemberListQuery.shape ?? {})) raw[key] = blankAsMissing(params.get(key) ?? undefined);
  return MemberListQuery.safeParse(raw);
}

/**
 * Where a page ends, as the next request sends it back: the last row's sort value and id.
 * `v` is null for a member never active (last activity sorts them as the oldest: first when
 * ascending, last when descending). Dates travel as epoch milliseconds.
 */
export interface MemberCursor {
  v: number | null;
  id: string;
}

export function encodeCursor(cursor: MemberCursor, sort: MemberSort, direction: "asc" | "desc"): string {
  return Buffer.from(JSON.stringify({ s: sort, d: direction, v: cursor.v, id: cursor.id })).toString("base64url");
}

/** The cursor, or null when it is unreadable or was made for another sort (the list then starts over). */
export function decodeCursor(text: string | undefined, sort: MemberSort, direction: "asc" | "desc"): MemberCursor | null {
  if (!text) return null;
  try {
    const c = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Record<string, unknown>;
    if (c.s !== sort || c.d !== direction || typeof c.id !== "string") return null;
    if (c.v !== null && (typeof c.v !== "number" || !Number.isFinite(c.v))) return null;
    return { v: c.v as number | null, id: c.id };
  } catch {
    return null;
  }
}

/**
 * The lifetime-points range of a tier: from its threshold up to (not including) the next
 * tier's; "none" is below the lowest tier. null: no such tier.
 */
export function tierRange(
  tier: string,
  tiers: ReadonlyArray<{ id: string; threshold: number }>,
): { gte?: number; lt?: number } | null {
  const sorted = [...tiers].sort((a, b) => a.threshold - b.threshold);
  if (tier === "none") return sorted.length ? { lt: sorted[0]!.threshold } : {};
  const i = sorted.findIndex((t) => t.id === tier);
  if (i < 0) return null;
  const next = sorted[i + 1];
  return next ? { gte: sorted[i]!.threshold, lt: next.threshold } : { gte: sorted[i]!.threshold };
}

/** How a name is kept for search: lower-cased, spaces folded. */
export function nameKey(name: string | null | undefined): string | null {
  const k = (name ?? "").trim().replace(/\s+/g, " ").toLowerCase();
  return k ? k.slice(0, 200) : null;
}

/** The search keys of a customer's name: "first last" and "last first" (a search matches either's start). */
export function nameKeys(first: string | null | undefined, last: string | null | undefined) {
  return { nameKey: nameKey(fullName(first, last)), nameKeyLast: nameKey(fullName(last, first)) };
}

/** A customer's display name from Shopify's first and last name. */
export function fullName(first: string | null | undefined, last: string | null | undefined): string | null {
  const n = [first, last]
    .map((s) => (s ?? "").trim())
    .filter(Boolean)
    .join(" ");
  return n ? n.slice(0, 200) : null;
}

/** Excluding a member from the club, or letting them back in (API and the member page). */
export const Exclusion = z.object({ excluded: z.boolean("must be true or false") });

/**
 * A customer's tags as one string a whole tag can be found in on both databases: lower-cased
 * (Shopify's tags ignore case) between commas, ",vip,early,". `contains ",vip,"` then matches
 * the tag "VIP" and never "vipvip" or "vip-old".
 */
export function tagKey(tags: string | null | undefined): string {
  return `,${tagList(tags)
    .map((t) => t.toLowerCase())
    .join(",")},`.replace(/^,,$/, ",");
}
