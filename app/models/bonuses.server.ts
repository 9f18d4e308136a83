// Birthday bonuses: once a year, on the shop's local date, for members who gave a birthday.
import { isBirthday, localDate } from "~/domain/birthday";
import type { Db } from "~/db.server";
import { withLedger } from "./ledger.server";
import { currentRules } from "./shops.server";

export async function awardBirthdays(db: Db, now = new Date()): Promise<number> {
  let awarded = 0;
  const shops = await db.shop.findMany({ where: { uninstalledAt: null } });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (rules.birthdayBonus <= 0) continue;
    const today = localDate(now, shop.timezone);
    // 29 February birthdays are celebrated on the 28th in other years.
    const days = today.month === 2 && today.day === 28 ? [28, 29] : [today.day];
    const members = await db.member.findMany({
      where: { shopId: shop.id, state: "active", birthdayMonth: today.month, birthdayDay: { in: days } },
      select: { id: true, birthdayMonth: true, birthdayDay: true },
    });
    for (const m of members) {
      if (!isBirthday(m.birthdayMonth!, m.birthdayDay!, today)) continue;
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
