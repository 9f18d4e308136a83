// "Your points expire on D": once per member per upcoming expiry date, the program's reminderDays
// (default 14) before points expire for inactivity, a points.expiring event goes to the outbox
// (Flow's loyalty-points-expiring, webhooks). New activity moves the date, and so earns a new
// reminder; the key (member, date) makes a repeated sweep write nothing more. The date told is the
// shop's calendar day.
import { pointsExpiring } from "~/domain/metafields";
import { clientDialect, type Db } from "~/db.server";
import { recordEvents, type OutboxEventDraft } from "./outbox.server";
import { currentRules } from "./shops.server";

const PAGE = 500;

export async function remindExpiringPoints(db: Db, now = new Date()): Promise<number> {
  const dialect = clientDialect(db);
  let reminded = 0;
  const shops = await db.shop.findMany({
    where: { uninstalledAt: null },
    select: { id: true, programVersion: true, timezone: true },
  });
  for (const shop of shops) {
    const rules = await currentRules(db, shop.id, shop.programVersion);
    if (rules.expiryDays === null) continue;
    // Members whose points expire within reminderDays from now (and have not expired yet).
    const inactiveSince = new Date(now.getTime() - rules.expiryDays * 86_400_000);
    const remindFrom = new Date(inactiveSince.getTime() + rules.expiryReminderDays * 86_400_000);
    let cursor: string | undefined;
    for (;;) {
      const members = await db.member.findMany({
        where: {
          shopId: shop.id,
          state: "active",
          customerId: { not: null },
          available: { gt: 0 },
          lastActivityAt: { gt: inactiveSince, lte: remindFrom },
          ...(cursor ? { id: { gt: cursor } } : {}),
        },
        orderBy: { id: "asc" },
        take: PAGE,
        select: { id: true, customerId: true, state: true, available: true, lifetimeEarned: true, lastActivityAt: true },
      });
      if (members.length === 0) break;
      cursor = members.at(-1)!.id;
      const events: OutboxEventDraft[] = members.flatMap((m) => {
        const expiring = pointsExpiring(m, rules.expiryDays, shop.timezone);
        // Keyed by the instant's UTC day, which no time-zone setting moves: one reminder per expiry.
        const key = pointsExpiring(m, rules.expiryDays)?.on;
        return expiring
          ? [
              {
                shopId: shop.id,
                memberId: m.id,
                customerId: m.customerId!,
                type: "points.expiring" as const,
                eventKey: `expiring:${m.id}:${key}`,
                data: { points: expiring.points, expiresOn: expiring.on },
              },
            ]
          : [];
      });
      reminded += await db.$transaction((tx) => recordEvents(tx, dialect, events, now));
      if (members.length < PAGE) break;
    }
  }
  return reminded;
}
