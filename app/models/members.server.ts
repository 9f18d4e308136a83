import { createHash, randomBytes } from "node:crypto";
import { launchAllows, launchOf, tagList } from "~/domain/program";
import { normaliseAddress, normaliseEmail, type AddressParts } from "~/domain/referrals";
import type { Db, Tx } from "~/db.server";
import { withLedger } from "./ledger.server";
import { activeShop, currentRules } from "./shops.server";

export const OPT_OUT_TAG = "loyalty-opt-out";

/** Customers tagged with OPT_OUT_TAG in Shopify are never enrolled. */
export function isOptedOut(tags: string | null | undefined): boolean {
  return tagList(tags).includes(OPT_OUT_TAG);
}

/** Emails are kept only as a salted hash (per shop) of their normalised form (Gmail dots and +tags folded). */
export function emailHash(shopId: string, email: string | null | undefined): string | null {
  if (!email || !email.includes("@")) return null;
  return createHash("sha256")
    .update(`${shopId}\u0000${normaliseEmail(email)}`)
    .digest("hex");
}

/** The email as the merchant's member list shows and searches it (protected customer data). */
export function storedEmail(email: string | null | undefined): string | null {
  const e = email?.trim().toLowerCase();
  return e && e.includes("@") ? e.slice(0, 320) : null;
}

/** Shipping addresses likewise: only a salted hash of the normalised address, for referral checks. */
export function addressHash(shopId: string, address: AddressParts | null | undefined): string | null {
  const key = address ? normaliseAddress(address) : null;
  return key ? createHash("sha256").update(`${shopId}\u0000addr\u0000${key}`).digest("hex").slice(0, 32) : null;
}

function referralCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join("");
}

export interface CustomerIdentity {
  customerId: string;
  email?: string | null;
  tags?: string | null;
}

/**
 * The member row for a customer, created (enrolled) if absent. Concurrent creators for the
 * same customer are safe: the insert skips on conflict and everyone reads the one row.
 */
export async function ensureMember(tx: Tx, shopId: string, identity: CustomerIdentity) {
  const optedOut = isOptedOut(identity.tags);
  const now = new Date();
  await tx.$executeRaw`
    INSERT INTO "Member" ("id", "shopId", "customerId", "emailHash", "email", "tags", "state", "enrolledAt", "referralCode")
    VALUES (${`m_${randomBytes(12).toString("hex")}`}, ${shopId}, ${identity.customerId}, ${emailHash(shopId, identity.email)},
            ${storedEmail(identity.email)}, ${identity.tags ?? ""}, ${optedOut ? "opted_out" : "active"}, ${now}, ${referralCode()})
    ON CONFLICT DO NOTHING`;
  return tx.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId, customerId: identity.customerId } } });
}

/** customers/create and customers/update: keep identity, tags and opt-out current. */
export async function syncCustomer(db: Db, shopId: string, identity: CustomerIdentity): Promise<void> {
  const optedOut = isOptedOut(identity.tags);
  await db.$transaction(async (tx) => {
    const member = await tx.member.findUnique({
      where: { shopId_customerId: { shopId, customerId: identity.customerId } },
    });
    if (!member) {
      // Remember an opt-out before the first order so that order does not enrol them.
      if (optedOut) await ensureMember(tx, shopId, identity);
      return;
    }
    if (member.state === "redacted") return;
    await tx.member.update({
      where: { id: member.id },
      data: {
        emailHash: emailHash(shopId, identity.email),
        email: storedEmail(identity.email),
        tags: identity.tags ?? "",
        state: optedOut ? "opted_out" : "active",
      },
    });
  });
}

/** customers/redact: erase personal data, keep the anonymous ledger totals. */
export async function redactCustomer(db: Db, shopId: string, customerId: string, orderIds: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const member = await tx.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
    if (member) {
      await tx.member.update({
        where: { id: member.id },
        data: {
          customerId: null,
          emailHash: null,
          email: null,
          tags: "",
          referralCode: null,
          state: "redacted",
          birthdayMonth: null,
          birthdayDay: null,
          addressHashes: "",
        },
      });
      // Entry reasons name orders ("Order #1001"), not people; they stay for the books.
      await tx.orderFact.updateMany({ where: { shopId, memberId: member.id }, data: { customerId: null } });
    }
    await tx.orderFact.updateMany({
      where: { shopId, OR: [{ customerId }, { orderId: { in: orderIds } }] },
      data: { customerId: null },
    });
    await tx.dataRequest.deleteMany({ where: { shopId, customerId } });
    await tx.referral.updateMany({
      where: { shopId, refereeCustomerId: customerId },
      data: { refereeCustomerId: `redacted:${randomBytes(8).toString("hex")}` },
    });
    // Payloads still waiting in the inbox carry the customer's details.
    await tx.webhookJob.updateMany({ where: { shopId, customerId }, data: { payload: null, customerId: null } });
  });
}

/** customers/data_request: everything held on that customer, as one JSON document. */
export async function exportCustomer(db: Db, shopId: string, customerId: string, requestId: string) {
  const member = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
  const entries = member
    ? await db.ledgerEntry.findMany({ where: { shopId, memberId: member.id }, orderBy: { createdAt: "asc" } })
    : [];
  const orders = await db.orderFact.findMany({ where: { shopId, customerId } });
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
    },
    ledger: entries.map((e) => ({ kind: e.kind, points: e.points, status: e.status, reason: e.reason, at: e.occurredAt })),
    orders: orders.map((o) => ({
      order: o.name || o.orderId,
      subtotalMinor: o.subtotalMinor,
      currency: o.currency,
      earned: o.earnedPoints,
      reversed: o.reversedPoints,
    })),
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
  if (rules.launchState !== "live") {
    const known = await db.member.findUnique({ where: { shopId_customerId: { shopId, customerId } }, select: { tags: true } });
    if (!known) lookedUp = (await lookupTags?.(customerId)) ?? null;
    if (!launchAllows(launchOf(rules), known ? tagList(known.tags) : lookedUp)) return "club_closed" as const;
  }
  return withLedger(db, async ({ tx, post }) => {
    const existing = await tx.member.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
    if (existing?.state === "opted_out") return "opted_out" as const;
    const member = existing ?? (await ensureMember(tx, shopId, { customerId, tags: lookedUp?.join(", ") ?? null }));
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
        actor: "shopper",
        reason: "Welcome bonus for joining",
        occurredAt: now,
      });
    }
    return existing ? ("already" as const) : ("joined" as const);
  });
}
