// Seasonal draws (docs/http.md "Seasonal draws", ADR 0017): the merchant creates one with a
// committed secret seed, members enter with points (one `draw_entry` ledger spend per request) or
// once for free, the merchant runs it after its end (winners by app/domain/draws.ts, prizes issued
// as codes) or cancels it (every paid entry given back once as `draw_refund`).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { clientDialect, Prisma, rawQuery, type Db, type Dialect, type Tx } from "~/db.server";
import { commitmentOf, drawOpen, drawWinners, planEntry, type DrawState, type EntryRequest } from "~/domain/draws";
import { clubOpenTo, launchOf, tagList } from "~/domain/program";
import type { AdminGraphql } from "~/shopify/discounts.server";
import { InsufficientPointsError, withLedger } from "./ledger.server";
import { recordEvents } from "./outbox.server";
import { grantReward } from "./redemptions.server";
import { currentRules } from "./shops.server";

export class DrawError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REFUSALS = {
  draw_closed: [409, "this draw is closed for entries"],
  free_entry_used: [409, "the free entry to this draw has been used"],
  entry_limit: [422, "that would be more entries than this draw allows per customer"],
  insufficient_points: [409, "not enough points for these entries"],
} as const;
const refused = (code: keyof typeof REFUSALS) => new DrawError(REFUSALS[code][0], code, REFUSALS[code][1]);
const NOT_FOUND = () => new DrawError(404, "draw_not_found", "no such draw");

type DrawRow = Awaited<ReturnType<Db["draw"]["findFirstOrThrow"]>>;

export interface NewDraw {
  name: string;
  endsAt: Date;
  pointsPerEntry: number;
  maxEntriesPerCustomer: number;
  winners: number;
  prizeRewardId?: string | null;
}

/** What the admin sees of a draw; the seed only once it is drawn. */
export function drawView(d: DrawRow) {
  return {
    id: d.id,
    name: d.name,
    endsAt: d.endsAt.toISOString(),
    pointsPerEntry: d.pointsPerEntry,
    maxEntriesPerCustomer: d.maxEntriesPerCustomer,
    winners: d.winners,
    prizeRewardId: d.prizeRewardId,
    state: d.state as DrawState,
    commitment: d.commitment,
    seed: d.state === "drawn" ? d.seed : null,
    tickets: d.nextTicket,
    createdAt: d.createdAt.toISOString(),
  };
}

export async function createDraw(db: Db, shopId: string, actor: string, input: NewDraw) {
  const seed = randomBytes(32).toString("hex");
  const draw = await db.draw.create({
    data: {
      id: `dr_${randomUUID()}`,
      shopId,
      ...input,
      prizeRewardId: input.prizeRewardId ?? null,
      seed,
      commitment: commitmentOf(seed),
      createdBy: actor,
    },
  });
  return drawView(draw);
}

export async function listDraws(db: Db, shopId: string) {
  const draws = await db.draw.findMany({ where: { shopId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 100 });
  const entrants = await db.drawEntrant.groupBy({
    by: ["drawId"],
    where: { shopId, drawId: { in: draws.map((d) => d.id) } },
    _count: { _all: true },
  });
  const counts = new Map(entrants.map((e) => [e.drawId, e._count._all]));
  return draws.map((d) => ({ ...drawView(d), entrants: counts.get(d.id) ?? 0 }));
}

/** One draw for the admin: its figures and its latest entries (newest first), as they come. */
export async function drawDetail(db: Db, shopId: string, drawId: string) {
  const draw = await db.draw.findFirst({ where: { id: drawId, shopId } });
  if (!draw) throw NOT_FOUND();
  const [entrants, recent] = await Promise.all([
    db.drawEntrant.aggregate({ where: { drawId }, _count: { _all: true }, _sum: { entries: true } }),
    db.$queryRaw<
      Array<{
        id: string;
        customerId: string | null;
        entries: number;
        free: boolean | number;
        pointsSpent: number;
        createdAt: Date | string;
      }>
    >`
      SELECT e."id", m."customerId", e."entries", e."free", e."pointsSpent", e."createdAt"
      FROM "DrawEntry" e JOIN "Member" m ON m."id" = e."memberId"
      WHERE e."drawId" = ${drawId} AND e."shopId" = ${shopId}
      ORDER BY e."firstTicket" DESC LIMIT 50`,
  ]);
  const result = draw.state === "drawn" ? await drawResult(db, draw, "customer") : null;
  return {
    ...drawView(draw),
    entrants: entrants._count._all,
    entries: recent.map((e) => ({
      id: e.id,
      customerId: e.customerId ?? "redacted",
      entries: Number(e.entries),
      free: Boolean(e.free),
      pointsSpent: Number(e.pointsSpent),
      createdAt: new Date(e.createdAt).toISOString(),
    })),
    won: (result?.winners ?? []).map((w) => ({ customerId: customerOf(w.customerId), ticket: w.ticket })),
  };
}

const entryHash = (request: EntryRequest) =>
  createHash("sha256")
    .update(request.free ? "draw-entry\u0000free" : `draw-entry\u0000${request.entries}`)
    .digest("hex")
    .slice(0, 32);

function lockDraw(tx: Tx, dialect: Dialect, shopId: string, drawId: string) {
  return rawQuery<{
    state: string;
    endsAt: Date | string;
    pointsPerEntry: number;
    maxEntriesPerCustomer: number;
    nextTicket: number;
  }>(
    tx,
    dialect,
    Prisma.sql`SELECT "state", "endsAt", "pointsPerEntry", "maxEntriesPerCustomer", "nextTicket" FROM "Draw"
      WHERE "id" = ${drawId} AND "shopId" = ${shopId} ${dialect === "postgresql" ? Prisma.sql`FOR UPDATE` : Prisma.empty}`,
  ).then((rows) => rows[0]);
}

class Replay extends Error {}

export interface EntryAnswer {
  myEntries: number;
  points: { available: number; pending: number; lifetime: number };
}

/**
 * POST /proxy/draws/<id>/enter. The draw's row is locked for the request, so entries to one draw
 * are accepted one at a time: tickets are numbered in that order, the per-customer limit and the
 * free entry are decided on what is committed, and the spend cannot overdraw (the ledger's guard).
 */
export async function enterDraw(
  db: Db,
  shopId: string,
  customerId: string,
  drawId: string,
  request: EntryRequest,
  idempotencyKey: string,
  now = new Date(),
): Promise<EntryAnswer> {
  const draw = await db.draw.findFirst({ where: { id: drawId, shopId } });
  const shop = await db.shop.findFirst({ where: { id: shopId, uninstalledAt: null } });
  if (!draw || !shop) throw NOT_FOUND();
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
  const hash = entryHash(request);
  const replay = async (): Promise<EntryAnswer | null> => {
    if (!member) return null;
    const earlier = await db.drawEntry.findUnique({
      where: { drawId_memberId_idempotencyKey: { drawId, memberId: member.id, idempotencyKey } },
    });
    if (!earlier) return null;
    if (earlier.requestHash !== hash)
      throw new DrawError(422, "idempotency_key_reused", "this idempotency key was used for another request; use a new key");
    return JSON.parse(earlier.answer) as EntryAnswer;
  };
  const earlier = await replay();
  if (earlier) return earlier;
  if (!drawOpen({ state: draw.state as DrawState, endsAt: draw.endsAt }, now)) throw refused("draw_closed");
  if (!member || member.state !== "active") throw new DrawError(409, "not_enrolled", "join the loyalty club first");
  const rules = await currentRules(db, shopId, shop.programVersion);
  if (!clubOpenTo(launchOf(rules), { tags: tagList(member.tags), excluded: member.excludedAt !== null }))
    throw new DrawError(403, "club_closed", "the loyalty club is not open to this customer yet");

  try {
    return await withLedger(db, async ({ tx, dialect, spend }) => {
      const locked = await lockDraw(tx, dialect, shopId, drawId);
      if (!locked) throw NOT_FOUND();
      const seen = await tx.drawEntry.findUnique({
        where: { drawId_memberId_idempotencyKey: { drawId, memberId: member.id, idempotencyKey } },
        select: { id: true },
      });
      if (seen) throw new Replay(); // the same key was accepted while this request waited for the lock
      const entrant = await tx.drawEntrant.findUnique({ where: { drawId_memberId: { drawId, memberId: member.id } } });
      const balance = await tx.member.findUniqueOrThrow({ where: { id: member.id } });
      const plan = planEntry(
        {
          state: locked.state as DrawState,
          endsAt: new Date(locked.endsAt),
          pointsPerEntry: Number(locked.pointsPerEntry),
          maxEntriesPerCustomer: Number(locked.maxEntriesPerCustomer),
          nextTicket: Number(locked.nextTicket),
        },
        entrant ?? { entries: 0, freeUsed: false },
        request,
        balance.available,
        now,
      );
      if ("refused" in plan) throw refused(plan.refused);

      const id = `de_${randomUUID()}`;
      if (plan.cost > 0) {
        await spend({
          shopId,
          memberId: member.id,
          kind: "draw_entry",
          points: -plan.cost,
          status: "available",
          availableAt: now,
          idempotencyKey: `draw-entry:${id}`,
          sourceType: "draw",
          sourceId: drawId,
          actor: "shopper",
          reason: `${plan.entries === 1 ? "1 entry" : `${plan.entries} entries`}: ${draw.name}`,
          occurredAt: now,
        });
      }
      await tx.drawEntrant.upsert({
        where: { drawId_memberId: { drawId, memberId: member.id } },
        create: { drawId, memberId: member.id, shopId, entrantId: randomBytes(8).toString("hex"), ...plan.standing },
        update: plan.standing,
      });
      await tx.draw.update({ where: { id: drawId }, data: { nextTicket: plan.lastTicket + 1 } });
      const after = await tx.member.findUniqueOrThrow({ where: { id: member.id } });
      const answer: EntryAnswer = {
        myEntries: plan.standing.entries,
        points: { available: after.available, pending: after.pending, lifetime: after.lifetimeEarned },
      };
      await tx.drawEntry.create({
        data: {
          id,
          shopId,
          drawId,
          memberId: member.id,
          idempotencyKey,
          requestHash: hash,
          entries: plan.entries,
          free: request.free,
          pointsSpent: plan.cost,
          firstTicket: plan.firstTicket,
          lastTicket: plan.lastTicket,
          answer: JSON.stringify(answer),
          createdAt: now,
        },
      });
      return answer;
    });
  } catch (error) {
    if (error instanceof InsufficientPointsError) throw refused("insufficient_points");
    if (error instanceof Replay) return (await replay())!;
    throw error;
  }
}

interface TicketRow {
  /** the customer id (admin answers) or the opaque entrant id (the proof); null: erased since */
  who: string | null;
  firstTicket: number;
  lastTicket: number;
}

/** Every accepted entry's tickets in order, named by customer (for the admin) or by entrant (the proof). */
async function ticketRows(db: Db | Tx, drawId: string, by: "customer" | "entrant"): Promise<TicketRow[]> {
  const rows =
    by === "customer"
      ? await db.$queryRaw<TicketRow[]>`
          SELECT m."customerId" AS "who", e."firstTicket", e."lastTicket"
          FROM "DrawEntry" e JOIN "Member" m ON m."id" = e."memberId"
          WHERE e."drawId" = ${drawId} ORDER BY e."firstTicket"`
      : await db.$queryRaw<TicketRow[]>`
          SELECT n."entrantId" AS "who", e."firstTicket", e."lastTicket"
          FROM "DrawEntry" e JOIN "DrawEntrant" n ON n."drawId" = e."drawId" AND n."memberId" = e."memberId"
          WHERE e."drawId" = ${drawId} ORDER BY e."firstTicket"`;
  return rows.map((r) => ({ who: r.who, firstTicket: Number(r.firstTicket), lastTicket: Number(r.lastTicket) }));
}

const customerOf = (customerId: string | null) => customerId ?? "redacted";

/** The run's answer, the same every time: the seed, every accepted entry's tickets, the winners. */
async function drawResult(db: Db | Tx, draw: DrawRow, by: "customer" | "entrant") {
  const [tickets, winners] = await Promise.all([
    ticketRows(db, draw.id, by),
    db.$queryRaw<
      Array<{ memberId: string; customerId: string | null; entrantId: string; ticket: number; redemptionId: string | null }>
    >`
      SELECT w."memberId", m."customerId", n."entrantId", w."ticket", w."redemptionId"
      FROM "DrawWinner" w
      JOIN "Member" m ON m."id" = w."memberId"
      JOIN "DrawEntrant" n ON n."drawId" = w."drawId" AND n."memberId" = w."memberId"
      WHERE w."drawId" = ${draw.id}
      ORDER BY w."position"`,
  ]);
  return {
    state: "drawn" as const,
    seed: draw.seed,
    commitment: draw.commitment,
    tickets,
    winners: winners.map((w) => ({ ...w, ticket: Number(w.ticket) })),
  };
}

/**
 * A draw's win as an event for Shopify Flow (`loyalty-draw-won`, fields Draw and Reward), written
 * in the transaction that records the win, so the event commits with it (once per draw and member).
 */
async function drawWon(
  tx: Tx,
  dialect: Dialect,
  event: { shopId: string; memberId: string; drawId: string; draw: string; reward: string | null },
): Promise<void> {
  const member = await tx.member.findUnique({ where: { id: event.memberId }, select: { customerId: true } });
  if (!member?.customerId) return; // erased since they entered
  await recordEvents(tx, dialect, [
    {
      shopId: event.shopId,
      memberId: event.memberId,
      customerId: member.customerId,
      type: "draw.won",
      eventKey: `draw-won:${event.drawId}:${event.memberId}`,
      data: { draw: event.draw, reward: event.reward ?? undefined },
    },
  ]);
}

/**
 * POST /app/api/draws/<id>/run: after `endsAt`, the winners once (drawWinners over the tickets in
 * the order they were accepted), then each winner's prize as a code (again on a later call if
 * Shopify failed). The same answer every time after.
 */
export async function runDraw(db: Db, graphql: () => Promise<AdminGraphql>, shopId: string, drawId: string, now = new Date()) {
  const draw = await db.draw.findFirst({ where: { id: drawId, shopId } });
  if (!draw) throw NOT_FOUND();
  if (draw.state === "cancelled") throw new DrawError(409, "draw_cancelled", "this draw was cancelled");
  if (draw.state === "open" && now < draw.endsAt)
    throw new DrawError(409, "draw_not_ended", "a draw can be run only after it ends");
  const prize = draw.prizeRewardId ? await db.reward.findFirst({ where: { id: draw.prizeRewardId, shopId } }) : null;
  await db.$transaction(async (tx) => {
    const flipped = await tx.draw.updateMany({
      where: { id: drawId, shopId, state: "open", endsAt: { lte: now } },
      data: { state: "drawn", drawnAt: now },
    });
    if (flipped.count !== 1) return; // drawn already (or by a concurrent run)
    const tickets = await tx.$queryRaw<Array<{ memberId: string; firstTicket: number; lastTicket: number }>>`
      SELECT "memberId", "firstTicket", "lastTicket" FROM "DrawEntry" WHERE "drawId" = ${drawId} ORDER BY "firstTicket"`;
    const won = drawWinners(
      draw.seed,
      tickets.map((t) => ({ owner: t.memberId, from: Number(t.firstTicket), to: Number(t.lastTicket) })),
      draw.winners,
    );
    if (won.length > 0)
      await tx.drawWinner.createMany({
        data: won.map((w, position) => ({ drawId, position, shopId, memberId: w.owner, ticket: w.ticket })),
      });
    for (const w of won)
      await drawWon(tx, clientDialect(db), { shopId, memberId: w.owner, drawId, draw: draw.name, reward: prize?.name ?? null });
  });
  const drawn = await db.draw.findFirstOrThrow({ where: { id: drawId, shopId } });
  if (drawn.state === "cancelled") throw new DrawError(409, "draw_cancelled", "this draw was cancelled");
  const result = await drawResult(db, drawn, "customer");
  if (prize) {
    for (const w of result.winners) {
      if (w.redemptionId || w.customerId === null) continue; // issued already, or erased since
      const code = await grantReward(db, graphql, {
        shopId,
        memberId: w.memberId,
        customerId: w.customerId,
        rewardId: prize.id,
        key: `draw:${drawId}`,
        source: "draw",
      });
      if (code)
        await db.drawWinner.updateMany({ where: { drawId, memberId: w.memberId }, data: { redemptionId: code.redemption.id } });
    }
  }
  return {
    ...drawView(drawn),
    state: result.state,
    seed: result.seed,
    commitment: result.commitment,
    tickets: result.tickets.map((t) => ({ customerId: customerOf(t.who), from: t.firstTicket, to: t.lastTicket })),
    winners: result.winners.map((w) => ({ customerId: customerOf(w.customerId), ticket: w.ticket })),
  };
}

/** POST /app/api/draws/<id>/cancel: before it is run; every paid entry given back once. */
export async function cancelDraw(db: Db, shopId: string, drawId: string, now = new Date()) {
  return withLedger(db, async ({ tx, postMany }) => {
    const flipped = await tx.draw.updateMany({
      where: { id: drawId, shopId, state: "open" },
      data: { state: "cancelled", cancelledAt: now },
    });
    const draw = await tx.draw.findFirst({ where: { id: drawId, shopId } });
    if (!draw) throw NOT_FOUND();
    if (draw.state === "drawn") throw new DrawError(409, "draw_drawn", "this draw has been run; it can no longer be cancelled");
    if (flipped.count === 1) {
      const paid = await tx.drawEntry.findMany({ where: { drawId, pointsSpent: { gt: 0 } }, orderBy: { firstTicket: "asc" } });
      await postMany(
        paid.map((e) => ({
          shopId,
          memberId: e.memberId,
          kind: "draw_refund" as const,
          points: e.pointsSpent,
          status: "available" as const,
          availableAt: now,
          idempotencyKey: `draw-refund:${e.id}`,
          sourceType: "draw",
          sourceId: drawId,
          actor: "system:draw",
          reason: `Points back: ${draw.name} was cancelled`,
          occurredAt: now,
        })),
      );
    }
    const refunded = await tx.ledgerEntry.count({ where: { shopId, kind: "draw_refund", sourceId: drawId } });
    return { ...drawView(draw), refundedEntries: refunded };
  });
}

/** GET /proxy/draws: the shop's draws (open, and those ended in the last 90 days) with the shopper's standing. */
export async function shopperDraws(db: Db, shopId: string, customerId: string | null, now = new Date()) {
  const draws = await db.draw.findMany({
    where: { shopId, OR: [{ state: "open" }, { endsAt: { gte: new Date(now.getTime() - 90 * 86_400_000) } }] },
    orderBy: [{ endsAt: "asc" }, { id: "asc" }],
    take: 20,
  });
  const member = customerId ? await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } }) : null;
  const ids = draws.map((d) => d.id);
  const [entrants, wins] = member
    ? await Promise.all([
        db.drawEntrant.findMany({ where: { memberId: member.id, drawId: { in: ids } } }),
        db.drawWinner.findMany({ where: { memberId: member.id, drawId: { in: ids } } }),
      ])
    : [[], []];
  const codes = await db.redemption.findMany({
    where: { id: { in: wins.map((w) => w.redemptionId).filter((id): id is string => id !== null) } },
    select: { id: true, code: true, status: true },
  });
  const rewards = await db.reward.findMany({
    where: { shopId, id: { in: draws.map((d) => d.prizeRewardId).filter((id): id is string => id !== null) } },
    select: { id: true, name: true },
  });
  return {
    draws: draws.map((d) => {
      const mine = entrants.find((e) => e.drawId === d.id);
      const win = wins.find((w) => w.drawId === d.id);
      const code = win?.redemptionId ? codes.find((c) => c.id === win.redemptionId) : undefined;
      const drawn = d.state === "drawn";
      return {
        id: d.id,
        name: d.name,
        endsAt: d.endsAt.toISOString(),
        pointsPerEntry: d.pointsPerEntry,
        maxEntriesPerCustomer: d.maxEntriesPerCustomer,
        state: d.state,
        acceptingEntries: drawOpen({ state: d.state as DrawState, endsAt: d.endsAt }, now),
        commitment: d.commitment,
        prize: rewards.find((r) => r.id === d.prizeRewardId)?.name ?? null,
        myEntries: mine?.entries ?? 0,
        freeEntryUsed: mine?.freeUsed ?? false,
        won: drawn ? Boolean(win) : null,
        prizeCode: code ? { code: code.code, status: code.status } : null,
        seed: drawn ? d.seed : null,
      };
    }),
  };
}

/** GET /proxy/draws/<id>/proof: public once drawn; entrants by their opaque per-draw ids. */
export async function drawProof(db: Db, shopId: string, drawId: string, customerId: string | null) {
  const draw = await db.draw.findFirst({ where: { id: drawId, shopId } });
  if (!draw) throw NOT_FOUND();
  if (draw.state !== "drawn") throw new DrawError(409, "draw_not_drawn", "the proof is published once the draw is run");
  const result = await drawResult(db, draw, "entrant");
  const member = customerId ? await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } }) : null;
  const mine = member ? await db.drawEntrant.findUnique({ where: { drawId_memberId: { drawId, memberId: member.id } } }) : null;
  return {
    id: draw.id,
    name: draw.name,
    seed: result.seed,
    commitment: result.commitment,
    tickets: result.tickets.map((t) => ({ entrant: t.who, from: t.firstTicket, to: t.lastTicket })),
    winners: result.winners.map((w) => ({ entrant: w.entrantId, ticket: w.ticket })),
    myEntrant: mine?.entrantId ?? null,
  };
}
