// The storefront API behind Shopify's app proxy (contract §4): GET me, GET program, POST join,
// POST redeem, GET referral, POST referral/shared, GET history, and the draws (./draws.server.ts). Like the webhook door it runs as a plain handler ahead of Remix:
// these are JSON calls on every storefront page view, and the Remix and authentication layers
// cost more than the answer itself (docs/decisions/0007-storefront.md).
import { z } from "zod";
import type { Db } from "~/db.server";
import { joinClub } from "~/models/members.server";
import { redeem, RedeemError } from "~/models/redemptions.server";
import { openReferralLink, recordReferralShare } from "~/models/referral-links.server";
import { decodeCursor, historyAfter, programSummary, shopperView } from "~/models/storefront.server";
import { customerTags } from "~/shopify/customers.server";
import type { AdminGraphql } from "~/shopify/discounts.server";
import { drawRoute } from "./draws.server";
import { verifyAppProxySignature } from "./signature";

export interface ProxyRequest {
  method: string;
  /** the path after /proxy/ */
  path: string;
  query: URLSearchParams;
  /** the Content-Type header as sent (undefined when there is none) */
  contentType: string | undefined;
  body: string;
}

export interface ProxyAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ProxyDeps {
  db: Db;
  secret: string;
  adminGraphqlFor: (shop: string) => Promise<AdminGraphql>;
}

const error = (status: number, code: string, message: string): ProxyAnswer => ({ status, body: { error: code, message } });
const NOT_INSTALLED = error(404, "shop_not_found", "this shop has not installed Loyalty Club");
const noStore = { "Cache-Control": "no-store" };

// Days in each month of a leap year: 29 February is a birthday too (kept on the 28th in other years).
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const JoinBody = z.object({
  birthday: z
    .string()
    .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "birthday is MM-DD")
    .refine((b) => Number(b.slice(3)) <= MONTH_DAYS[Number(b.slice(0, 2)) - 1]!, "no such day in that month")
    .optional(),
});
const RedeemBody = z.object({ rewardId: z.string().min(1).max(100), idempotencyKey: z.string().min(8).max(100) });

// Parameters Shopify itself adds to a proxied request. Shopify signs a repeated parameter with its
// values joined by ",", so `?logged_in_customer_id=1` in a shopper's own URL next to the one Shopify
// adds would pass the signature check and could be read first: a repeat of any of these is refused.
const SHOPIFY_PARAMS = ["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"];

/** The shop and customer a verified query speaks for, or the refusal. */
function identity(query: URLSearchParams): { shop: string; customerId: string | null } | ProxyAnswer {
  for (const name of SHOPIFY_PARAMS) {
    if (query.getAll(name).length > 1) return error(400, "repeated_parameter", `${name} appears more than once`);
  }
  const customerId = query.get("logged_in_customer_id") ?? "";
  if (!/^\d*$/.test(customerId)) return error(400, "invalid_customer", "logged_in_customer_id is not a customer id");
  return { shop: query.get("shop") ?? "", customerId: customerId || null };
}

// A browser sends text/plain, a urlencoded form or multipart cross-site without asking first (a
// "simple" request), so a state-changing call takes JSON only; a call without a body needs no type.
function acceptsBody(req: ProxyRequest): boolean {
  if (req.contentType === undefined) return req.body === "";
  return /^application\/json\s*(;|$)/i.test(req.contentType.trim());
}

/** `?locale=` as a language tag ("fa", "de-CH"); anything else is ignored (English). */
function localeOf(query: URLSearchParams): string | null {
  const tag = query.get("locale") ?? "";
  return /^[a-z]{2,3}(-[a-z0-9]{2,8}){0,2}$/i.test(tag) ? tag : null;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text.trim()) return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export async function handleProxy(deps: ProxyDeps, req: ProxyRequest): Promise<ProxyAnswer> {
  const verdict = verifyAppProxySignature(req.query, deps.secret);
  if (!verdict.valid) return error(400, "invalid_signature", "the request signature is missing or invalid");
  const who = identity(req.query);
  if ("status" in who) return who;
  return answerShopper(deps, who, req);
}

/**
 * The storefront API for a shopper whose shop and customer the caller has verified: the app proxy
 * (its signature) and the checkout and customer-account extensions (their session token) share it.
 */
export async function answerShopper(
  deps: ProxyDeps,
  { shop, customerId }: { shop: string; customerId: string | null },
  req: ProxyRequest,
): Promise<ProxyAnswer> {
  if (req.method !== "GET" && req.method !== "HEAD" && !acceptsBody(req)) {
    return error(415, "unsupported_media_type", "send the body as application/json");
  }
  const route = `${req.method} ${req.path.replace(/\/+$/, "")}`;
  const { db } = deps;
  // Before launch, whether a customer may see the club can depend on their tags in Shopify.
  const lookupTags = async (id: string) => customerTags(await deps.adminGraphqlFor(shop), id).catch(() => null);
  // The storefront's language (the launcher sends the theme's), for names and history lines.
  const view = { locale: localeOf(req.query) };

  switch (route) {
    // Reads use the per-server program cache, which also knows whether the shop is installed
    // (for up to 5 s after an uninstall a read may still answer 200; writes check live).
    case "GET me": {
      const me = await shopperView(db, shop, customerId, lookupTags, view);
      return me ? { status: 200, body: me, headers: noStore } : NOT_INSTALLED;
    }
    case "GET history": {
      if (!customerId) return error(401, "not_logged_in", "log in to see your points history");
      const cursor = decodeCursor(req.query.get("cursor") ?? "");
      if (!cursor) return error(400, "invalid_cursor", "cursor is the historyNextCursor or nextCursor of an earlier answer");
      const page = await historyAfter(db, shop, customerId, cursor, view);
      return page ? { status: 200, body: page, headers: noStore } : error(404, "not_a_member", "this customer is not a member");
    }
    case "GET program": {
      const program = await programSummary(db, shop, view);
      return program ? { status: 200, body: program, headers: { "Cache-Control": "public, max-age=60" } } : NOT_INSTALLED;
    }
    case "POST join": {
      if (!customerId) return error(401, "not_logged_in", "log in to join");
      const json = parseJson(req.body);
      const body = json.ok ? JoinBody.safeParse(json.value) : null;
      if (!body?.success) return error(400, "invalid_body", body ? body.error.issues[0]!.message : "body must be JSON");
      const joined = await joinClub(db, shop, customerId, body.data.birthday ?? null, lookupTags);
      if (joined === "shop_not_found") return NOT_INSTALLED;
      if (joined === "club_closed") return error(403, "club_closed", "the loyalty club is not open to this customer yet");
      if (joined === "opted_out") return error(409, "opted_out", "this customer has opted out of the loyalty club");
      return { status: 200, body: await shopperView(db, shop, customerId, lookupTags, view), headers: noStore };
    }
    case "POST redeem": {
      if (!customerId) return error(401, "not_logged_in", "log in to redeem points");
      const json = parseJson(req.body);
      const body = json.ok ? RedeemBody.safeParse(json.value) : null;
      if (!body?.success) return error(400, "invalid_body", 'send {"rewardId": "…", "idempotencyKey": "<uuid>"}');
      try {
        const redemption = await redeem(db, () => deps.adminGraphqlFor(shop), { shopId: shop, customerId, ...body.data });
        const member = await db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: shop, customerId } } });
        return {
          status: 200,
          body: { redemption, points: { available: member.available, pending: member.pending, lifetime: member.lifetimeEarned } },
          headers: noStore,
        };
      } catch (e) {
        if (e instanceof RedeemError) return error(e.status, e.code, e.message);
        throw e;
      }
    }
    case "GET referral": {
      const code = (req.query.get("code") ?? "").toUpperCase();
      if (!/^[A-Z0-9]{4,16}$/.test(code)) return error(400, "invalid_code", "a referral code is 4–16 letters and digits");
      const result = await openReferralLink(db, () => deps.adminGraphqlFor(shop), shop, code);
      if (result.status !== 200) return error(result.status, result.error, result.message);
      return { status: 200, body: { code, percent: result.percent }, headers: noStore };
    }
    case "POST referral/shared": {
      if (!customerId) return error(401, "not_logged_in", "log in to share your referral link");
      const result = await recordReferralShare(db, shop, customerId);
      if (result.status !== 200) return error(result.status, result.error, result.message);
      return { status: 200, body: { recorded: true }, headers: noStore };
    }
    default:
      return (
        (await drawRoute(db, route, shop, customerId, () => parseJson(req.body), lookupTags)) ??
        error(404, "not_found", `no storefront route ${route}`)
      );
  }
}
