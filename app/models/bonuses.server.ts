// Birthday bonuses: once a year, on the shop's local date, for members who gave a birthday; and
// the birthday gift the merchant chose (a reward as a code), a set number of days before.
import { dateAhead, isBirthday, localDate, type LocalDate } from "~/domain/birthday";
import type { Db } from "~/db.server";
import type { AdminGraphql } from "~/shopify/admin-call.server";
import { withLedger } from "./ledger.server";
import { grantReward } from "./redemptions.server";
import { currentRules } from "./shops.server";

/** Active members whose birthday falls on `day` (29 February ones on the 28th in other years). */
function bornOn(db: Db, shopId: string, day: LocalDate) {
  const days = day.month === 2 && day.day === 28 ? [28, 29] : [day.day];
  return db.member
    .findMany({
      where: { shopId, state: "active", birthdayMonth: day.month, birthdayDay: { in: days } },
      select: { id: true, customerId: true, birthdayMonth: true, birthdayDay: true },
    })
    .then((members) => members.filter((m) => isBirthday(m.birthdayMonth!, m.birthdayDay!, day)));
}

export async function awardBirthdays(db: Db, now = new Date()): Promise<number> {
  let awarded = 0;
  const shops = await db.shop.findMany({ where: { uninstalledAt: null } });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (rules.birthdayBonus <= 0) continue;
    const today = localDate(now, shop.timezone);
    for (const m of await bornOn(db, shop.id, today)) {
      const { posted } = await withLedger(db, (ledger) =>
        ledger.post({
          shopId: shop.id,
          memberId: m.id,
          kind: "bonus",
          points: rules.birthdayBonus,
          status: "available",
          availableAt: now,
          idempotencyKey: `birthday:${m.id}:${today.year}`,
          sourceType: "birthday",
          programVersion: rules.version,
          actor: "system:birthday",
          reason: "Happy birthday!",
          occurredAt: now,
        }),
      );
      if (posted) awarded++;
    }
  }
  return awarded;
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
    for (const m of await bornOn(db, shop.id, birthday)) {
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
