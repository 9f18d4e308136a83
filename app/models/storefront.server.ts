// What shoppers see: the public program and a member's standing (contract §4).
import { currencyExponent, formatMinorUnits } from "~/domain/money";
import { canSpend } from "~/domain/ledger";
import { pointsExpiring } from "~/domain/metafields";
import { rewardProblem } from "~/domain/rewards";
import { nextTierView, reachesTier, tierRuleOf, tierStanding, tierValueOf, type TierEntry, type TierRule } from "~/domain/tiers";
import { clientDialect, Prisma, rawQuery, type Db } from "~/db.server";
import {
  describeEntry,
  formatMoney,
  historyParams,
  localizedDescription,
  localizedName,
  localizedPerk,
  pickLocale,
  say,
} from "~/domain/storefront-format";
import { DEFAULT_LOCALE, type Locale } from "~/domain/storefront-text";
import { clubOpenTo, launchOf, tagList, tierEntryOf } from "~/domain/program";
import { inHoldout } from "./analytics-holdout.server";
import type { TagLookup } from "./members.server";
import { perksOf } from "./program.server";
import { activeShop, currentRules } from "./shops.server";

// The public program changes rarely and is read on every storefront call: each server keeps it
// for a few seconds (a merchant's edit shows within PROGRAM_TTL_MS).
const PROGRAM_TTL_MS = 5_000;
const programCache = new Map<string, { at: number; value: Awaited<ReturnType<typeof loadProgram>> }>();

export async function publicProgram(db: Db, shopId: string) {
  const hit = programCache.get(shopId);
  if (hit && Date.now() - hit.at < PROGRAM_TTL_MS) return hit.value;
  const value = await loadProgram(db, shopId);
  if (programCache.size > 10_000) programCache.clear();
  programCache.set(shopId, { at: Date.now(), value });
  return value;
}

async function loadProgram(db: Db, shopId: string) {
  const shop = await activeShop(db, shopId);
  if (!shop) return null;
  const [rules, rewards, tierRows] = await Promise.all([
    currentRules(db, shopId, shop.programVersion),
    db.reward.findMany({ where: { shopId, active: true }, orderBy: [{ position: "asc" }, { pointsCost: "asc" }] }),
    db.tier.findMany({ where: { shopId, active: true } }),
  ]);
  const entry = tierEntryOf(rules);
  // Each tier as a rule under the program's measure (its threshold), with what the storefront shows of it.
  const tiers = tierRows
    .map((t) => ({ ...tierRuleOf(t, entry), thresholdPoints: t.thresholdPoints, thresholdSpendMinor: t.thresholdSpendMinor }))
    .sort((a, b) => a.threshold - b.threshold);
  // A tier-only reward whose tier is not live (the program document never leaves one so; a row
  // written otherwise) is offered to no one rather than to everyone.
  const live = new Set(tiers.map((t) => t.id));
  const offered = rewards.filter((r) => rewardProblem(r) === null && (r.minTierId === null || live.has(r.minTierId)));
  return { shop, rules, entry, launch: launchOf(rules), rewards: offered, tiers };
}
type Program = NonNullable<Awaited<ReturnType<typeof loadProgram>>>;

/**
 * A member's tier standing (tierStanding on what the program measures): the storefront's view and
 * the redemption's tier check both ask here, so they always agree.
 */
export const memberTierStanding = (
  member: { lifetimeEarned: number; tierValue: number },
  entry: TierEntry,
  tiers: readonly TierRule[],
) => tierStanding(tierValueOf(member, entry), tiers);

/** What a shopper may know of a reward, its name in their language (`tiers`: the live ones). */
function publicReward(r: RewardRow, currency: string, locale: string, tiers: readonly TierRow[] = []) {
  const required = r.minTierId === null ? null : tiers.find((t) => t.id === r.minTierId);
  const money = (minor: number | null) => (minor !== null && minor > 0 ? formatMinorUnits(minor, currency) : null);
  return {
    id: r.id,
    name: localizedName(r, locale),
    description: localizedDescription(r, locale),
    type: r.type,
    pointsCost: r.pointsCost,
    value: money(r.valueMinor),
    percent: r.percent,
    maximum: money(r.maxDiscountMinor),
    minimumSubtotal: money(r.minimumSubtotalMinor),
    minimumSubtotalMinor: r.minimumSubtotalMinor || null,
    // tier-only: members below this tier see it locked ("Reach Gold to unlock")
    requiredTier: required ? { id: required.id, name: localizedName(required, locale) } : null,
  };
}

// A cached program's summary per locale (built once per program load and language).
const summaries = new WeakMap<Program, Map<string, ReturnType<typeof buildSummary>>>();

/** The public program in the shopper's language (`locale`: the storefront's, e.g. "fa"). */
function summaryOf(program: Program, locale: string) {
  let byLocale = summaries.get(program);
  if (!byLocale) summaries.set(program, (byLocale = new Map()));
  let summary = byLocale.get(locale);
  if (!summary) {
    if (byLocale.size > 50) byLocale.clear();
    summary = buildSummary(program, locale);
    byLocale.set(locale, summary);
  }
  return summary;
}

function buildSummary(program: Program, locale: string) {
  const { shop, rules } = program;
  const spend = formatMinorUnits(rules.earnRateDen * 10 ** currencyExponent(shop.currency), shop.currency);
  const lang = pickLocale(locale);
  return {
    club: "open" as const,
    currency: shop.currency,
    waysToEarn: [
      {
        type: "order",
        points: rules.earnRateNum,
        per: `${rules.earnRateDen} ${shop.currency}`,
        spend,
        description: say(lang, rules.earnRateNum === 1 ? "earn_order_one" : "earn_order", {
          points: rules.earnRateNum,
          amount: formatMoney(spend, shop.currency, lang),
        }).replace(/\u2068|\u2069/g, ""),
      },
    ],
    rewards: program.rewards.map((r) => publicReward(r, shop.currency, locale, program.tiers)),
    tierEntry: program.entry,
    tiers: program.tiers.map((t) => ({
      id: t.id,
      name: localizedName(t, locale),
      thresholdPoints: t.thresholdPoints,
      thresholdSpendMinor: t.thresholdSpendMinor,
      earnMultiplierPct: t.earnMultiplierPct,
      perks: perksOf(t.perks).map((p) => localizedPerk(p, locale)),
    })),
  };
}

interface HistoryRow {
  entryId: string | null;
  kind: string | null;
  points: number | null;
  status: string | null;
  reason: string | null;
  createdAt: Date | string | number | null;
  sourceType: string | null;
  idempotencyKey: string | null;
  orderName: string | null;
  rewardId: string | null;
  expiryDays: number | null;
}
interface StandingRow extends HistoryRow {
  memberId: string;
  hasCodes: boolean | number;
  state: string;
  tags: string;
  available: number;
  pending: number;
  lifetimeEarned: number;
  tierValue: number;
  referralCode: string | null;
  lastActivityAt: Date | string | null;
  excludedAt: Date | string | null;
}

/** Entries per history page (the first page comes with /proxy/me). */
export const HISTORY_PAGE = 25;

/** Where a history page starts: after the entry (createdAt, id) a cursor names. */
interface Cursor {
  at: Date;
  id: string;
}
export const encodeCursor = (c: Cursor) => Buffer.from(`${c.at.getTime()}.${c.id}`).toString("base64url");
export function decodeCursor(text: string): Cursor | null {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  return m ? { at: new Date(Number(m[1])), id: m[2]! } : null;
}

/**
 * One page of a member's history, newest first, one row more than a page (to know whether there
 * is a next one), with what each entry points at: the order's name, the redemption's reward, the
 * expiry rule of its program version (primary-key lookups for the page's rows only). Releases of
 * pending points are folded into the entry they complete (shown available).
 */
function historyPage(shopId: string, memberId: Prisma.Sql, cursor: Cursor | null): Prisma.Sql {
  const after = cursor
    ? Prisma.sql`AND ("createdAt" < ${cursor.at} OR ("createdAt" = ${cursor.at} AND "id" < ${cursor.id}))`
    : Prisma.empty;
  // Each lookup is a correlated subquery on a primary key, evaluated for the page's rows only
  // (a join here could be planned as a scan of OrderFact on PostgreSQL).
  const orderName = (where: Prisma.Sql) =>
    Prisma.sql`(SELECT COALESCE(NULLIF("o"."name", ''), "o"."orderId") FROM "OrderFact" "o" WHERE "o"."shopId" = ${shopId} AND "o"."orderId" = ${where})`;
  return Prisma.sql`(
    SELECT "h"."id" AS "entryId", "h"."kind", "h"."points", "h"."status", "h"."reason", "h"."createdAt",
           "h"."sourceType", "h"."idempotencyKey",
           CASE
             WHEN "h"."sourceType" IN ('order', 'cancellation') THEN ${orderName(Prisma.sql`"h"."sourceId"`)}
             WHEN "h"."sourceType" = 'refund' THEN ${orderName(Prisma.sql`(SELECT "rf"."orderId" FROM "OrderRefund" "rf" WHERE "rf"."shopId" = ${shopId} AND "rf"."refundId" = "h"."sourceId")`)}
             WHEN "h"."kind" = 'refund_of_redemption' THEN ${orderName(Prisma.sql`(SELECT "rd"."orderId" FROM "Redemption" "rd" WHERE "rd"."shopId" = ${shopId} AND "rd"."id" = "h"."sourceId")`)}
           END AS "orderName",
           CASE WHEN "h"."sourceType" = 'redemption' THEN
             (SELECT "rd"."rewardId" FROM "Redemption" "rd" WHERE "rd"."shopId" = ${shopId} AND "rd"."id" = "h"."sourceId")
           END AS "rewardId",
           CASE WHEN "h"."kind" = 'expiry' THEN
             (SELECT "pv"."expiryDays" FROM "ProgramVersion" "pv" WHERE "pv"."shopId" = ${shopId} AND "pv"."version" = "h"."programVersion")
           END AS "expiryDays"
    FROM (
      SELECT "id", "kind", "points", "reason", "createdAt", "sourceType", "sourceId", "idempotencyKey", "programVersion",
             CASE WHEN "status" = 'pending' AND EXISTS (
               SELECT 1 FROM "LedgerEntry" "r" WHERE "r"."shopId" = ${shopId} AND "r"."idempotencyKey" = 'release:' || "LedgerEntry"."id"
             ) THEN 'available' ELSE "status" END AS "status"
      FROM "LedgerEntry"
      WHERE "memberId" = ${memberId} AND "shopId" = ${shopId} AND "kind" <> 'release' ${after}
      ORDER BY "createdAt" DESC, "id" DESC
      LIMIT ${HISTORY_PAGE + 1}
    ) "h"
  )`;
}

/** A page's rows as the API shows them; `rewardName` names rewards in the shopper's language. */
function historyOf(rows: HistoryRow[], rewardName: (id: string) => string | null, locale: Locale) {
  const entries = rows.filter((r) => r.entryId !== null).slice(0, HISTORY_PAGE);
  const last = entries.at(-1);
  const nextCursor =
    rows.filter((r) => r.entryId !== null).length > HISTORY_PAGE && last
      ? encodeCursor({ at: new Date(toTime(last.createdAt!)), id: last.entryId! })
      : null;
  return {
    history: entries.map((r) => {
      const params = historyParams({
        kind: r.kind!,
        sourceType: r.sourceType ?? "",
        idempotencyKey: r.idempotencyKey ?? "",
        reason: r.reason ?? "",
        orderName: r.orderName,
        rewardName: r.rewardId ? rewardName(r.rewardId) : null,
        expiryDays: r.expiryDays === null ? null : Number(r.expiryDays),
      });
      const entry = { type: r.kind!, params, description: r.reason };
      return {
        id: r.entryId!,
        type: r.kind!,
        points: Number(r.points),
        status: r.status!,
        params,
        // The line in the request's language (English by default); the catalogue keeps the raw reason for types it does not know.
        description: describeEntry(entry, locale).replace(/\u2068|\u2069/g, ""),
        createdAt: new Date(toTime(r.createdAt!)).toISOString(),
      };
    }),
    nextCursor,
  };
}

// SQLite hands raw DateTime columns back as numbers or text, PostgreSQL as Date.
const toTime = (v: Date | string | number) => (v instanceof Date ? v.getTime() : typeof v === "number" ? v : Date.parse(v));

/**
 * A member's balances and first history page in one round trip (the storefront's hottest read).
 * The member is looked up once (a scalar subquery, planned as an init step on PostgreSQL and
 * SQLite alike) and the history is read from the (memberId, createdAt) index, newest first.
 */
async function memberStanding(db: Db, shopId: string, customerId: string) {
  const rows = await rawQuery<StandingRow>(
    db,
    clientDialect(db),
    Prisma.sql`
    WITH m AS (
      SELECT "id", "state", "available", "pending", "lifetimeEarned", "tierValue", "referralCode", "tags", "lastActivityAt", "excludedAt",
             CASE WHEN EXISTS (
               SELECT 1 FROM "Redemption" "c" WHERE "c"."shopId" = ${shopId} AND "c"."memberId" = "Member"."id" AND "c"."status" = 'issued'
             ) THEN 1 ELSE 0 END AS "hasCodes"
      FROM "Member" WHERE "shopId" = ${shopId} AND "customerId" = ${customerId}
    )
    SELECT m."id" AS "memberId", m."state", m."available", m."pending", m."lifetimeEarned", m."tierValue", m."referralCode", m."tags",
           m."lastActivityAt", m."excludedAt", m."hasCodes", e.*
    FROM m LEFT JOIN ${historyPage(shopId, Prisma.sql`(SELECT "id" FROM m)`, null)} e ON 1 = 1
    ORDER BY e."createdAt" DESC, e."entryId" DESC`,
  );
  const first = rows[0];
  if (!first) return null;
  return {
    member: {
      id: first.memberId,
      state: first.state,
      available: Number(first.available),
      pending: Number(first.pending),
      lifetimeEarned: Number(first.lifetimeEarned),
      tierValue: Number(first.tierValue),
      referralCode: first.referralCode,
      tags: first.tags,
      lastActivityAt: first.lastActivityAt === null ? null : new Date(first.lastActivityAt),
      excluded: first.excludedAt !== null,
      // Whether any code is issued and unused: most members have none, and skip the codes query.
      hasCodes: Number(first.hasCodes) === 1,
    },
    rows,
  };
}

/** Codes a member redeemed or was given (a prize, a birthday gift) and has not used yet, still valid: "My rewards" finds them again. */
async function unusedCodes(db: Db, shopId: string, memberId: string, now: Date) {
  return db.redemption.findMany({
    where: { shopId, memberId, status: "issued", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, code: true, rewardId: true, source: true, expiresAt: true, createdAt: true },
  });
}

/** Reward rows by id (archived ones too: codes and history outlive a reward's place in the program). */
async function rewardsById(db: Db, shopId: string, ids: string[], known: RewardRow[]) {
  const byId = new Map(known.map((r) => [r.id, r]));
  const missing = [...new Set(ids)].filter((id) => !byId.has(id));
  if (missing.length) for (const r of await db.reward.findMany({ where: { shopId, id: { in: missing } } })) byId.set(r.id, r);
  return byId;
}

type RewardRow = Awaited<ReturnType<Db["reward"]["findMany"]>>[number];
type TierRow = Awaited<ReturnType<Db["tier"]["findMany"]>>[number];

/** What the storefront says to someone the launch state keeps out: nothing about the program. */
const closed = (loggedIn: boolean, currency: string) => ({ loggedIn, enrolled: false, club: "closed" as const, currency });

export interface ViewOptions {
  /** the shopper's locale ("fa", "de-CH"): names and descriptions in that language when there are some */
  locale?: string | null;
  now?: Date;
}

/**
 * Whether the storefront speaks to a logged-in customer at all: never to the holdout (unless
 * already a member), before launch only to those the pilot reaches (a member's tags are known,
 * someone not yet seen is asked about with `lookupTags`, and kept out without it), never to an
 * excluded customer. The launcher's views, draws included, all ask this.
 */
async function storefrontOpenTo(
  program: NonNullable<Awaited<ReturnType<typeof publicProgram>>>,
  shopId: string,
  customerId: string,
  member: { tags: string; excluded: boolean } | null,
  lookupTags?: TagLookup,
): Promise<boolean> {
  if (!member && inHoldout(shopId, customerId, program.rules.holdoutPercent)) return false;
  if (program.launch.state === "live" && !member?.excluded) return true;
  const tags = member ? tagList(member.tags) : ((await lookupTags?.(customerId)) ?? null);
  return clubOpenTo(program.launch, { tags, excluded: member?.excluded ?? false });
}

/** storefrontOpenTo for a shopper who may not be logged in (a guest sees the club once it is live). */
export async function storefrontOpen(db: Db, shopId: string, customerId: string | null, lookupTags?: TagLookup) {
  const program = await publicProgram(db, shopId);
  if (!program) return false;
  if (!customerId) return program.launch.state === "live";
  const member = await db.member.findUnique({
    where: { shopId_customerId: { shopId, customerId } },
    select: { tags: true, excludedAt: true },
  });
  return storefrontOpenTo(
    program,
    shopId,
    customerId,
    member && { tags: member.tags, excluded: member.excludedAt !== null },
    lookupTags,
  );
}

/**
 * A shopper's view. Before launch (draft) it says nothing; in a pilot it speaks only to customers
 * with the pilot tag: a member's tags are known, someone not yet seen is asked about with
 * `lookupTags` (Shopify) — without it, they are kept out.
 */
export async function shopperView(
  db: Db,
  shopId: string,
  customerId: string | null,
  lookupTags?: TagLookup,
  options: ViewOptions = {},
) {
  const program = await publicProgram(db, shopId);
  if (!program) return null;
  const locale = options.locale || DEFAULT_LOCALE;
  const summary = summaryOf(program, locale);
  const { tiers, launch } = program;
  const live = launch.state === "live";
  if (!customerId) return live ? { loggedIn: false, enrolled: false, ...summary } : closed(false, summary.currency);
  const standing = await memberStanding(db, shopId, customerId);
  if (!(await storefrontOpenTo(program, shopId, customerId, standing?.member ?? null, lookupTags)))
    return closed(true, summary.currency);
  if (!standing || standing.member.state !== "active") {
    return { loggedIn: true, enrolled: false, customerId, ...summary };
  }
  const { member, rows } = standing;
  const codes = member.hasCodes ? await unusedCodes(db, shopId, member.id, options.now ?? new Date()) : [];
  const rewards = await rewardsById(
    db,
    shopId,
    [...codes.map((c) => c.rewardId), ...rows.flatMap((r) => (r.rewardId ? [r.rewardId] : []))],
    program.rewards,
  );
  const page = historyOf(rows, (id) => (rewards.has(id) ? localizedName(rewards.get(id)!, locale) : null), pickLocale(locale));
  const tier = memberTierStanding(member, program.entry, tiers);
  const next = nextTierView(tier, program.entry);
  const tierName = (t: { name: string }) => localizedName(t, locale);
  const perksOfTier = (id: string) => summary.tiers.find((t) => t.id === id)?.perks ?? [];
  return {
    loggedIn: true,
    enrolled: true,
    club: "open" as const,
    customerId,
    points: { available: member.available, pending: member.pending, lifetime: member.lifetimeEarned },
    tier: tier.tier && {
      id: tier.tier.id,
      name: tierName(tier.tier),
      earnMultiplierPct: tier.tier.earnMultiplierPct,
      perks: perksOfTier(tier.tier.id),
    },
    nextTier: next && {
      ...next,
      name: tierName(tier.next!.tier),
      // what reaches it, in the program's measure: the progress is threshold − to go
      threshold: tier.next!.tier.threshold,
      ...(program.entry.measure === "spend"
        ? { spendToGo: formatMoney(formatMinorUnits(tier.next!.toGo, summary.currency), summary.currency, pickLocale(locale)) }
        : {}),
      perks: perksOfTier(tier.next!.tier.id),
    },
    referral: member.referralCode ? { code: member.referralCode, url: `https://${shopId}/?ref=${member.referralCode}` } : null,
    currency: summary.currency,
    waysToEarn: summary.waysToEarn,
    tiers: summary.tiers,
    rewards: summary.rewards.map((r) => {
      const locked = r.requiredTier !== null && !reachesTier(tier.tier, r.requiredTier.id, tiers);
      return { ...r, locked, redeemable: !locked && canSpend(member.available, r.pointsCost) };
    }),
    codes: codes.map((c) => {
      const reward = rewards.get(c.rewardId);
      const terms = reward ? publicReward(reward, summary.currency, locale) : null;
      return {
        id: c.id,
        code: c.code,
        rewardId: c.rewardId,
        name: terms?.name ?? null,
        type: terms?.type ?? null,
        maximum: terms?.maximum ?? null,
        minimumSubtotal: terms?.minimumSubtotal ?? null,
        minimumSubtotalMinor: terms?.minimumSubtotalMinor ?? null,
        // points (redeemed), draw (a prize) or birthday (a gift)
        source: c.source,
        expiresAt: c.expiresAt?.toISOString() ?? null,
        createdAt: c.createdAt.toISOString(),
      };
    }),
    history: page.history,
    historyNextCursor: page.nextCursor,
    // "N points expire on D" (app/domain/metafields.ts: the same figure as the customer's metafields)
    expiring: pointsExpiring(member, program.rules.expiryDays, program.shop.timezone),
  };
}

/**
 * GET /proxy/history?cursor=: the page of a member's history after the cursor (from /proxy/me's
 * `historyNextCursor` or the last page's `nextCursor`). Null when the customer is not a member.
 */
export async function historyAfter(db: Db, shopId: string, customerId: string, cursor: Cursor, options: ViewOptions = {}) {
  const member = await db.member.findUnique({
    where: { shopId_customerId: { shopId, customerId } },
    select: { id: true, state: true },
  });
  if (!member || member.state !== "active") return null;
  const rows = await rawQuery<HistoryRow>(
    db,
    clientDialect(db),
    Prisma.sql`SELECT * FROM ${historyPage(shopId, Prisma.sql`${member.id}`, cursor)} e ORDER BY e."createdAt" DESC, e."entryId" DESC`,
  );
  const locale = options.locale || DEFAULT_LOCALE;
  const program = await publicProgram(db, shopId);
  const rewards = await rewardsById(
    db,
    shopId,
    rows.flatMap((r) => (r.rewardId ? [r.rewardId] : [])),
    program?.rewards ?? [],
  );
  return historyOf(rows, (id) => (rewards.has(id) ? localizedName(rewards.get(id)!, locale) : null), pickLocale(locale));
}

/** GET /proxy/program: the public program once live; before that, nothing but that it is closed. */
export async function programSummary(db: Db, shopId: string, options: ViewOptions = {}) {
  const program = await publicProgram(db, shopId);
  if (!program) return null;
  const summary = summaryOf(program, options.locale || DEFAULT_LOCALE);
  return program.launch.state === "live" ? summary : closed(false, summary.currency);
}
