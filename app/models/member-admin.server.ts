// What the merchant does with members: list and search them, look at one, adjust points, export
// them as CSV and import points from a file. Every change of points goes through the ledger
// under an idempotency key: `adjustment:<client key>`, `import:<file hash>:<row>`.
import { createHash } from "node:crypto";
import { csvLine } from "~/domain/csv";
import { parseMemberImport, type ImportRow, type RowError } from "~/domain/member-import";
import type { FieldError } from "~/domain/program-document";
import { tierStanding, tierValueColumn, tierValueOf } from "~/domain/tiers";
import {
  decodeCursor,
  encodeCursor,
  SORT_COLUMN,
  tagKey,
  tierRange,
  type MemberListQuery,
  type MemberSort,
} from "~/domain/member-list";
import type { Db, Prisma } from "~/db.server";
import type { AdminGraphql } from "~/shopify/discounts.server";
import { customersByEmail, customersById, type ShopifyCustomer } from "~/shopify/customers.server";
import { IdempotencyConflictError, withLedger } from "./ledger.server";
import { ensureMembers } from "./members.server";
import { currentRules, tierSetup } from "./shops.server";

type TierSetup = Awaited<ReturnType<typeof tierSetup>>;

interface MemberRow {
  id: string;
  customerId: string | null;
  email: string | null;
  name: string | null;
  available: number;
  pending: number;
  lifetimeEarned: number;
  tierValue: number;
  state: string;
  enrolledAt: Date;
  lastActivityAt: Date | null;
  excludedAt: Date | null;
  excludedBy: string | null;
}

const memberView = (m: MemberRow, { entry, tiers }: TierSetup) => ({
  customerId: m.customerId!,
  email: m.email,
  name: m.name,
  state: m.state,
  points: { available: m.available, pending: m.pending, lifetime: m.lifetimeEarned },
  tier: tierStanding(tierValueOf(m, entry), tiers).tier?.name ?? null,
  enrolledAt: m.enrolledAt.toISOString(),
  lastActivityAt: m.lastActivityAt?.toISOString() ?? null,
  excluded: m.excludedAt ? { at: m.excludedAt.toISOString(), by: m.excludedBy ?? "staff" } : null,
});

const memberSelect = {
  id: true,
  customerId: true,
  email: true,
  name: true,
  available: true,
  pending: true,
  lifetimeEarned: true,
  tierValue: true,
  state: true,
  enrolledAt: true,
  lastActivityAt: true,
  excludedAt: true,
  excludedBy: true,
} as const;

/** A prefix as a range, which an index on (shopId, column) answers on both databases. */
const prefix = (q: string) => ({ gte: q, lt: `${q}\uffff`, startsWith: q });

/** More matches than this: the search is read along the sort's index instead (see searchCondition). */
const DENSE_SEARCH = 500;

/**
 * The search as a condition, in the form that is fast for how many members it matches. Few
 * matches: as index ranges on email, name and last name (each a range on its own index), then
 * sorted. Many (a common first name): sorting thousands of rows would cost more than walking the
 * sort's index until a page is full, so the search is given as a plain pattern, which neither
 * database's planner reads from those indexes (a LIKE that ignores case), and the sort's index
 * drives. A bounded count of the search's matches decides.
 */
async function searchCondition(db: Db, shopId: string, q: string): Promise<Prisma.MemberWhereInput> {
  const id = /^\d+$/.test(q) ? [{ customerId: q }] : [];
  const ranged = { OR: [...id, { email: prefix(q) }, { nameKey: prefix(q) }, { nameKeyLast: prefix(q) }] };
  // Counted in SQL: Prisma's bounded count and findMany both sort every match by id first.
  const hi = `${q}\uffff`;
  const [row] = await db.$queryRaw<Array<{ n: number | bigint }>>`
    SELECT COUNT(*) AS "n" FROM (
      SELECT 1 FROM "Member"
      WHERE "shopId" = ${shopId} AND (("email" >= ${q} AND "email" < ${hi}) OR ("nameKey" >= ${q} AND "nameKey" < ${hi})
        OR ("nameKeyLast" >= ${q} AND "nameKeyLast" < ${hi}) OR "customerId" = ${q})
      LIMIT ${DENSE_SEARCH + 1}
    ) AS "m"`;
  if (Number(row?.n ?? 0) <= DENSE_SEARCH) return ranged;
  return { OR: [...id, { email: { startsWith: q } }, { nameKey: { startsWith: q } }, { nameKeyLast: { startsWith: q } }] };
}

const sortValue = (m: MemberRow, sort: MemberSort): number | null => {
  const v = m[SORT_COLUMN[sort]];
  return v instanceof Date ? v.getTime() : v;
};

/**
 * A page of members: searched by email, name or customer id, filtered, sorted, in keyset pages
 * (see app/domain/member-list.ts). A number matches the customer id exactly; text matches the
 * start of the email, of the name ("first last") or of the last name.
 */
export async function listMembers(db: Db, shopId: string, query: Partial<MemberListQuery> = {}) {
  const { sort = "joined", direction = "desc" } = query;
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 100);
  const q = (query.query ?? "").trim().toLowerCase();
  const [tiers, rules] = await Promise.all([
    tierSetup(db, shopId),
    query.pilot
      ? db.shop.findUniqueOrThrow({ where: { id: shopId } }).then((s) => currentRules(db, shopId, s.programVersion))
      : null,
  ]);

  const and: Prisma.MemberWhereInput[] = [];
  if (query.tier) {
    const range = tierRange(query.tier, tiers.tiers);
    if (!range) throw new AdminInputError(422, "invalid", [{ path: "tier", message: "no tier with that id" }]);
    and.push({ [tierValueColumn(tiers.entry)]: range });
  }
  if (query.balanceMin !== undefined) and.push({ available: { gte: query.balanceMin } });
  if (query.balanceMax !== undefined) and.push({ available: { lte: query.balanceMax } });
  if (query.activeSince) and.push({ lastActivityAt: { gte: new Date(`${query.activeSince}T00:00:00Z`) } });
  if (query.inactiveSince)
    and.push({ OR: [{ lastActivityAt: { lt: new Date(`${query.inactiveSince}T00:00:00Z`) } }, { lastActivityAt: null }] });
  if (rules) {
    if (!rules.pilotTag) throw new AdminInputError(422, "invalid", [{ path: "pilot", message: "the program has no pilot tag" }]);
    and.push({ tagKey: { contains: tagKey(rules.pilotTag) } });
  }
  if (query.excluded) and.push({ excludedAt: query.excluded === "1" ? { not: null } : null });
  if (q) and.push(await searchCondition(db, shopId, q));

  // Keyset paging on (sort column, id). Last activity can be empty (never active): those members
  // are a segment of their own, sorted as the oldest, read after (descending) or before
  // (ascending) the others, each segment in its index's order.
  const column = SORT_COLUMN[sort];
  const cursor = decodeCursor(query.cursor, sort, direction);
  const nullable = sort === "last_activity";
  const segments: Array<"values" | "empty"> = !nullable
    ? ["values"]
    : direction === "desc"
      ? ["values", "empty"]
      : ["empty", "values"];
  const startAt = cursor ? segments.indexOf(nullable && cursor.v === null ? "empty" : "values") : 0;
  const before = direction === "desc" ? "lt" : "gt";
  const atMost = direction === "desc" ? "lte" : "gte";
  const rows: MemberRow[] = [];
  for (const [i, segment] of segments.entries()) {
    if (i < startAt || rows.length > limit) continue;
    const inSegment = cursor && i === startAt ? cursor : null;
    const where: Prisma.MemberWhereInput[] = [...and];
    if (segment === "empty") {
      where.push({ [column]: null });
      if (inSegment) where.push({ id: { [before]: inSegment.id } });
    } else {
      if (nullable) where.push({ [column]: { not: null } });
      if (inSegment && inSegment.v !== null) {
        const v = column === "enrolledAt" || column === "lastActivityAt" ? new Date(inSegment.v) : inSegment.v;
        // The first condition is the index's range; the second breaks ties by id.
        where.push(
          { [column]: { [atMost]: v } },
          { OR: [{ [column]: { [before]: v } }, { [column]: v, id: { [before]: inSegment.id } }] },
        );
      }
    }
    rows.push(
      ...(await db.member.findMany({
        where: { shopId, customerId: { not: null }, AND: where },
        orderBy: segment === "empty" ? [{ id: direction }] : [{ [column]: direction }, { id: direction }],
        take: limit + 1 - rows.length,
        select: memberSelect,
      })),
    );
  }
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    members: page.map((m) => memberView(m, tiers)),
    nextCursor: rows.length > limit && last ? encodeCursor({ v: sortValue(last, sort), id: last.id }, sort, direction) : null,
  };
}

/** One member with their latest history, or null. */
export async function memberDetail(db: Db, shopId: string, customerId: string, historyLength = 50) {
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } }, select: memberSelect });
  if (!member) return null;
  const [tiers, history] = await Promise.all([
    tierSetup(db, shopId),
    db.ledgerEntry.findMany({
      where: { shopId, memberId: member.id, kind: { not: "release" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: historyLength,
      select: { id: true, kind: true, points: true, status: true, reason: true, actor: true, createdAt: true },
    }),
  ]);
  return {
    ...memberView(member, tiers),
    history: history.map((e) => ({
      id: e.id,
      type: e.kind,
      points: e.points,
      status: e.status,
      reason: e.reason,
      actor: e.actor,
      createdAt: e.createdAt.toISOString(),
    })),
  };
}

export class AdminInputError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly errors: FieldError[],
  ) {
    super(errors.map((e) => e.message).join("; "));
  }
}

/** A merchant's correction: one `adjustment` entry per client key (the same key again: the same entry). */
export async function adjustPoints(
  db: Db,
  shopId: string,
  customerId: string,
  input: { points: number; reason: string; idempotencyKey: string; actor: string },
) {
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } }, select: { id: true } });
  if (!member)
    throw new AdminInputError(404, "member_not_found", [{ path: "customerId", message: "no member with that customer id" }]);
  const key = `adjustment:${input.idempotencyKey}`;
  const now = new Date();
  try {
    return await withLedger(db, async ({ tx, post }) => {
      await post({
        shopId,
        memberId: member.id,
        kind: "adjustment",
        points: input.points,
        status: "available",
        availableAt: now,
        idempotencyKey: key,
        sourceType: "merchant",
        actor: input.actor,
        reason: input.reason,
        occurredAt: now,
      });
      const entry = await tx.ledgerEntry.findUniqueOrThrow({ where: { shopId_idempotencyKey: { shopId, idempotencyKey: key } } });
      return { id: entry.id, type: "adjustment" as const, points: entry.points, reason: entry.reason, actor: entry.actor };
    });
  } catch (error) {
    if (error instanceof IdempotencyConflictError)
      throw new AdminInputError(422, "idempotency_key_reused", [
        { path: "idempotencyKey", message: "this key was used for another adjustment; use a new key" },
      ]);
    throw error;
  }
}

/**
 * Excludes a member from the club or lets them back in (the merchant's decision, apart from the
 * customer's own opt-out): while excluded they earn, join and redeem nothing (clubOpenTo), and
 * their balance stays as it is. Setting what is already set changes nothing.
 */
export async function setExclusion(db: Db, shopId: string, customerId: string, excluded: boolean, actor: string) {
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } }, select: { id: true } });
  if (!member)
    throw new AdminInputError(404, "member_not_found", [{ path: "customerId", message: "no member with that customer id" }]);
  await db.member.updateMany({
    where: { id: member.id, excludedAt: excluded ? null : { not: null } },
    data: excluded ? { excludedAt: new Date(), excludedBy: actor } : { excludedAt: null, excludedBy: null },
  });
  const detail = await memberDetail(db, shopId, customerId, 0);
  return detail!.excluded;
}

export const MEMBERS_CSV_HEADER = [
  "customer_id",
  "email",
  "points_available",
  "points_pending",
  "points_lifetime",
  "tier",
  "enrolled_at",
] as const;

/** Every member as CSV, read and written a page at a time (a stream: memory stays flat at any size). */
export function exportMembersCsv(db: Db, shopId: string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | null = null;
  let tiers: TierSetup | null = null;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        tiers = await tierSetup(db, shopId);
        controller.enqueue(encoder.encode(csvLine(MEMBERS_CSV_HEADER)));
        return;
      }
      const rows: MemberRow[] = await db.member.findMany({
        where: { shopId, customerId: { not: null }, ...(cursor ? { id: { gt: cursor } } : {}) },
        orderBy: { id: "asc" },
        take: 1000,
        select: memberSelect,
      });
      if (rows.length === 0) return controller.close();
      cursor = rows[rows.length - 1]!.id;
      const text = rows
        .map((m) => {
          const v = memberView(m, tiers!);
          return csvLine([v.customerId, v.email, v.points.available, v.points.pending, v.points.lifetime, v.tier, v.enrolledAt]);
        })
        .join("");
      controller.enqueue(encoder.encode(text));
    },
  });
}

export interface ImportReport {
  rows: number;
  valid: number;
  errors: RowError[];
  /** rows credited now (0 on a dry run, and for a file imported before) */
  applied: number;
}

interface Match {
  row: ImportRow;
  memberId: string | null;
  customer: ShopifyCustomer | { customerId: string; email: string | null; tags: string[] };
}

/**
 * Reads a members file and, unless `dryRun`, credits each valid row as one `import` entry keyed
 * by the file's content hash and the row: the same file again credits nothing more, another file
 * (even with the same lines) credits again. Rows match a member by customer_id, else by email
 * among the members, else among the shop's customers in Shopify (who are then enrolled).
 */
export async function importMembers(
  db: Db,
  shopId: string,
  text: string,
  options: { dryRun: boolean; actor: string; graphql: () => Promise<AdminGraphql> },
): Promise<ImportReport | { invalid: FieldError[] }> {
  const tiers = await tierSetup(db, shopId);
  const parsed = parseMemberImport(
    text,
    tiers.tiers.map((t) => t.name),
  );
  if (!parsed.ok) return { invalid: parsed.errors };
  const errors = [...parsed.errors];
  const matches = await matchRows(db, shopId, parsed.candidates, errors, options.graphql);
  errors.sort((a, b) => a.row - b.row);
  const report: ImportReport = { rows: parsed.rows, valid: matches.length, errors, applied: 0 };
  if (options.dryRun || matches.length === 0) return report;

  const fileHash = createHash("sha256").update(parsed.canonical).digest("hex").slice(0, 32);
  const now = new Date();
  for (let i = 0; i < matches.length; i += 1000) {
    const batch = matches.slice(i, i + 1000);
    report.applied += await withLedger(
      db,
      async (ledger) => {
        // Customers the app has not seen yet are enrolled together (an erased one is left out).
        const enrolled = await ensureMembers(
          ledger,
          batch
            .filter((m) => !m.memberId)
            .map((m) => ({
              shopId,
              identity: { customerId: m.customer.customerId, email: m.customer.email, tags: m.customer.tags.join(", ") },
            })),
        );
        const memberOf = new Map(enrolled.map((e) => [e.customerId, e.id]));
        const entries = [];
        for (const m of batch) {
          const memberId = m.memberId ?? memberOf.get(m.customer.customerId);
          if (!memberId) continue;
          entries.push({
            shopId,
            memberId,
            kind: "import" as const,
            points: m.row.points,
            status: "available" as const,
            availableAt: now,
            idempotencyKey: `import:${fileHash}:${m.row.row}`,
            sourceType: "merchant",
            sourceId: fileHash,
            actor: options.actor,
            reason: `Imported (row ${m.row.row})`,
            occurredAt: now,
          });
        }
        return (await ledger.postMany(entries)).size;
      },
      { timeout: 60_000 },
    );
  }
  return report;
}

async function matchRows(
  db: Db,
  shopId: string,
  rows: ImportRow[],
  errors: RowError[],
  graphql: () => Promise<AdminGraphql>,
): Promise<Match[]> {
  const byId = new Map<string, { id: string; state: string }>();
  const byEmail = new Map<string, { id: string; state: string; customerId: string | null }>();
  const ids = [...new Set(rows.flatMap((r) => (r.customerId ? [r.customerId] : [])))];
  const emails = [...new Set(rows.flatMap((r) => (!r.customerId && r.email ? [r.email] : [])))];
  for (let i = 0; i < ids.length; i += 500) {
    const found = await db.member.findMany({
      where: { shopId, customerId: { in: ids.slice(i, i + 500) } },
      select: { id: true, state: true, customerId: true },
    });
    for (const m of found) byId.set(m.customerId!, m);
  }
  for (let i = 0; i < emails.length; i += 500) {
    const found = await db.member.findMany({
      where: { shopId, email: { in: emails.slice(i, i + 500) }, customerId: { not: null } },
      select: { id: true, state: true, customerId: true, email: true },
    });
    for (const m of found) byEmail.set(m.email!, m);
  }
  // Customers the app has not seen: asked of Shopify (emails a batch at a time).
  const unknown = emails.filter((e) => !byEmail.has(e));
  const shopify = unknown.length ? await customersByEmail(await graphql(), unknown) : new Map<string, ShopifyCustomer>();
  const unknownIds = ids.filter((id) => !byId.has(id));
  const shopifyById = unknownIds.length ? await customersById(await graphql(), unknownIds) : new Map<string, ShopifyCustomer>();

  const matches: Match[] = [];
  const rowOfMember = new Map<string, number>();
  for (const row of rows) {
    let match: Match | null = null;
    let state = "active";
    if (row.customerId) {
      const m = byId.get(row.customerId);
      if (m) state = m.state;
      const c = shopifyById.get(row.customerId);
      if (m) match = { row, memberId: m.id, customer: { customerId: row.customerId, email: null, tags: [] } };
      else if (c) match = { row, memberId: null, customer: c };
    } else if (row.email) {
      const m = byEmail.get(row.email);
      const c = shopify.get(row.email);
      if (m) state = m.state;
      if (m) match = { row, memberId: m.id, customer: { customerId: m.customerId!, email: row.email, tags: [] } };
      else if (c) match = { row, memberId: null, customer: c };
    }
    if (!match) {
      errors.push({
        row: row.row,
        message: row.customerId ? `no customer with the id ${row.customerId}` : `no customer with the email ${row.email}`,
      });
      continue;
    }
    if (state === "opted_out") {
      errors.push({ row: row.row, message: "this customer has opted out of the loyalty club" });
      continue;
    }
    const who = match.memberId ?? `customer:${match.customer.customerId}`;
    const earlier = rowOfMember.get(who);
    if (earlier !== undefined) {
      errors.push({ row: row.row, message: `the same customer as row ${earlier}; put their points on one row` });
      continue;
    }
    rowOfMember.set(who, row.row);
    matches.push(match);
  }
  return matches;
}
