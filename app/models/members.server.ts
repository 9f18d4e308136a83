import { randomBytes } from "node:crypto";
import { fullName, nameKeys, tagKey } from "~/domain/member-list";
import { clubOpenTo, launchOf, tagList } from "~/domain/program";
import { inHoldout } from "./analytics-holdout.server";
import { normaliseAddress, normaliseEmail, type AddressParts } from "~/domain/referrals";
import type { Member } from "@prisma/client";
import { moveArrivals, truncateArrivalsWal } from "~/webhooks/arrivals.server";
import { checkpointAfterErasure, clientDialect, column, Prisma, rawQuery, type Db, type Dialect, type Tx } from "~/db.server";
import { personalDataHash } from "~/secrets.server";
import { redactPayload } from "~/webhooks/minimise";
import { customerOf } from "~/webhooks/payloads";
import { withLedger } from "./ledger.server";
import { recordJoined, redactIntegrations } from "./outbox.server";
import { activeShop, currentRules, tierEntries } from "./shops.server";
import { refreshTierValues } from "./tier-values.server";

export const OPT_OUT_TAG = "loyalty-opt-out";

/** Customers tagged with OPT_OUT_TAG in Shopify are never enrolled. */
export function isOptedOut(tags: string | null | undefined): boolean {
  return tagList(tags).includes(OPT_OUT_TAG);
}

/**
 * Emails are kept only as a keyed hash (HMAC under LOYALTY_SECRET_KEY, per shop) of their
 * normalised form (Gmail dots and +tags folded): without the server's key, hashing a list of
 * emails does not find whose it is.
 */
export function emailHash(shopId: string, email: string | null | undefined): string | null {
  if (!email || !email.includes("@")) return null;
  return personalDataHash(shopId, "email", normaliseEmail(email));
}

/** The email as the merchant's member list shows and searches it (protected customer data). */
export function storedEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e && e.includes("@") ? e.slice(0, 320) : null;
}

/** Shipping addresses likewise: only a keyed hash of the normalised address, for referral checks. */
export function addressHash(shopId: string, address: AddressParts | null | undefined): string | null {
  const key = address ? normaliseAddress(address) : null;
  return key ? personalDataHash(shopId, "address", key).slice(0, 32) : null;
}

/** The tombstone of an erased customer: a keyed hash of the id, never the id itself. */
export function redactedCustomerHash(shopId: string, customerId: string): string {
  return personalDataHash(shopId, "redacted-customer", customerId);
}

/** Whether customers/redact erased this customer: such a customer is never enrolled or updated again. */
export async function isRedactedCustomer(db: Db | Tx, shopId: string, customerId: string): Promise<boolean> {
  const row = await db.redactedCustomer.findUnique({
    where: { shopId_customerHash: { shopId, customerHash: redactedCustomerHash(shopId, customerId) } },
  });
  return row !== null;
}

/** Which of these customers were erased (customers/redact): their in-flight orders become guests' orders. */
export async function redactedAmong({ tx, dialect }: Writer, customers: ReadonlyArray<{ shopId: string; customerId: string }>) {
  const redacted = new Set<string>();
  if (customers.length === 0) return redacted;
  const byHash = new Map(customers.map((c) => [`${c.shopId}\u0000${redactedCustomerHash(c.shopId, c.customerId)}`, c]));
  const rows = await rawQuery<{ shopId: string; customerHash: string }>(
    tx,
    dialect,
    Prisma.sql`SELECT "shopId", "customerHash" FROM "RedactedCustomer" WHERE ("shopId", "customerHash") IN
      (VALUES ${Prisma.join(customers.map((c) => Prisma.sql`(${c.shopId}, ${redactedCustomerHash(c.shopId, c.customerId)})`))})`,
  );
  for (const r of rows) {
    const c = byHash.get(`${r.shopId}\u0000${r.customerHash}`);
    if (c) redacted.add(`${c.shopId}\u0000${c.customerId}`);
  }
  return redacted;
}

/** A Member row read with rawQuery, as Prisma's client would give it. */
function memberOf(r: Record<string, unknown>): Member {
  const text = (v: unknown) => (v == null ? null : String(v));
  return {
    id: String(r.id),
    shopId: String(r.shopId),
    customerId: text(r.customerId),
    emailHash: text(r.emailHash),
    email: text(r.email),
    tags: String(r.tags),
    state: String(r.state),
    enrolledAt: column.date(r.enrolledAt)!,
    available: column.int(r.available),
    pending: column.int(r.pending),
    lifetimeEarned: column.int(r.lifetimeEarned),
    tierValue: column.int(r.tierValue),
    tierValueDropsAt: column.date(r.tierValueDropsAt),
    lastActivityAt: column.date(r.lastActivityAt),
    referralCode: text(r.referralCode),
    birthdayMonth: column.intOrNull(r.birthdayMonth),
    birthdayDay: column.intOrNull(r.birthdayDay),
    addressHashes: String(r.addressHashes),
    tierTag: text(r.tierTag),
    metafieldKeys: text(r.metafieldKeys),
    name: text(r.name),
    nameKey: text(r.nameKey),
    nameKeyLast: text(r.nameKeyLast),
    tagKey: String(r.tagKey),
    excludedAt: column.date(r.excludedAt),
    excludedBy: text(r.excludedBy),
  };
}

function referralCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join("");
}

export interface CustomerIdentity {
  customerId: string;
  email?: string | null;
  tags?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

/** The name columns of a customer (shown and searched in the admin's member list). */
export function nameColumns(identity: Pick<CustomerIdentity, "firstName" | "lastName">) {
  return { name: fullName(identity.firstName, identity.lastName), ...nameKeys(identity.firstName, identity.lastName) };
}

/**
 * The member row for a customer, created (enrolled) if absent. Concurrent creators for the
 * same customer are safe: the insert skips on conflict and everyone reads the one row.
 * null for a customer that customers/redact erased (a job still in flight must not bring them back).
 */
/** A transaction and its dialect (a Ledger is one). */
export interface Writer {
  tx: Tx;
  dialect: Dialect;
}

export async function ensureMember(writer: Writer, shopId: string, identity: CustomerIdentity) {
  const [member] = await ensureMembers(writer, [{ shopId, identity }]);
  return member ?? null;
}

/**
 * The member rows for many customers, enrolling those without one, in a few statements (a batch
 * of orders). Erased customers (tombstoned) are never enrolled and are left out of the answer.
 */
export async function ensureMembers(
  { tx, dialect }: Writer,
  customers: ReadonlyArray<{ shopId: string; identity: CustomerIdentity }>,
  /** the caller looked the tombstones up already, in this transaction (the order writer) */
  options: { erasedChecked?: boolean } = {},
) {
  if (customers.length === 0) return [];
  const erased = options.erasedChecked
    ? new Set<string>()
    : await redactedAmong(
        { tx, dialect },
        customers.map((c) => ({ shopId: c.shopId, customerId: c.identity.customerId })),
      );
  const wanted = customers.filter((c) => !erased.has(`${c.shopId}\u0000${c.identity.customerId}`));
  if (wanted.length === 0) return [];
  const now = new Date();
  const rows = wanted.map(({ shopId, identity }) => {
    const state = isOptedOut(identity.tags) ? "opted_out" : "active";
    const names = nameColumns(identity);
    return Prisma.sql`(${`m_${randomBytes(12).toString("hex")}`}, ${shopId}, ${identity.customerId}, ${emailHash(shopId, identity.email)},
      ${storedEmail(identity.email)}, ${identity.tags ?? ""}, ${state}, ${now}, ${referralCode()}, ${names.name}, ${names.nameKey}, ${names.nameKeyLast}, ${tagKey(identity.tags)})`;
  });
  const created = await rawQuery<{ id: string }>(
    tx,
    dialect,
    Prisma.sql`INSERT INTO "Member" ("id", "shopId", "customerId", "emailHash", "email", "tags", "state", "enrolledAt", "referralCode", "name", "nameKey", "nameKeyLast", "tagKey")
      VALUES ${Prisma.join(rows)} ON CONFLICT DO NOTHING RETURNING "id"`,
  );
  const members = (
    await rawQuery<Record<string, unknown>>(
      tx,
      dialect,
      Prisma.sql`SELECT * FROM "Member" WHERE ("shopId", "customerId") IN
        (VALUES ${Prisma.join(wanted.map((c) => Prisma.sql`(${c.shopId}, ${c.identity.customerId})`))})`,
    )
  ).map(memberOf);
  // Joining is an event the outside hears of (Flow's "member joined", webhooks), in this transaction.
  const joined = new Set(created.map((c) => c.id));
  if (joined.size) {
    const newMembers = members.filter((m) => joined.has(m.id));
    await recordJoined(tx, dialect, newMembers);
    // Where tiers are reached by spend, what they bought before joining counts from the start.
    const shops = [...new Set(newMembers.map((m) => m.shopId))];
    for (const [shopId, entry] of await tierEntries(tx, dialect, shops))
      if (entry.measure === "spend")
        await refreshTierValues(
          tx,
          dialect,
          shopId,
          newMembers.filter((m) => m.shopId === shopId).map((m) => m.id),
          { entry, now },
        );
  }
  return members;
}

/** customers/create and customers/update: keep identity, tags and opt-out current. */
export async function syncCustomer(db: Db, shopId: string, identity: CustomerIdentity): Promise<void> {
  const optedOut = isOptedOut(identity.tags);
  await db.$transaction(async (tx) => {
    if (await isRedactedCustomer(tx, shopId, identity.customerId)) return;
    const member = await tx.member.findUnique({
      where: { shopId_customerId: { shopId, customerId: identity.customerId } },
    });
    if (!member) {
      // Remember an opt-out before the first order so that order does not enrol them.
      if (optedOut) await ensureMember({ tx, dialect: clientDialect(db) }, shopId, identity);
      return;
    }
    if (member.state === "redacted") return;
    await tx.member.update({
      where: { id: member.id },
      data: {
        emailHash: emailHash(shopId, identity.email),
        email: storedEmail(identity.email),
        tags: identity.tags ?? "",
        tagKey: tagKey(identity.tags),
        ...nameColumns(identity),
        state: optedOut ? "opted_out" : "active",
      },
    });
  });
}

/**
 * customers/redact: erase personal data, keep the anonymous ledger totals. Afterwards nothing
 * Shopify sent about the person is left: the member row keeps only balances, orders lose their
 * customer, inbox payloads about the customer or their orders (pending or dead) lose the
 * person's details, and a tombstone (a keyed hash of the id) turns away jobs still in flight.
 * On SQLite the erased bytes are overwritten (secure_delete) and the WAL is emptied.
 */
export async function redactCustomer(db: Db, shopId: string, customerId: string, orderIds: string[]): Promise<void> {
  // SQLite: webhooks that arrived since the last claim join the inbox, where the erasure finds them.
  await moveArrivals(db);
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO "RedactedCustomer" ("shopId", "customerHash", "redactedAt")
      VALUES (${shopId}, ${redactedCustomerHash(shopId, customerId)}, ${new Date()})
      ON CONFLICT DO NOTHING`;
    const member = await tx.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
    const known = await tx.orderFact.findMany({
      where: { shopId, OR: [{ customerId }, ...(member ? [{ memberId: member.id }] : [])] },
      select: { orderId: true },
    });
    const orders = new Set([...orderIds, ...known.map((o) => o.orderId)]);
    if (member) {
      await tx.member.update({
        where: { id: member.id },
        data: {
          customerId: null,
          emailHash: null,
          email: null,
          name: null,
          nameKey: null,
          nameKeyLast: null,
          excludedBy: null,
          tags: "",
          tagKey: ",",
          referralCode: null,
          state: "redacted",
          birthdayMonth: null,
          birthdayDay: null,
          addressHashes: "",
        },
      });
      // Entry reasons name orders ("Order #1001"), not people; they stay for the books. Entries the
      // shopper made themselves once named them in the actor; the entry's member says who it was.
      await tx.ledgerEntry.updateMany({
        where: { shopId, memberId: member.id, actor: `shopper:${customerId}` },
        data: { actor: "shopper" },
      });
      await tx.orderFact.updateMany({ where: { shopId, memberId: member.id }, data: { customerId: null } });
    }
    await tx.orderFact.updateMany({
      where: { shopId, OR: [{ customerId }, { orderId: { in: [...orders] } }] },
      data: { customerId: null },
    });
    await tx.dataRequest.deleteMany({ where: { shopId, customerId } });
    // Survey scores stay for the merchant's figures, no longer linked to the person.
    await tx.surveyAnswer.updateMany({
      where: { shopId, OR: [{ customerId }, { orderId: { in: [...orders] } }] },
      data: { customerId: null },
    });
    await redactIntegrations(tx, shopId, customerId, member);
    await tx.holdoutCustomer.deleteMany({ where: { shopId, customerId } });
    await tx.referral.updateMany({
      where: { shopId, refereeCustomerId: customerId },
      data: { refereeCustomerId: `redacted:${randomBytes(8).toString("hex")}` },
    });
    await redactInbox(tx, shopId, customerId, orders);
    // Processed jobs have no payload left, only the column naming the customer.
    await tx.webhookJob.updateMany({ where: { shopId, customerId }, data: { customerId: null } });
  });
  await checkpointAfterErasure(db);
  await truncateArrivalsWal(db);
}

/**
 * Payloads still in the inbox (pending, or dead letters) about the customer — by the customer
 * column, by the customer in the body, or by order: their orders and refunds of those orders,
 * which name no customer (guest checkouts, refunds). Orders keep their amounts as a guest's.
 */
async function redactInbox(tx: Tx, shopId: string, customerId: string, orders: ReadonlySet<string>) {
  const jobs = await tx.webhookJob.findMany({
    where: { shopId, payload: { not: null } },
    select: { id: true, topic: true, customerId: true, payload: true, status: true },
  });
  for (const job of jobs) {
    let body: unknown = null;
    try {
      body = JSON.parse(job.payload!);
    } catch {
      // unreadable: judged by its customer column alone
    }
    const b = (body ?? {}) as Record<string, unknown>;
    const about =
      job.customerId === customerId ||
      (body !== null && customerOf(job.topic, body) === customerId) ||
      (job.topic.startsWith("orders/") && orders.has(String(b.id))) ||
      (job.topic === "refunds/create" && orders.has(String(b.order_id)));
    if (!about) continue;
    const payload = body === null ? null : redactPayload(job.topic, body);
    await tx.webhookJob.update({
      where: { id: job.id },
      data: {
        payload,
        customerId: null,
        ...(payload === null && job.status !== "processing" ? { status: "skipped", lastError: "customer redacted" } : {}),
      },
    });
  }
}

/** customers/data_request: everything held on that customer, as one JSON document. */
export async function exportCustomer(db: Db, shopId: string, customerId: string, requestId: string) {
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
  const entries = member
    ? await db.ledgerEntry.findMany({ where: { shopId, memberId: member.id }, orderBy: { createdAt: "asc" } })
    : [];
  const orders = await db.orderFact.findMany({ where: { shopId, customerId } });
  const surveys = await db.surveyAnswer.findMany({ where: { shopId, customerId }, orderBy: { answeredAt: "asc" } });
  const [draws, codes] = member
    ? await Promise.all([
        db.drawEntry.findMany({ where: { shopId, memberId: member.id }, orderBy: { createdAt: "asc" } }),
        db.redemption.findMany({ where: { shopId, memberId: member.id }, orderBy: { createdAt: "asc" } }),
      ])
    : [[], []];
  const document = {
    shop: shopId,
    customerId,
    generatedAt: new Date().toISOString(),
    member: member && {
      state: member.state,
      enrolledAt: member.enrolledAt,
      tags: member.tags,
      points: { available: member.available, pending: member.pending, lifetime: member.lifetimeEarned },
      referralCode: member.referralCode,
      email: member.email,
      name: member.name,
    },
    ledger: entries.map((e) => ({ kind: e.kind, points: e.points, status: e.status, reason: e.reason, at: e.occurredAt })),
    orders: orders.map((o) => ({
      order: o.name || o.orderId,
      subtotalMinor: o.subtotalMinor,
      currency: o.currency,
      earned: o.earnedPoints,
      reversed: o.reversedPoints,
    })),
    surveyAnswers: surveys.map((a) => ({ order: a.orderId, score: a.score, at: a.answeredAt })),
    drawEntries: draws.map((d) => ({
      draw: d.drawId,
      entries: d.entries,
      free: d.free,
      points: d.pointsSpent,
      tickets: [d.firstTicket, d.lastTicket],
      at: d.createdAt,
    })),
    codes: codes.map((c) => ({ code: c.code, source: c.source, status: c.status, points: c.pointsSpent, at: c.createdAt })),
  };
  await db.dataRequest.upsert({
    where: { shopId_requestId: { shopId, requestId } },
    create: { shopId, customerId, requestId, export: JSON.stringify(document) },
    update: {},
  });
  return document;
}

/** A customer's tags as Shopify has them, for a pilot's check of someone the app has not seen (null: unknown). */
export type TagLookup = (customerId: string) => Promise<string[] | null>;

/** /proxy/join: enrols the customer (idempotent), records an optional birthday, pays the signup bonus once. */
export async function joinClub(db: Db, shopId: string, customerId: string, birthday: string | null, lookupTags?: TagLookup) {
  const shop = await activeShop(db, shopId);
  if (!shop) return "shop_not_found" as const;
  const rules = await currentRules(db, shopId, shop.programVersion);
  let lookedUp: string[] | null = null;
  // The holdout is never invited (a member already in the club stays in it).
  const known = await db.member.findUnique({
    where: { shopId_customerId: { shopId, customerId } },
    select: { tags: true, excludedAt: true },
  });
  if (!known && inHoldout(shopId, customerId, rules.holdoutPercent)) return "club_closed" as const;
  if (rules.launchState !== "live" && !known) lookedUp = (await lookupTags?.(customerId)) ?? null;
  if (!clubOpenTo(launchOf(rules), { tags: known ? tagList(known.tags) : lookedUp, excluded: Boolean(known?.excludedAt) }))
    return "club_closed" as const;
  return withLedger(db, async (ledger) => {
    const { tx, post } = ledger;
    const existing = await tx.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
    if (existing?.state === "opted_out") return "opted_out" as const;
    const member = existing ?? (await ensureMember(ledger, shopId, { customerId, tags: lookedUp?.join(", ") ?? null }));
    if (!member) return "opted_out" as const; // erased by customers/redact
    if (birthday && member.birthdayMonth === null) {
      const [month, day] = birthday.split("-").map(Number);
      await tx.member.update({ where: { id: member.id }, data: { birthdayMonth: month, birthdayDay: day } });
    }
    if (rules.signupBonus > 0) {
      const now = new Date();
      await post({
        shopId,
        memberId: member.id,
        kind: "bonus",
        points: rules.signupBonus,
        status: "available",
        availableAt: now,
        idempotencyKey: `signup:${member.id}`,
        sourceType: "signup",
        programVersion: rules.version,
        actor: "shopper", // the entry's member says who
        reason: "Welcome bonus for joining",
        occurredAt: now,
      });
    }
    return existing ? ("already" as const) : ("joined" as const);
  });
}
