// The program document: everything a merchant sets in one JSON shape, read and written whole by
// the admin API, its forms, and the export/import between shops. One zod schema validates it for
// all of them; its issues become the API's 422 `errors` and the forms' field errors.
import { z } from "zod";
import { LAUNCH_STATES, normaliseTags, PENDING_DAYS_MAX, type EarningRules } from "./program";
import { rewardProblem } from "./rewards";
import { TIER_MEASURES, TIER_PERIODS } from "./tiers";

export const REWARD_TYPES = ["fixed_amount", "percentage", "free_shipping", "free_product"] as const;

const int = (min: number, max: number) =>
  z
    .number("must be a number")
    .int("must be a whole number")
    .min(min, `must be at least ${min.toLocaleString("en")}`)
    .max(max, `must be at most ${max.toLocaleString("en")}`);
const optionalMinor = int(0, 100_000_000).nullable().default(null);
const id = z.string().min(1).max(100).optional();

/**
 * A reward's or tier's name and description in each storefront language, keyed by locale ("en",
 * "de", "fa", "pt-BR"): `{[locale]: {name, description?}}`. The storefront picks the shopper's
 * language and falls back to the item's own name.
 */
/** A storefront language as Shopify names it: "en", "de", "fa", "pt-BR". */
export const LocaleCode = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a locale such as en, de, fa or pt-BR");

export const Translations = z
  .record(
    LocaleCode,
    z.object({
      name: z.string().trim().min(1, "a translation needs a name").max(100),
      description: z.string().trim().max(500).optional(),
    }),
  )
  .refine((t) => Object.keys(t).length <= 50, "at most 50 languages")
  .default({});
export type Translations = z.output<typeof Translations>;

export const RewardDoc = z
  .object({
    id,
    name: z.string().trim().min(1, "a reward needs a name").max(100),
    type: z.enum(REWARD_TYPES),
    pointsCost: int(1, 10_000_000),
    /** fixed_amount: amount off, shop-currency minor units */
    valueMinor: optionalMinor,
    /** percentage: whole percent */
    percent: int(1, 100).nullable().default(null),
    /** percentage: the most a code takes off, minor units */
    maxDiscountMinor: optionalMinor,
    /** free_product: gid://shopify/ProductVariant/<id> */
    variantId: z.string().max(100).nullable().default(null),
    /** free_product: the product as chosen in the resource picker (shown in the admin only) */
    product: z
      .object({
        title: z.string().trim().min(1).max(255),
        imageUrl: z
          .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
          .max(2000)
          .nullable()
          .default(null),
      })
      .nullable()
      .default(null),
    minimumSubtotalMinor: optionalMinor,
    codeValidDays: int(1, 3650).default(30),
    translations: Translations,
    /** tier-only: the id of one of the document's tiers; members below it see the reward locked */
    minTierId: z.string().min(1).max(100).nullable().default(null),
  })
  .superRefine((r, ctx) => {
    const problem = rewardProblem(r);
    if (problem) ctx.addIssue({ code: "custom", message: problem, path: [problemField(r.type)] });
  });
export type RewardDoc = z.output<typeof RewardDoc>;

const problemField = (type: string) =>
  ({ fixed_amount: "valueMinor", percentage: "percent", free_product: "variantId" })[type] ?? "type";

/** What a tier gives its members ("Free shipping on every order"), in each storefront language. */
export const PerkDoc = z.object({
  text: z.string().trim().min(1, "a perk needs a text").max(200),
  translations: z
    .record(LocaleCode, z.string().trim().min(1, "a translation needs a text").max(200))
    .refine((t) => Object.keys(t).length <= 50, "at most 50 languages")
    .default({}),
});
export type PerkDoc = z.output<typeof PerkDoc>;

export const TierDoc = z.object({
  id,
  name: z.string().trim().min(1, "a tier needs a name").max(100),
  /** where the program measures tiers by points: the points that reach it */
  thresholdPoints: int(0, 1_000_000_000),
  /** where it measures by spend: the amount spent that reaches it, shop-currency minor units */
  thresholdSpendMinor: int(0, 2_000_000_000).default(0),
  earnMultiplierPct: int(100, 1000).default(100),
  translations: Translations,
  perks: z.array(PerkDoc).max(10, "at most 10 perks").default([]),
});
export type TierDoc = z.output<typeof TierDoc>;

const instant = z.iso.datetime({ offset: true, message: "must be a date and time, e.g. 2026-11-27T00:00:00Z" });

/** A double-points campaign: orders paid from startsAt up to endsAt earn at multiplierPct. */
export const CampaignDoc = z
  .object({
    name: z.string().trim().min(1, "a campaign needs a name").max(100),
    startsAt: instant,
    endsAt: instant,
    multiplierPct: int(101, 1000).default(200),
  })
  .superRefine((c, ctx) => {
    if (Date.parse(c.endsAt) <= Date.parse(c.startsAt))
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "must be after the start" });
  });
export type CampaignDoc = z.output<typeof CampaignDoc>;

export const ProgramDocument = z
  .object({
    version: int(1, 2_000_000_000),
    earning: z.object({
      /** points per `per` whole units of shop currency */
      points: int(0, 1000),
      per: int(1, 1_000_000).default(1),
      autoEnroll: z.boolean(),
      /** products carrying one of these tags earn no points (gift cards never do) */
      excludedProductTags: z
        .array(
          z
            .string()
            .trim()
            .min(1, "a tag cannot be empty")
            .max(255)
            .regex(/^[^,]+$/, "a tag cannot contain a comma"),
        )
        .max(50, "at most 50 tags")
        .default([])
        .transform(normaliseTags),
    }),
    pendingDays: int(0, PENDING_DAYS_MAX),
    expiry: z.object({ inactiveDays: int(1, 3650).nullable(), reminderDays: int(1, 365).default(14) }),
    bonuses: z.object({
      signup: int(0, 1_000_000),
      birthday: int(0, 1_000_000),
      anniversary: int(0, 1_000_000).default(0),
      /** a reward of this document given as a code, `daysBefore` days before the birthday, once a year */
      birthdayGift: z
        .object({ rewardId: z.string().min(1).max(100), daysBefore: int(0, 60).default(0) })
        .nullable()
        .default(null),
    }),
    campaigns: z.array(CampaignDoc).max(50).default([]),
    referrals: z.object({ referrerPoints: int(0, 1_000_000), refereePercent: int(1, 100) }),
    returnSpentPointsOnRefund: z.boolean().default(false),
    launch: z.object({ state: z.enum(LAUNCH_STATES), pilotTag: z.string().trim().max(255).default("") }),
    /** the holdout (percent of customers never invited, to measure the club against) and the margin for ROI */
    analytics: z
      .object({ holdoutPercent: int(0, 50).default(0), grossMarginPercent: int(0, 100).default(50) })
      .default({ holdoutPercent: 0, grossMarginPercent: 50 }),
    rewards: z.array(RewardDoc).max(100),
    /** how members reach tiers: by points or amount spent, over their lifetime or the last 12 months */
    tierEntry: z
      .object({ measure: z.enum(TIER_MEASURES), period: z.enum(TIER_PERIODS) })
      .default({ measure: "points", period: "lifetime" }),
    tiers: z.array(TierDoc).max(20),
  })
  .superRefine((doc, ctx) => {
    if (doc.launch.state === "pilot" && doc.launch.pilotTag === "")
      ctx.addIssue({
        code: "custom",
        path: ["launch", "pilotTag"],
        message: "a pilot needs the customer tag that lets customers in",
      });
    // Thresholds of the measure in force are distinct (the other measure's are kept, unchecked).
    const field = doc.tierEntry.measure === "spend" ? "thresholdSpendMinor" : "thresholdPoints";
    const seen = new Map<number, number>();
    doc.tiers.forEach((t, i) => {
      if (seen.has(t[field]))
        ctx.addIssue({
          code: "custom",
          path: ["tiers", i, field],
          message:
            field === "thresholdPoints" ? "another tier starts at the same points" : "another tier starts at the same amount",
        });
      seen.set(t[field], i);
    });
    // A tier-only reward names a tier of this document: a tier cannot be archived (left out) while
    // rewards are kept for its members, nor can a reward name a tier not saved yet.
    const tierIds = new Set(doc.tiers.flatMap((t) => (t.id === undefined ? [] : [t.id])));
    doc.rewards.forEach((r, i) => {
      if (r.minTierId !== null && !tierIds.has(r.minTierId))
        ctx.addIssue({
          code: "custom",
          path: ["rewards", i, "minTierId"],
          message: "must be one of the program's saved tiers (a tier that rewards are kept for cannot be archived)",
        });
    });
    const gift = doc.bonuses.birthdayGift;
    if (gift && !doc.rewards.some((r) => r.id === gift.rewardId))
      ctx.addIssue({
        code: "custom",
        path: ["bonuses", "birthdayGift", "rewardId"],
        message: "the gift must be one of the saved rewards",
      });
    for (const list of ["rewards", "tiers"] as const) {
      const ids = new Set<string>();
      doc[list].forEach((item, i) => {
        if (item.id === undefined) return;
        if (ids.has(item.id)) ctx.addIssue({ code: "custom", path: [list, i, "id"], message: "listed twice" });
        ids.add(item.id);
      });
    }
  });
export type ProgramDocument = z.output<typeof ProgramDocument>;
/** What a client sends (defaults not yet applied). */
export type ProgramDocumentInput = z.input<typeof ProgramDocument>;

export interface FieldError {
  path: string;
  message: string;
}

/** zod issues as `{path: "rewards.0.pointsCost", message}`. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message }));
}

export function parseProgramDocument(value: unknown): { ok: true; doc: ProgramDocument } | { ok: false; errors: FieldError[] } {
  const result = ProgramDocument.safeParse(value);
  return result.success ? { ok: true, doc: result.data } : { ok: false, errors: fieldErrors(result.error) };
}

/** The rules of a version as the document says them. */
export function rulesOfDocument(doc: ProgramDocument): Omit<EarningRules, "version"> {
  return {
    earnRateNum: doc.earning.points,
    earnRateDen: doc.earning.per,
    excludedProductTags: doc.earning.excludedProductTags,
    tierMeasure: doc.tierEntry.measure,
    tierPeriod: doc.tierEntry.period,
    pendingDays: doc.pendingDays,
    expiryDays: doc.expiry.inactiveDays,
    expiryReminderDays: doc.expiry.reminderDays,
    autoEnroll: doc.earning.autoEnroll,
    signupBonus: doc.bonuses.signup,
    birthdayBonus: doc.bonuses.birthday,
    birthdayRewardId: doc.bonuses.birthdayGift?.rewardId ?? null,
    birthdayGiftDaysBefore: doc.bonuses.birthdayGift?.daysBefore ?? 0,
    referrerPoints: doc.referrals.referrerPoints,
    refereePercent: doc.referrals.refereePercent,
    returnSpentPointsOnRefund: doc.returnSpentPointsOnRefund,
    launchState: doc.launch.state,
    pilotTag: doc.launch.pilotTag,
    holdoutPercent: doc.analytics.holdoutPercent,
    grossMarginPercent: doc.analytics.grossMarginPercent,
    anniversaryBonus: doc.bonuses.anniversary,
    // Instants as the database will give them back (a version's rules are compared and cached).
    campaigns: doc.campaigns.map((c) => ({
      ...c,
      startsAt: new Date(c.startsAt).toISOString(),
      endsAt: new Date(c.endsAt).toISOString(),
    })),
  };
}

export function documentOf(
  rules: EarningRules,
  rewards: Array<RewardDoc & { id: string }>,
  tiers: Array<TierDoc & { id: string }>,
): ProgramDocument & { rewards: Array<RewardDoc & { id: string }>; tiers: Array<TierDoc & { id: string }> } {
  return {
    version: rules.version,
    earning: {
      points: rules.earnRateNum,
      per: rules.earnRateDen,
      autoEnroll: rules.autoEnroll,
      excludedProductTags: rules.excludedProductTags,
    },
    pendingDays: rules.pendingDays,
    expiry: { inactiveDays: rules.expiryDays, reminderDays: rules.expiryReminderDays },
    bonuses: {
      signup: rules.signupBonus,
      birthday: rules.birthdayBonus,
      anniversary: rules.anniversaryBonus,
      birthdayGift: rules.birthdayRewardId
        ? { rewardId: rules.birthdayRewardId, daysBefore: rules.birthdayGiftDaysBefore }
        : null,
    },
    campaigns: rules.campaigns,
    referrals: { referrerPoints: rules.referrerPoints, refereePercent: rules.refereePercent },
    returnSpentPointsOnRefund: rules.returnSpentPointsOnRefund,
    launch: { state: rules.launchState, pilotTag: rules.pilotTag },
    analytics: { holdoutPercent: rules.holdoutPercent, grossMarginPercent: rules.grossMarginPercent },
    rewards,
    tierEntry: { measure: rules.tierMeasure, period: rules.tierPeriod },
    tiers,
  };
}

/**
 * How a saved document changes the shop's rewards (or tiers): items whose id is one of the
 * shop's are updated in place; otherwise, when importing from another shop, an item of the same
 * name keeps the target's id; the rest are created. The shop's items left out are archived.
 */
export function reconcile<T extends { id?: string; name: string }>(
  incoming: readonly T[],
  existing: ReadonlyArray<{ id: string; name: string }>,
  matchByName: boolean,
): { update: Array<{ id: string; item: T; position: number }>; create: Array<{ item: T; position: number }>; archive: string[] } {
  const byId = new Map(existing.map((e) => [e.id, e]));
  const byName = new Map(existing.map((e) => [e.name.trim().toLowerCase(), e]));
  const used = new Set<string>();
  const update: Array<{ id: string; item: T; position: number }> = [];
  const create: Array<{ item: T; position: number }> = [];
  incoming.forEach((item, position) => {
    let match = item.id !== undefined ? byId.get(item.id) : undefined;
    if (!match && matchByName) match = byName.get(item.name.trim().toLowerCase());
    if (match && !used.has(match.id)) {
      used.add(match.id);
      update.push({ id: match.id, item, position });
    } else create.push({ item, position });
  });
  return { update, create, archive: existing.filter((e) => !used.has(e.id)).map((e) => e.id) };
}

/** A merchant's points adjustment (API and the member page). */
export const Adjustment = z.object({
  points: z
    .number("must be a whole number of points")
    .int("must be a whole number")
    .min(-10_000_000, "must be at least -10,000,000")
    .max(10_000_000, "must be at most 10,000,000")
    .refine((n) => n !== 0, "must not be 0"),
  reason: z.string().trim().min(1, "say why (the member's history shows it)").max(500),
  idempotencyKey: z.string().trim().min(1).max(200),
});
