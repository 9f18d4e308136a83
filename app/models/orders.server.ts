// Order events in, ledger entries out. The writer locks the batch's orders, reads what their plans
// need in a few queries, asks the pure planner (app/domain/orders.ts) what each event posts, and
// posts it: a batch of events costs a handful of statements, not a handful per event. Delivery
// order and repeats cannot change the outcome (the facts merge, and every entry has its key).
import { balanceDelta } from "~/domain/ledger";
import {
  emptyOrderRecord,
  mergeOrderFacts,
  orderEarnKey,
  orderEarner,
  orderIdOf,
  planOrderEvent,
  type ExcludedProducts,
  type OrderEvent,
  type OrderMember,
  type OrderPlanInput,
  type OrderRecord,
} from "~/domain/orders";
import { launchOf, tagList } from "~/domain/program";
import { DEFAULT_TIER_ENTRY, tierRuleOf, tierValueOf } from "~/domain/tiers";
import { column, Prisma, rawExecute, rawQuery, type Db, timestampParam } from "~/db.server";
import { withLedger, type Ledger, type NewEntry } from "./ledger.server";
import { inHoldout, recordHoldout } from "./analytics-holdout.server";
import { recordOrderDiscounts } from "./analytics.server";
import { ensureMembers, redactedAmong, storedEmail } from "./members.server";
import { markRedemptionsUsed } from "./redemptions.server";
import { applyReferral, rememberShipping } from "./referrals.server";
import { currentRules, tierEntries } from "./shops.server";
import { refreshTierValues } from "./tier-values.server";

export interface OrderWork {
  shopId: string;
  event: OrderEvent;
  /** who the entries name as their cause, e.g. `webhook:<id>` */
  actor: string;
}

const keyOf = (shopId: string, id: string) => `${shopId}\u0000${id}`;

/** `("shopId", <column>) IN (VALUES …)`: a batch's rows across shops, by their unique key. */
function pairs(column: string, list: Array<[string, string]>): Prisma.Sql {
  return Prisma.sql`("shopId", ${Prisma.raw(`"${column}"`)}) IN (VALUES ${Prisma.join(list.map(([s, id]) => Prisma.sql`(${s}, ${id})`))})`;
}

/** Creates the batch's missing order rows and locks them all, in key order (no deadlock between batches). */
async function lockOrders(ledger: Ledger, orders: Array<[string, string]>, now: Date): Promise<Map<string, OrderRecord>> {
  const { tx, dialect } = ledger;
  // SQLite's transaction already holds the one write lock; PostgreSQL locks rows, so the missing
  // ones are created first to have something to lock.
  if (dialect === "postgresql") {
    await rawExecute(
      tx,
      dialect,
      Prisma.sql`
      INSERT INTO "OrderFact" ("shopId", "orderId", "updatedAt")
      VALUES ${Prisma.join(orders.map(([s, o]) => Prisma.sql`(${s}, ${o}, ${now})`))}
      ON CONFLICT DO NOTHING`,
    );
    await rawQuery(
      tx,
      dialect,
      Prisma.sql`SELECT 1 FROM "OrderFact" WHERE ${pairs("orderId", orders)} ORDER BY "shopId", "orderId" FOR UPDATE`,
    );
  }
  const rows = await rawQuery<Row>(tx, dialect, Prisma.sql`SELECT * FROM "OrderFact" WHERE ${pairs("orderId", orders)}`);
  return new Map(rows.map((r) => [keyOf(r.shopId as string, r.orderId as string), orderRecordOf(r)]));
}

type Row = Record<string, unknown>;
const str = (v: unknown) => v as string;
const strOrNull = (v: unknown) => (v == null ? null : (v as string));

/** An OrderFact row read with rawQuery. */
function orderRecordOf(r: Row): OrderRecord {
  return {
    orderId: str(r.orderId),
    name: str(r.name),
    customerId: strOrNull(r.customerId),
    memberId: strOrNull(r.memberId),
    currency: str(r.currency),
    presentmentCurrency: strOrNull(r.presentmentCurrency),
    subtotalMinor: column.intOrNull(r.subtotalMinor),
    earnSubtotalMinor: column.intOrNull(r.earnSubtotalMinor),
    discountCodes: str(r.discountCodes),
    test: column.bool(r.test),
    paid: column.bool(r.paid),
    paidAt: column.date(r.paidAt),
    cancelled: column.bool(r.cancelled),
    orderCreatedAt: column.date(r.orderCreatedAt),
    refundedMinor: column.int(r.refundedMinor),
    refundedEarnMinor: column.int(r.refundedEarnMinor),
    earnedPoints: column.int(r.earnedPoints),
    reversedPoints: column.int(r.reversedPoints),
    earnVersion: column.intOrNull(r.earnVersion),
  };
}

/** `"column" IN (…)` over a list of values. */
const among = (column: string, values: readonly unknown[]) =>
  Prisma.sql`${Prisma.raw(`"${column}"`)} IN (${Prisma.join(values.map((v) => Prisma.sql`${v}`))})`;

async function storeOrders(ledger: Ledger, records: Array<{ shopId: string; record: OrderRecord }>, now: Date) {
  const { tx, dialect } = ledger;
  const ts = (d: Date | null) => timestampParam(dialect, d);
  for (let i = 0; i < records.length; i += 300) {
    const values = records.slice(i, i + 300).map(
      ({ shopId, record: r }) => Prisma.sql`(${shopId}, ${r.orderId}, ${r.name}, ${r.customerId}, ${r.memberId}, ${r.currency},
        ${r.presentmentCurrency}, ${r.subtotalMinor}, ${r.discountCodes}, ${r.test}, ${r.paid}, ${ts(r.paidAt)}, ${r.cancelled},
        ${ts(r.orderCreatedAt)}, ${r.refundedMinor}, ${r.earnedPoints}, ${r.reversedPoints}, ${r.earnVersion}, ${now},
        ${r.earnSubtotalMinor}, ${r.refundedEarnMinor})`,
    );
    await rawExecute(
      tx,
      dialect,
      Prisma.sql`
      INSERT INTO "OrderFact" ("shopId", "orderId", "name", "customerId", "memberId", "currency", "presentmentCurrency",
        "subtotalMinor", "discountCodes", "test", "paid", "paidAt", "cancelled", "orderCreatedAt", "refundedMinor",
        "earnedPoints", "reversedPoints", "earnVersion", "updatedAt", "earnSubtotalMinor", "refundedEarnMinor")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("shopId", "orderId") DO UPDATE SET
        "name" = excluded."name", "customerId" = excluded."customerId", "memberId" = excluded."memberId",
        "currency" = excluded."currency", "presentmentCurrency" = excluded."presentmentCurrency",
        "subtotalMinor" = excluded."subtotalMinor", "discountCodes" = excluded."discountCodes", "test" = excluded."test",
        "paid" = excluded."paid", "paidAt" = excluded."paidAt", "cancelled" = excluded."cancelled",
        "orderCreatedAt" = excluded."orderCreatedAt", "refundedMinor" = excluded."refundedMinor",
        "earnedPoints" = excluded."earnedPoints", "reversedPoints" = excluded."reversedPoints",
        "earnVersion" = excluded."earnVersion", "updatedAt" = excluded."updatedAt",
        "earnSubtotalMinor" = excluded."earnSubtotalMinor", "refundedEarnMinor" = excluded."refundedEarnMinor",
        "lockVersion" = "OrderFact"."lockVersion" + 1`,
    );
  }
}

/**
 * Applies a batch of order events inside the caller's ledger transaction. Events about one order
 * are applied in the batch's order, each on the facts the one before left.
 */
export async function applyOrderEvents(ledger: Ledger, batch: readonly OrderWork[], now = new Date()): Promise<NewEntry[]> {
  if (batch.length === 0) return [];
  const { tx } = ledger;
  const work = await withoutErasedCustomers(ledger, batch);
  const orderKeys = new Map<string, [string, string]>();
  for (const w of work) orderKeys.set(keyOf(w.shopId, orderIdOf(w.event)), [w.shopId, orderIdOf(w.event)]);
  const orders = [...orderKeys.values()].sort(([a, b], [c, d]) => (a === c ? (b < d ? -1 : 1) : a < c ? -1 : 1));
  const records = await lockOrders(ledger, orders, now);
  const shopIds = [...new Set(work.map((w) => w.shopId))];

  // Codes used by paid orders mark their redemptions used first: the plan of a refund in the
  // same batch may give those points back.
  for (const w of work) {
    if (w.event.type === "paid" || (w.event.type === "cancelled" && w.event.wasPaid)) {
      await markRedemptionsUsed(tx, w.shopId, w.event.order.orderId, w.event.order.discountCodes);
    }
  }

  const refundKeys = work.flatMap((w) => (w.event.type === "refund" ? [[w.shopId, w.event.refundId] as [string, string]] : []));
  const customerKeys = work.flatMap((w) =>
    w.event.type !== "refund" && w.event.order.customer
      ? [[w.shopId, w.event.order.customer.customerId] as [string, string]]
      : [],
  );
  const memberIds = [...records.values()].flatMap((r) => (r.memberId ? [r.memberId] : []));
  // Only orders that earned before can need their earn entry (a reversal takes back from it), and
  // only orders a cancellation or refund touches can give spent points back: a batch of new paid
  // orders (a flash sale) reads neither.
  const earned = orders.filter(([s, o]) => (records.get(keyOf(s, o))?.earnedPoints ?? 0) > 0);
  const earnKeys = earned.map(([s, o]) => [s, orderEarnKey(o)] as [string, string]);
  const undoneInBatch = new Set(work.flatMap((w) => (w.event.type !== "paid" ? [keyOf(w.shopId, orderIdOf(w.event))] : [])));
  const undoable = orders.filter(([s, o]) => {
    const r = records.get(keyOf(s, o));
    return (r && (r.cancelled || r.refundedMinor > 0)) || undoneInBatch.has(keyOf(s, o));
  });
  const { dialect } = ledger;
  const read = (sql: Prisma.Sql) => rawQuery<Row>(tx, dialect, sql);
  const memberWhere = [
    ...(memberIds.length ? [among("id", memberIds)] : []),
    ...(customerKeys.length ? [pairs("customerId", customerKeys)] : []),
  ];
  const [shopRows, refundRows, memberRows, tierRows, earnRows, usedRows] = await Promise.all([
    read(Prisma.sql`SELECT "id", "programVersion" FROM "Shop" WHERE ${among("id", shopIds)}`),
    refundKeys.length
      ? read(Prisma.sql`SELECT "shopId", "refundId" FROM "OrderRefund" WHERE ${pairs("refundId", refundKeys)}`)
      : [],
    memberWhere.length
      ? read(
          Prisma.sql`SELECT "id", "shopId", "customerId", "state", "lifetimeEarned", "tierValue", "tags", "email", "excludedAt" FROM "Member"
            WHERE ${Prisma.join(memberWhere, " OR ")}`,
        )
      : [],
    read(
      Prisma.sql`SELECT "id", "shopId", "name", "thresholdPoints", "thresholdSpendMinor", "earnMultiplierPct" FROM "Tier"
        WHERE ${among("shopId", shopIds)} AND "active" = ${true}`,
    ),
    earnKeys.length === 0
      ? []
      : read(
          Prisma.sql`SELECT "shopId", "idempotencyKey", "memberId", "status", "availableAt", "programVersion", "rateNum", "rateDen"
            FROM "LedgerEntry" WHERE ${pairs("idempotencyKey", earnKeys)}`,
        ),
    undoable.length === 0
      ? []
      : read(
          Prisma.sql`SELECT "shopId", "orderId", "id", "memberId", "pointsSpent" FROM "Redemption"
            WHERE ${pairs("orderId", undoable)} AND "status" = 'used'`,
        ),
  ]);
  const shops = shopRows.map((r) => ({ id: str(r.id), programVersion: column.int(r.programVersion) }));
  // How each shop's current program measures tiers (the planner's multiplier, and what to compute after).
  const entryOf = await tierEntries(tx, dialect, shopIds);
  const entryIn = (shopId: string) => entryOf.get(shopId) ?? DEFAULT_TIER_ENTRY;
  const seenRefunds = refundRows.map((r) => ({ shopId: str(r.shopId), refundId: str(r.refundId) }));
  const members = memberRows.map((r) => ({
    id: str(r.id),
    shopId: str(r.shopId),
    customerId: strOrNull(r.customerId),
    state: str(r.state),
    tierValue: tierValueOf(
      { lifetimeEarned: column.int(r.lifetimeEarned), tierValue: column.int(r.tierValue) },
      entryIn(str(r.shopId)),
    ),
    tags: str(r.tags),
    email: strOrNull(r.email),
    excludedAt: column.date(r.excludedAt),
  }));
  const tiers = tierRows.map((r) =>
    tierRuleOf(
      {
        id: str(r.id),
        shopId: str(r.shopId),
        name: str(r.name),
        thresholdPoints: column.int(r.thresholdPoints),
        thresholdSpendMinor: column.int(r.thresholdSpendMinor),
        earnMultiplierPct: column.int(r.earnMultiplierPct),
      },
      entryIn(str(r.shopId)),
    ),
  );
  const earnEntries = earnRows.map((r) => ({
    shopId: str(r.shopId),
    idempotencyKey: str(r.idempotencyKey),
    memberId: str(r.memberId),
    status: str(r.status),
    availableAt: column.date(r.availableAt)!,
    programVersion: column.intOrNull(r.programVersion),
    rateNum: column.intOrNull(r.rateNum),
    rateDen: column.intOrNull(r.rateDen),
  }));
  const used = usedRows.map((r) => ({
    shopId: str(r.shopId),
    orderId: str(r.orderId),
    id: str(r.id),
    memberId: str(r.memberId),
    pointsSpent: column.int(r.pointsSpent),
  }));

  const programVersion = new Map(shops.map((s) => [s.id, s.programVersion]));
  const excluded = await excludedProductsOf(ledger, work, programVersion);
  const refundSeen = new Set(seenRefunds.map((r) => keyOf(r.shopId, r.refundId)));
  const memberById = new Map<string, OrderMember & { shopId: string; customerId: string | null; tags?: string }>(
    members.map((m) => [m.id, m]),
  );
  const memberByCustomer = new Map(members.flatMap((m) => (m.customerId ? [[keyOf(m.shopId, m.customerId), m] as const] : [])));
  const earnEntryOf = new Map<string, OrderPlanInput["earnEntry"]>(
    earnEntries.map((e) => [
      keyOf(e.shopId, e.idempotencyKey.slice("order:".length, -":earn".length)),
      { ...e, status: e.status === "pending" ? "pending" : "available" },
    ]),
  );
  const usedOn = new Map<string, OrderPlanInput["usedRedemptions"][number][]>();
  for (const r of used) usedOn.set(keyOf(r.shopId, r.orderId!), [...(usedOn.get(keyOf(r.shopId, r.orderId!)) ?? []), r]);

  // Customers this batch enrols (their first paid order, the program enrolling automatically),
  // enrolled together before planning; the plan then finds them as members.
  const enrol = new Map<
    string,
    { shopId: string; identity: { customerId: string; email?: string | null; tags?: string | null } }
  >();
  for (const w of work) {
    if (w.event.type === "refund" || !w.event.order.customer || !programVersion.has(w.shopId)) continue;
    const key = keyOf(w.shopId, orderIdOf(w.event));
    const record = mergeOrderFacts(
      records.get(key) ?? emptyOrderRecord(orderIdOf(w.event)),
      w.event,
      false,
      excluded.get(w.shopId),
    );
    const rules = await currentRules(tx, w.shopId, record.earnVersion ?? programVersion.get(w.shopId)!);
    const customerKey = keyOf(w.shopId, w.event.order.customer.customerId);
    const access = {
      launch: launchOf(rules),
      tags: customerTags(w.event.order.customer, null),
      holdout: inHoldout(w.shopId, w.event.order.customer.customerId, rules.holdoutPercent),
    };
    if (!memberByCustomer.has(customerKey) && orderEarner(record, null, rules.autoEnroll, access) === "enrol") {
      enrol.set(customerKey, { shopId: w.shopId, identity: w.event.order.customer });
    }
  }
  for (const m of await ensureMembers(ledger, [...enrol.values()], { erasedChecked: true })) {
    memberById.set(m.id, m);
    if (m.customerId) memberByCustomer.set(keyOf(m.shopId, m.customerId), m);
  }

  const entries: NewEntry[] = [];
  const newRefunds: Array<{ shopId: string; refundId: string; orderId: string; subtotalMinor: number; createdAt: Date }> = [];
  const touched = new Map<string, { shopId: string; record: OrderRecord }>();
  const paid: Array<{ w: OrderWork; memberId: string | null }> = [];
  const emailsLearned: Array<{ id: string; email: string }> = [];
  const heldOut: Array<{ shopId: string; customerId: string }> = [];

  for (const w of work) {
    const { shopId, event } = w;
    const version = programVersion.get(shopId);
    if (version === undefined) continue; // the shop was erased meanwhile
    const key = keyOf(shopId, orderIdOf(event));
    let seen = false;
    if (event.type === "refund") {
      seen = refundSeen.has(keyOf(shopId, event.refundId));
      if (!seen) {
        refundSeen.add(keyOf(shopId, event.refundId));
        newRefunds.push({
          shopId,
          refundId: event.refundId,
          orderId: event.orderId,
          subtotalMinor: event.subtotalMinor,
          createdAt: event.createdAt,
        });
      }
    }
    const record = mergeOrderFacts(records.get(key) ?? emptyOrderRecord(orderIdOf(event)), event, seen, excluded.get(shopId));
    const rules = await currentRules(tx, shopId, record.earnVersion ?? version);
    const customerMember = record.customerId ? (memberByCustomer.get(keyOf(shopId, record.customerId)) ?? null) : null;
    // The order's own copy of the customer's tags is the newest; a refund has none.
    const orderCustomer = event.type === "refund" ? null : event.order.customer;
    const holdout = !customerMember && !!record.customerId && inHoldout(shopId, record.customerId, rules.holdoutPercent);
    const earner = orderEarner(record, customerMember, rules.autoEnroll, {
      launch: launchOf(rules),
      tags: customerTags(orderCustomer, customerMember),
      holdout,
    });
    if (holdout && record.paid) heldOut.push({ shopId, customerId: record.customerId! });
    // A member first seen without an email (joined on the storefront) gets the order's.
    const orderEmail = storedEmail(orderCustomer?.email);
    if (customerMember && customerMember.state !== "redacted" && orderEmail && customerMember.email === null) {
      customerMember.email = orderEmail;
      emailsLearned.push({ id: customerMember.id, email: orderEmail });
    }
    // Enrolled above where the program enrols them ("enrol" is left only for the erased).
    const member =
      earner === "recorded" ? (memberById.get(record.memberId!) ?? null) : earner === "member" ? customerMember : null;

    const plan = planOrderEvent({
      event,
      record,
      member,
      closed: earner === "closed",
      rules,
      tiers: tiers.filter((t) => t.shopId === shopId),
      earnEntry: earnEntryOf.get(key) ?? null,
      usedRedemptions: usedOn.get(key) ?? [],
      now,
    });
    for (const e of plan.entries) {
      entries.push({ ...e, shopId, actor: w.actor });
      if (e.kind === "earn") earnEntryOf.set(key, e);
      // Later events of the batch see the tier this one's points reach (spend: computed after the batch).
      const m = memberById.get(e.memberId);
      if (m && entryIn(shopId).measure === "points") m.tierValue += balanceDelta(e).lifetimeEarned;
    }
    records.set(key, plan.record);
    touched.set(key, { shopId, record: plan.record });
    if (event.type === "paid") paid.push({ w, memberId: member?.state === "active" ? member.id : null });
  }

  const posted = await ledger.postMany(entries);
  for (const m of emailsLearned) await tx.member.updateMany({ where: { id: m.id, email: null }, data: { email: m.email } });
  if (newRefunds.length) {
    await rawExecute(
      tx,
      ledger.dialect,
      Prisma.sql`
      INSERT INTO "OrderRefund" ("shopId", "refundId", "orderId", "subtotalMinor", "createdAt")
      VALUES ${Prisma.join(newRefunds.map((r) => Prisma.sql`(${r.shopId}, ${r.refundId}, ${r.orderId}, ${r.subtotalMinor}, ${r.createdAt})`))}
      ON CONFLICT DO NOTHING`,
    );
  }
  await storeOrders(ledger, [...touched.values()], now);
  // Tiers measured by spend: the values of the members whose orders moved, from the orders just stored.
  const spenders = new Map<string, Set<string>>();
  for (const { shopId, record } of touched.values()) {
    if (entryIn(shopId).measure !== "spend" || !record.customerId) continue;
    const m = memberByCustomer.get(keyOf(shopId, record.customerId));
    if (m) spenders.set(shopId, (spenders.get(shopId) ?? new Set()).add(m.id));
  }
  for (const [shopId, ids] of spenders) await refreshTierValues(tx, dialect, shopId, [...ids], { entry: entryIn(shopId), now });
  // For analytics: who the holdout kept out, and what each code took off a paid order.
  await recordHoldout(tx, ledger.dialect, heldOut);
  await recordOrderDiscounts(tx, ledger.dialect, work);

  // Referrals read the orders just stored (a friend's first paid order).
  for (const { w, memberId } of paid) {
    if (w.event.type !== "paid") continue;
    const rules = await currentRules(tx, w.shopId, programVersion.get(w.shopId)!);
    await applyReferral(ledger, w.shopId, w.event.order, rules, w.actor, now);
    if (memberId && rules.referrerPoints > 0) await rememberShipping(tx, w.shopId, memberId, w.event.order);
  }
  return entries.filter((e) => posted.has(e.idempotencyKey));
}

/**
 * Of the products the batch's lines name, those each shop's current program excludes by tag
 * (ExcludedProduct, kept by app/models/products.server.ts). Read only for shops that exclude tags.
 */
async function excludedProductsOf(
  ledger: Ledger,
  work: readonly OrderWork[],
  programVersion: ReadonlyMap<string, number>,
): Promise<Map<string, ExcludedProducts>> {
  // The batch's shops whose program excludes tags, asked once a shop.
  const excluding = new Set<string>();
  for (const [shopId, version] of programVersion)
    if ((await currentRules(ledger.tx, shopId, version)).excludedProductTags.length > 0) excluding.add(shopId);
  const wanted: Array<[string, string]> = [];
  for (const w of work) {
    if (!excluding.has(w.shopId)) continue;
    const lines = w.event.type === "refund" ? w.event.lines : w.event.order.lines;
    for (const l of lines ?? []) if (l.productId !== null) wanted.push([w.shopId, l.productId]);
  }
  const out = new Map<string, Set<string>>();
  if (wanted.length === 0) return out;
  const unique = [...new Map(wanted.map((p) => [keyOf(...p), p])).values()];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await rawQuery<Row>(
      ledger.tx,
      ledger.dialect,
      Prisma.sql`SELECT "shopId", "productId" FROM "ExcludedProduct" WHERE ${pairs("productId", unique.slice(i, i + 500))}`,
    );
    for (const r of rows) {
      const set = out.get(str(r.shopId)) ?? new Set<string>();
      set.add(str(r.productId));
      out.set(str(r.shopId), set);
    }
  }
  return out;
}

/** The customer's tags as the order says them (the newest), else as the member last had them. */
function customerTags(orderCustomer: { tags?: string | null } | null, member: { tags: string } | null): string[] | null {
  if (orderCustomer?.tags != null) return tagList(orderCustomer.tags);
  return member ? tagList(member.tags) : null;
}

/** An order of a customer erased meanwhile (its job was already in the inbox) is a guest's order. */
async function withoutErasedCustomers(ledger: Ledger, work: readonly OrderWork[]): Promise<readonly OrderWork[]> {
  const customers = work.flatMap((w) =>
    w.event.type !== "refund" && w.event.order.customer
      ? [{ shopId: w.shopId, customerId: w.event.order.customer.customerId }]
      : [],
  );
  const erased = await redactedAmong(ledger, customers);
  if (erased.size === 0) return work;
  return work.map((w) =>
    w.event.type !== "refund" && w.event.order.customer && erased.has(keyOf(w.shopId, w.event.order.customer.customerId))
      ? { ...w, event: { ...w.event, order: { ...w.event.order, customer: null, email: null, shippingAddress: null } } }
      : w,
  );
}

/** One event in its own transaction (tests, reconciliation, and a job retried alone). */
export function applyOrderEvent(db: Db, shopId: string, event: OrderEvent, actor: string, now = new Date()): Promise<NewEntry[]> {
  return withLedger(db, (ledger) => applyOrderEvents(ledger, [{ shopId, event, actor }], now));
}
