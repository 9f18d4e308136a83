// Shops and their programs: install (default program), uninstall, erase.
import {
  DEFAULT_REWARD,
  DEFAULT_RULES,
  LAUNCH_STATES,
  type Campaign,
  type EarningRules,
  type LaunchState,
  tagList,
  tierEntryOf,
} from "~/domain/program";
import { currencyExponent } from "~/domain/money";
import {
  TIER_MEASURES,
  TIER_PERIODS,
  tierRuleOf,
  type TierEntry,
  type TierMeasure,
  type TierPeriod,
  type TierRule,
} from "~/domain/tiers";
import { Prisma, rawQuery, type Db, type Dialect, type Tx } from "~/db.server";
import { deleteShopArrivals } from "~/webhooks/arrivals.server";

export interface ShopDetails {
  id: string;
  name: string;
  currency: string;
  timezone: string;
}

/** Creates the shop with the default program, or reactivates it on reinstall (its program kept). */
export async function installShop(db: Db, details: ShopDetails): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = await tx.shop.findUnique({ where: { id: details.id } });
    if (existing) {
      await tx.shop.update({
        where: { id: details.id },
        data: { name: details.name, timezone: details.timezone, uninstalledAt: null },
      });
      return;
    }
    await tx.shop.create({ data: { ...details, programVersion: 1 } });
    await tx.programVersion.create({ data: { shopId: details.id, version: 1, ...versionColumns(DEFAULT_RULES) } });
    await tx.reward.create({
      data: {
        shopId: details.id,
        name: DEFAULT_REWARD.name,
        type: DEFAULT_REWARD.type,
        pointsCost: DEFAULT_REWARD.pointsCost,
        valueMinor: DEFAULT_REWARD.valueUnits * 10 ** currencyExponent(details.currency),
      },
    });
  });
}

/** Stops all work for the shop at once; its data stays until shop/redact. */
export async function uninstallShop(db: Db, shopId: string, at = new Date()): Promise<void> {
  await db.$transaction([
    db.shop.updateMany({ where: { id: shopId, uninstalledAt: null }, data: { uninstalledAt: at } }),
    db.session.deleteMany({ where: { shop: shopId } }),
  ]);
}

/** Deletes every row of the shop. */
export async function redactShop(db: Db, shopId: string): Promise<void> {
  for (const key of rulesCache.keys()) if (key.startsWith(`${shopId}\u0000`)) rulesCache.delete(key);
  const keys = (await db.apiKey.findMany({ where: { shopId }, select: { id: true } })).map((k) => k.id);
  await deleteShopArrivals(db, shopId);
  await db.$transaction([
    // Integrations (ADR 0016): outbox, delivery state, endpoints, API keys.
    db.outboxEvent.deleteMany({ where: { shopId } }),
    db.flowTriggerUse.deleteMany({ where: { shopId } }),
    db.integrationLease.deleteMany({ where: { shopId } }),
    db.metafieldJob.deleteMany({ where: { shopId } }),
    db.tierTagJob.deleteMany({ where: { shopId } }),
    db.webhookDelivery.deleteMany({ where: { shopId } }),
    db.webhookEndpoint.deleteMany({ where: { shopId } }),
    db.apiRateWindow.deleteMany({ where: { keyId: { in: keys } } }),
    db.apiKey.deleteMany({ where: { shopId } }),
    db.ledgerEntry.deleteMany({ where: { shopId } }),
    db.member.deleteMany({ where: { shopId } }),
    db.orderRefund.deleteMany({ where: { shopId } }),
    db.orderFact.deleteMany({ where: { shopId } }),
    db.reward.deleteMany({ where: { shopId } }),
    db.tier.deleteMany({ where: { shopId } }),
    db.programVersion.deleteMany({ where: { shopId } }),
    db.dataRequest.deleteMany({ where: { shopId } }),
    db.redemption.deleteMany({ where: { shopId } }),
    db.referral.deleteMany({ where: { shopId } }),
    db.webhookJob.deleteMany({ where: { shopId } }),
    db.redactedCustomer.deleteMany({ where: { shopId } }),
    db.pendingRelease.deleteMany({ where: { shopId } }),
    db.reconciliation.deleteMany({ where: { shopId } }),
    db.surveyAnswer.deleteMany({ where: { shopId } }),
    db.draw.deleteMany({ where: { shopId } }),
    db.drawEntrant.deleteMany({ where: { shopId } }),
    db.drawEntry.deleteMany({ where: { shopId } }),
    db.drawWinner.deleteMany({ where: { shopId } }),
    db.accessRule.deleteMany({ where: { shopId } }),
    db.excludedProduct.deleteMany({ where: { shopId } }),
    db.analyticsSlot.deleteMany({ where: { shopId } }),
    db.analyticsDelta.deleteMany({ where: { shopId } }),
    db.analyticsTotal.deleteMany({ where: { shopId } }),
    db.orderDiscount.deleteMany({ where: { shopId } }),
    db.holdoutCustomer.deleteMany({ where: { shopId } }),
    db.analyticsSummary.deleteMany({ where: { shopId } }),
    db.tierChange.deleteMany({ where: { shopId } }),
    db.session.deleteMany({ where: { shop: shopId } }),
    db.shop.deleteMany({ where: { id: shopId } }),
  ]);
}

export async function activeShop(db: Db | Tx, shopId: string) {
  return db.shop.findFirst({ where: { id: shopId, uninstalledAt: null } });
}

/** A version's rules as ProgramVersion's columns (campaigns as JSON). */
export function versionColumns(rules: Omit<EarningRules, "version">) {
  return { ...rules, campaigns: JSON.stringify(rules.campaigns), excludedProductTags: rules.excludedProductTags.join(",") };
}

function parseCampaigns(json: string): Campaign[] {
  try {
    const list = JSON.parse(json) as unknown;
    return Array.isArray(list) ? (list as Campaign[]) : [];
  } catch {
    return [];
  }
}

/** A ProgramVersion row as the rules it says. */
export function rulesOf(row: Prisma.ProgramVersionGetPayload<object>): EarningRules {
  return {
    version: row.version,
    earnRateNum: row.earnRateNum,
    earnRateDen: row.earnRateDen,
    pendingDays: row.pendingDays,
    expiryDays: row.expiryDays,
    expiryReminderDays: row.expiryReminderDays,
    autoEnroll: row.autoEnroll,
    signupBonus: row.signupBonus,
    birthdayBonus: row.birthdayBonus,
    birthdayRewardId: row.birthdayRewardId,
    birthdayGiftDaysBefore: row.birthdayGiftDaysBefore,
    referrerPoints: row.referrerPoints,
    refereePercent: row.refereePercent,
    returnSpentPointsOnRefund: row.returnSpentPointsOnRefund,
    launchState: (LAUNCH_STATES as readonly string[]).includes(row.launchState) ? (row.launchState as LaunchState) : "draft",
    pilotTag: row.pilotTag,
    holdoutPercent: row.holdoutPercent,
    grossMarginPercent: row.grossMarginPercent,
    anniversaryBonus: row.anniversaryBonus,
    campaigns: parseCampaigns(row.campaigns),
    excludedProductTags: tagList(row.excludedProductTags),
    tierMeasure: (TIER_MEASURES as readonly string[]).includes(row.tierMeasure) ? (row.tierMeasure as TierMeasure) : "points",
    tierPeriod: (TIER_PERIODS as readonly string[]).includes(row.tierPeriod) ? (row.tierPeriod as TierPeriod) : "lifetime",
  };
}

// Program versions never change once written, so they are cached for the life of the process.
const rulesCache = new Map<string, EarningRules>();

export async function currentRules(db: Db | Tx, shopId: string, version: number): Promise<EarningRules> {
  const cached = rulesCache.get(`${shopId}\u0000${version}`);
  if (cached) return cached;
  const row = await db.programVersion.findUniqueOrThrow({ where: { shopId_version: { shopId, version } } });
  const rules = rulesOf(row);
  rulesCache.set(`${shopId}\u0000${version}`, rules);
  return rules;
}

/** The tier entry of each shop's current program, for a posting's shops (one statement). */
export async function tierEntries(tx: Tx, dialect: Dialect, shopIds: readonly string[]): Promise<Map<string, TierEntry>> {
  if (shopIds.length === 0) return new Map();
  const rows = await rawQuery<Record<string, unknown>>(
    tx,
    dialect,
    Prisma.sql`SELECT "s"."id", "v"."tierMeasure", "v"."tierPeriod" FROM "Shop" "s"
      JOIN "ProgramVersion" "v" ON "v"."shopId" = "s"."id" AND "v"."version" = "s"."programVersion"
      WHERE "s"."id" IN (${Prisma.join(shopIds.map((s) => Prisma.sql`${s}`))})`,
  );
  return new Map(
    rows.map((r) => [
      String(r.id),
      tierEntryOf({
        tierMeasure: r.tierMeasure === "spend" ? "spend" : "points",
        tierPeriod: r.tierPeriod === "rolling_12_months" ? "rolling_12_months" : "lifetime",
      }),
    ]),
  );
}

/** A shop's tier entry and its active tiers as rules under it. */
export async function tierSetup(db: Db | Tx, shopId: string): Promise<{ entry: TierEntry; tiers: TierRule[] }> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { programVersion: true } });
  const entry = tierEntryOf(await currentRules(db, shopId, shop.programVersion));
  const rows = await db.tier.findMany({
    where: { shopId, active: true },
    select: { id: true, name: true, thresholdPoints: true, thresholdSpendMinor: true, earnMultiplierPct: true },
  });
  return { entry, tiers: rows.map((r) => tierRuleOf(r, entry)).sort((a, b) => a.threshold - b.threshold) };
}
