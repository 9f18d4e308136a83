// The program document in and out of the database: a new ProgramVersion per save (earlier
// versions stay, and entries name the one they were earned under), rewards and tiers reconciled
// in the same transaction, and the shop's current version bumped only if it is still the one
// the document was read at (optimistic concurrency: a stale document is refused, nothing saved).
import { diffPrograms, type DiffableProgram } from "~/domain/program-diff";
import { tierEntryOf } from "~/domain/program";
import { z } from "zod";
import { documentOf, PerkDoc, reconcile, rulesOfDocument, Translations, type ProgramDocument } from "~/domain/program-document";
import type { Db, Tx } from "~/db.server";
import { currentRules, rulesOf, versionColumns } from "./shops.server";
import { markTierValuesDue } from "./tier-values.server";

export async function programDocument(db: Db | Tx, shopId: string) {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const [rules, rewards, tiers] = await Promise.all([
    currentRules(db, shopId, shop.programVersion),
    db.reward.findMany({ where: { shopId, active: true }, orderBy: [{ position: "asc" }, { pointsCost: "asc" }, { id: "asc" }] }),
    db.tier.findMany({
      where: { shopId, active: true },
      orderBy: [{ thresholdPoints: "asc" }, { thresholdSpendMinor: "asc" }, { id: "asc" }],
    }),
  ]);
  return {
    currency: shop.currency,
    ...documentOf(
      rules,
      rewards.map((r) => ({
        id: r.id,
        name: r.name,
        type: r.type as ProgramDocument["rewards"][number]["type"],
        pointsCost: r.pointsCost,
        valueMinor: r.valueMinor,
        percent: r.percent,
        maxDiscountMinor: r.maxDiscountMinor,
        variantId: r.variantId,
        minimumSubtotalMinor: r.minimumSubtotalMinor,
        codeValidDays: r.codeValidDays,
        translations: translationsOf(r.translations),
        product: r.productTitle ? { title: r.productTitle, imageUrl: r.productImageUrl } : null,
        minTierId: r.minTierId,
      })),
      tiers.map((t) => ({
        id: t.id,
        name: t.name,
        thresholdPoints: t.thresholdPoints,
        thresholdSpendMinor: t.thresholdSpendMinor,
        earnMultiplierPct: t.earnMultiplierPct,
        translations: translationsOf(t.translations),
        perks: perksOf(t.perks),
      })),
    ),
  };
}

/** Stored translations (JSON) as the document gives them; what does not read as such is none. */
export function translationsOf(json: string): Translations {
  try {
    const parsed = Translations.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Stored perks (JSON) as the document gives them; what does not read as such is none. */
export function perksOf(json: string): PerkDoc[] {
  try {
    const parsed = z.array(PerkDoc).safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export type SaveResult = { ok: true; version: number } | { ok: false; code: "version_conflict"; current: number };

export interface SaveOptions {
  /** who saved it (the staff user id of the session token) */
  actor: string;
  /** importing another shop's document: its ids mean nothing here, so items match by name */
  importing?: boolean;
}

/**
 * Saves the document as version `doc.version + 1`. When importing, the target's current version
 * is taken as the base (the document's own version is another shop's).
 */
export async function saveProgram(db: Db, shopId: string, doc: ProgramDocument, options: SaveOptions): Promise<SaveResult> {
  return db.$transaction(async (tx) => {
    const base = options.importing
      ? (await tx.shop.findUniqueOrThrow({ where: { id: shopId }, select: { programVersion: true } })).programVersion
      : doc.version;
    const next = base + 1;
    // A version saved before documents were kept (the one made at install) gets its document now,
    // as it still is, so the history can say what this save changes in rewards and tiers too.
    const before = await tx.programVersion.findUnique({
      where: { shopId_version: { shopId, version: base } },
      select: { document: true },
    });
    if (before && !before.document) {
      const { currency: _c, ...current } = await programDocument(tx, shopId);
      if (current.version === base)
        await tx.programVersion.update({
          where: { shopId_version: { shopId, version: base } },
          data: { document: JSON.stringify(current) },
        });
    }
    // The version check and the bump are one statement: two saves of the same version cannot both win.
    const bumped = await tx.shop.updateMany({ where: { id: shopId, programVersion: base }, data: { programVersion: next } });
    if (bumped.count !== 1) {
      const current = await tx.shop.findUniqueOrThrow({ where: { id: shopId }, select: { programVersion: true } });
      return { ok: false as const, code: "version_conflict" as const, current: current.programVersion };
    }
    const rules = rulesOfDocument(doc);
    await tx.programVersion.create({
      data: { shopId, version: next, ...versionColumns(rules), createdBy: options.actor },
    });
    // Tiers now measured another way: every member's value is computed again in the background.
    const was = await currentRules(tx, shopId, base);
    if (was.tierMeasure !== rules.tierMeasure || was.tierPeriod !== rules.tierPeriod)
      await markTierValuesDue(tx, shopId, tierEntryOf(rules));

    const [rewards, tiers] = await Promise.all([
      tx.reward.findMany({ where: { shopId }, select: { id: true, name: true, active: true } }),
      tx.tier.findMany({ where: { shopId }, select: { id: true, name: true, active: true } }),
    ]);
    // Archived items can come back when a document names them; by name only the live ones match.
    // Tiers first: a tier-only reward names a tier by the document's id for it, which is this
    // shop's id once saved (another shop's, or none, when the tier is matched by name or created).
    const tierPlan = reconcile(doc.tiers, options.importing ? tiers.filter((t) => t.active) : tiers, !!options.importing);
    const tierIdOf = new Map<string, string>();
    for (const { id, item } of tierPlan.update) {
      await tx.tier.update({ where: { id }, data: { ...tierData(item), active: true } });
      if (item.id !== undefined) tierIdOf.set(item.id, id);
    }
    for (const { item } of tierPlan.create) {
      const created = await tx.tier.create({ data: { shopId, ...tierData(item) }, select: { id: true } });
      if (item.id !== undefined) tierIdOf.set(item.id, created.id);
    }
    if (tierPlan.archive.length)
      await tx.tier.updateMany({ where: { shopId, id: { in: tierPlan.archive } }, data: { active: false } });

    const rewardPlan = reconcile(doc.rewards, options.importing ? rewards.filter((r) => r.active) : rewards, !!options.importing);
    const minTierId = (r: ProgramDocument["rewards"][number]) =>
      r.minTierId === null ? null : (tierIdOf.get(r.minTierId) ?? null);
    for (const { id, item, position } of rewardPlan.update) {
      await tx.reward.update({
        where: { id },
        data: { ...rewardData(item), minTierId: minTierId(item), position, active: true },
      });
    }
    for (const { item, position } of rewardPlan.create) {
      await tx.reward.create({ data: { shopId, ...rewardData(item), minTierId: minTierId(item), position } });
    }
    if (rewardPlan.archive.length)
      await tx.reward.updateMany({ where: { shopId, id: { in: rewardPlan.archive } }, data: { active: false } });
    // The version keeps the document as saved (with the ids given), so the history can say what changed.
    const { currency: _currency, ...saved } = await programDocument(tx, shopId);
    await tx.programVersion.update({
      where: { shopId_version: { shopId, version: next } },
      data: { document: JSON.stringify(saved) },
    });
    return { ok: true as const, version: next };
  });
}

const rewardData = (r: ProgramDocument["rewards"][number]) => ({
  name: r.name,
  type: r.type,
  pointsCost: r.pointsCost,
  // Only the fields of the reward's type are kept, so a changed type leaves nothing stale behind.
  valueMinor: r.type === "fixed_amount" ? r.valueMinor : null,
  percent: r.type === "percentage" ? r.percent : null,
  maxDiscountMinor: r.type === "percentage" ? r.maxDiscountMinor : null,
  variantId: r.type === "free_product" ? r.variantId : null,
  productTitle: r.type === "free_product" ? (r.product?.title ?? null) : null,
  productImageUrl: r.type === "free_product" ? (r.product?.imageUrl ?? null) : null,
  minimumSubtotalMinor: r.minimumSubtotalMinor,
  codeValidDays: r.codeValidDays,
  translations: JSON.stringify(r.translations),
});

const tierData = (t: ProgramDocument["tiers"][number]) => ({
  name: t.name,
  thresholdPoints: t.thresholdPoints,
  thresholdSpendMinor: t.thresholdSpendMinor,
  earnMultiplierPct: t.earnMultiplierPct,
  translations: JSON.stringify(t.translations),
  perks: JSON.stringify(t.perks),
});

/**
 * The shop's program versions, newest first, each with who saved it, when, and what changed from
 * the version before (diffPrograms). Versions saved before documents were kept compare only
 * their rules.
 */
export async function programVersions(db: Db, shopId: string, limit = 100) {
  const rows = await db.programVersion.findMany({
    where: { shopId },
    orderBy: { version: "desc" },
    take: limit + 1,
  });
  const docOf = (row: (typeof rows)[number]): DiffableProgram => {
    if (row.document) {
      try {
        return JSON.parse(row.document) as DiffableProgram;
      } catch {
        // fall through to the rules
      }
    }
    const { rewards: _r, tiers: _t, ...rules } = documentOf(rulesOf(row), [], []);
    return rules;
  };
  return rows.slice(0, limit).map((row, i) => {
    const previous = rows[i + 1];
    const before = previous ? docOf(previous) : null;
    const after = docOf(row);
    // Without both documents, rewards and tiers cannot be compared: only the rules are.
    const comparable =
      before && (!previous!.document || !row.document) ? { ...after, rewards: before.rewards, tiers: before.tiers } : after;
    return {
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy,
      changes: diffPrograms(before, comparable),
    };
  });
}
