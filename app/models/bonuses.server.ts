// Yearly bonuses: birthdays (on the shop's local date, for members who gave one) and anniversaries
// of joining (on the local date they enrolled, from the first anniversary). Each is posted once a
// year per member (the ledger's key names the year), and only to customers the club is open to
// (clubOpenTo: a draft pays nobody, a pilot only the tagged, an excluded member nothing). Also the
// birthday gift the merchant chose (a reward as a code), a set number of days before.
import { anniversaryOf, dateAhead, isBirthday, localDate, type LocalDate } from "~/domain/birthday";
import { clubOpenTo, launchOf, tagList, type EarningRules } from "~/domain/program";
import type { Db } from "~/db.server";
import type { AdminGraphql } from "~/shopify/admin-call.server";
import { withLedger } from "./ledger.server";
import { grantReward } from "./redemptions.server";
import { currentRules } from "./shops.server";

interface Candidate {
  id: string;
  tags: string;
  excludedAt: Date | null;
}

const open = (rules: EarningRules, m: Candidate) =>
  clubOpenTo(launchOf(rules), { tags: tagList(m.tags), excluded: m.excludedAt !== null });

async function pay(
  db: Db,
  shopId: string,
  rules: EarningRules,
  m: Candidate,
  bonus: { points: number; key: string; source: string; reason: string },
  now: Date,
) {
  const { posted } = await withLedger(db, (ledger) =>
    ledger.post({
      shopId,
      memberId: m.id,
      kind: "bonus",
      points: bonus.points,
      status: "available",
      availableAt: now,
      idempotencyKey: bonus.key,
      sourceType: bonus.source,
      programVersion: rules.version,
      actor: `system:${bonus.source}`,
      reason: bonus.reason,
      occurredAt: now,
    }),
  );
  return posted ? 1 : 0;
}

export async function awardBirthdays(db: Db, now = new Date()): Promise<number> {
  let awarded = 0;
  const shops = await db.shop.findMany({ where: { uninstalledAt: null } });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (rules.birthdayBonus <= 0 || rules.launchState === "draft") continue;
    const today = localDate(now, shop.timezone);
    // 29 February birthdays are celebrated on the 28th in other years.
    const days = today.month === 2 && today.day === 28 ? [28, 29] : [today.day];
    const members = await db.member.findMany({
      where: { shopId: shop.id, state: "active", excludedAt: null, birthdayMonth: today.month, birthdayDay: { in: days } },
      select: { id: true, birthdayMonth: true, birthdayDay: true, tags: true, excludedAt: true },
    });
    for (const m of members) {
      if (!isBirthday(m.birthdayMonth!, m.birthdayDay!, today) || !open(rules, m)) continue;
      awarded += await pay(
        db,
        shop.id,
        rules,
        m,
        { points: rules.birthdayBonus, key: `birthday:${m.id}:${today.year}`, source: "birthday", reason: "Happy birthday!" },
        now,
      );
    }
  }
  return awarded;
}

/** The UTC instants that can fall on a local date in any time zone (a day either side). */
const aroundLocalDay = (d: LocalDate) => ({
  gte: new Date(Date.UTC(d.year, d.month - 1, d.day) - 86_400_000),
  lt: new Date(Date.UTC(d.year, d.month - 1, d.day) + 2 * 86_400_000),
});

export async function awardAnniversaries(db: Db, now = new Date()): Promise<number> {
  let awarded = 0;
  const shops = await db.shop.findMany({ where: { uninstalledAt: null } });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (rules.anniversaryBonus <= 0 || rules.launchState === "draft") continue;
    const today = localDate(now, shop.timezone);
    const first = await db.member.findFirst({
      where: { shopId: shop.id },
      orderBy: { enrolledAt: "asc" },
      select: { enrolledAt: true },
    });
    if (!first) continue;
    // One indexed range per past year, (shopId, enrolledAt): the members who joined around this
    // date that year; the exact local date is then checked (and 29 February kept on the 28th).
    for (let year = localDate(first.enrolledAt, shop.timezone).year; year < today.year; year++) {
      const ranges = [aroundLocalDay({ year, month: today.month, day: today.day })];
      if (today.month === 2 && today.day === 28) ranges.push(aroundLocalDay({ year, month: 2, day: 29 }));
      const members = await db.member.findMany({
        where: { shopId: shop.id, state: "active", excludedAt: null, OR: ranges.map((enrolledAt) => ({ enrolledAt })) },
        select: { id: true, enrolledAt: true, tags: true, excludedAt: true },
      });
      for (const m of members) {
        const years = anniversaryOf(localDate(m.enrolledAt, shop.timezone), today);
        if (years === null || !open(rules, m)) continue;
        awarded += await pay(
          db,
          shop.id,
          rules,
          m,
          {
            points: rules.anniversaryBonus,
            key: `anniversary:${m.id}:${today.year}`,
            source: "anniversary",
            reason: years === 1 ? "One year in the club" : `${years} years in the club`,
          },
          now,
        );
      }
    }
  }
  return awarded;
}

/** The day's yearly bonuses (the job thread runs this hourly; each is paid once a year). */
export async function awardYearlyBonuses(db: Db, now = new Date()) {
  return { birthdays: await awardBirthdays(db, now), anniversaries: await awardAnniversaries(db, now) };
}

/** Members the club is open to whose birthday falls on `day` (29 February ones on the 28th in other years). */
async function bornOn(db: Db, shopId: string, rules: EarningRules, day: LocalDate) {
  const days = day.month === 2 && day.day === 28 ? [28, 29] : [day.day];
  const members = await db.member.findMany({
    where: { shopId, state: "active", excludedAt: null, birthdayMonth: day.month, birthdayDay: { in: days } },
    select: { id: true, customerId: true, birthdayMonth: true, birthdayDay: true, tags: true, excludedAt: true },
  });
  return members.filter((m) => isBirthday(m.birthdayMonth!, m.birthdayDay!, day) && open(rules, m));
}

/**
 * The birthday gift: members whose birthday is `daysBefore` days away get the chosen reward as a
 * code, once per birthday (the key names the birthday's year). A gift Shopify failed to create is
 * tried again on the next run while that day lasts. Answers how many codes were issued.
 */
export async function giveBirthdayGifts(db: Db, graphqlFor: (shopId: string) => Promise<AdminGraphql>, now = new Date()) {
  let issued = 0;
  const shops = await db.shop.findMany({ where: { uninstalledAt: null } });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (!rules.birthdayRewardId) continue;
    const birthday = dateAhead(localDate(now, shop.timezone), rules.birthdayGiftDaysBefore);
    for (const m of await bornOn(db, shop.id, rules, birthday)) {
      const code = await grantReward(db, () => graphqlFor(shop.id), {
        shopId: shop.id,
        memberId: m.id,
        customerId: m.customerId!,
        rewardId: rules.birthdayRewardId,
        key: `birthday-gift:${birthday.year}`,
        source: "birthday",
      });
      if (code?.issuedNow) issued++;
    }
  }
  return issued;
}
