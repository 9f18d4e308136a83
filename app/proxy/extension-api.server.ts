// The storefront API for checkout, thank-you and customer-account UI extensions (contract §5):
// /api/checkout/<route> and /api/customer-account/<route>, authenticated by the session token the
// extension sends as `Authorization: Bearer`. The shop comes from its `dest`, the customer from
// its `sub` and nothing else; me, history, join, redeem and (in the account) the draws are the
// app proxy's own code (answerShopper),
// so the bodies, rules and concurrency guarantees are the proxy's. CORS as
// authenticate.public.checkout gives it: extensions run in a sandbox on Shopify's origin.
import { z } from "zod";
import { orderEarnKey } from "~/domain/orders";
import { effectiveRate, pointsForSubtotal } from "~/domain/program";
import { toMinorUnits } from "~/domain/money";
import { isSurveyScore } from "~/domain/survey";
import { activeShop, currentRules } from "~/models/shops.server";
import { recordSurveyAnswer, surveyAnswerFor } from "~/models/survey.server";
import { answerShopper, type ProxyAnswer, type ProxyDeps, type ProxyRequest } from "./handler.server";
import { verifySessionToken, type ExtensionIdentity } from "./session-token";

export interface ExtensionRequest extends Omit<ProxyRequest, "path"> {
  /** the path after /api/ */
  path: string;
  authorization: string | undefined;
  origin: string | undefined;
}

export interface ExtensionDeps extends ProxyDeps {
  apiKey: string;
  appUrl: string;
}

const SURFACES = ["checkout", "customer-account"] as const;
/** The proxy's routes an extension reaches; anything else is not there. */
const SHARED = new Set(["GET me", "GET history", "POST join", "POST redeem"]);
/** The customer account also has the draws (the checkout does not); their routes are the proxy's drawRoute. */
const isDrawsPath = (path: string) => path === "draws" || path.startsWith("draws/");

const error = (status: number, code: string, message: string): ProxyAnswer => ({ status, body: { error: code, message } });

/** What authenticate.public.checkout's ensureCORSHeaders adds to an answer for another origin. */
function cors(origin: string | undefined, appUrl: string): Record<string, string> {
  if (!origin || origin === appUrl) return {};
  return {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Expose-Headers": "X-Shopify-API-Request-Failure-Reauthorize-Url",
  };
}

const SurveyBody = z.object({
  orderId: z.string().regex(/^(gid:\/\/shopify\/(Order|OrderIdentity)\/)?\d{1,20}$/, "orderId is an order id"),
  score: z.custom<number>(isSurveyScore, "score is a whole number from 0 to 10"),
});

const numericOrderId = (id: string) => id.slice(id.lastIndexOf("/") + 1);

export async function handleExtensionApi(deps: ExtensionDeps, req: ExtensionRequest): Promise<ProxyAnswer> {
  const answer = await route(deps, req);
  return { ...answer, headers: { ...answer.headers, ...cors(req.origin, deps.appUrl) } };
}

async function route(deps: ExtensionDeps, req: ExtensionRequest): Promise<ProxyAnswer> {
  const [surface, ...rest] = req.path.split("/");
  const path = rest.join("/").replace(/\/+$/, "");
  if (!SURFACES.includes(surface as (typeof SURFACES)[number])) return error(404, "not_found", "no such route");
  if (req.method === "OPTIONS") return { status: 204, body: null, headers: { "Access-Control-Max-Age": "7200" } };
  const token = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? "")?.[1];
  const verdict = token ? verifySessionToken(token, { apiKey: deps.apiKey, secret: deps.secret }) : null;
  if (!verdict?.valid) return error(401, "invalid_session_token", "the session token is missing, expired or invalid");
  const who: ExtensionIdentity = { shop: verdict.shop, customerId: verdict.customerId };
  const name = `${req.method} ${path}`;

  if (SHARED.has(name) || (surface === "customer-account" && isDrawsPath(path))) {
    const answer = await answerShopper(deps, who, { ...req, path });
    if (name !== "GET me" || answer.status !== 200) return answer;
    const me = answer.body as { tier?: { earnMultiplierPct: number } | null };
    return { ...answer, body: { ...me, ...(await orderFigures(deps, who, req.query, me.tier?.earnMultiplierPct ?? 100)) } };
  }
  if (name === "POST survey") return survey(deps, who, req);
  return error(404, "not_found", `no extension route ${name}`);
}

/**
 * For the checkout and thank-you pages, `GET me` takes the order in view: `?subtotal=<decimal>&currency=<code>`
 * (the merchandise subtotal less the order's discounts, as the checkout extension sends it; the
 * estimate is given only in shop currency, which points are earned on)
 * adds what it would earn; `?order=<id>` adds what that order did earn once its webhook was
 * processed, and the survey answer it has. (A member's issued codes not yet used in an order are
 * the proxy's `codes`, so a code redeemed and not applied is never lost.)
 */
async function orderFigures(deps: ExtensionDeps, who: ExtensionIdentity, query: URLSearchParams, multiplierPct: number) {
  const figures: Record<string, unknown> = {};
  const subtotal = query.get("subtotal");
  if (subtotal !== null && /^\d{1,12}(\.\d{1,3})?$/.test(subtotal)) {
    const shop = await activeShop(deps.db, who.shop);
    const currency = query.get("currency");
    if (shop && (currency === null || currency === shop.currency)) {
      const rules = await currentRules(deps.db, shop.id, shop.programVersion);
      figures.estimate = {
        points: pointsForSubtotal(toMinorUnits(subtotal, shop.currency), shop.currency, effectiveRate(rules, multiplierPct)),
        pendingDays: rules.pendingDays,
      };
    }
  }
  const order = query.get("order");
  if (order !== null && /^(gid:\/\/shopify\/(Order|OrderIdentity)\/)?\d{1,20}$/.test(order)) {
    const orderId = numericOrderId(order);
    const member = who.customerId
      ? await deps.db.member.findUnique({ where: { shopId_customerId: { shopId: who.shop, customerId: who.customerId } } })
      : null;
    const entry = member
      ? await deps.db.ledgerEntry.findFirst({
          where: { shopId: who.shop, memberId: member.id, idempotencyKey: orderEarnKey(orderId) },
          select: { id: true, points: true, status: true, availableAt: true },
        })
      : null;
    const released =
      entry?.status === "pending" &&
      (await deps.db.ledgerEntry.count({ where: { shopId: who.shop, idempotencyKey: `release:${entry.id}` } })) > 0;
    figures.order = {
      id: orderId,
      earned: entry
        ? { points: entry.points, status: released ? "available" : entry.status, availableAt: entry.availableAt.toISOString() }
        : null,
      survey: await surveyAnswerFor(deps.db, who.shop, orderId),
    };
  }
  return figures;
}

async function survey(deps: ExtensionDeps, who: ExtensionIdentity, req: ExtensionRequest): Promise<ProxyAnswer> {
  if (!/^application\/json\s*(;|$)/i.test(req.contentType?.trim() ?? "")) {
    return error(415, "unsupported_media_type", "send the body as application/json");
  }
  let json: unknown;
  try {
    json = JSON.parse(req.body);
  } catch {
    return error(400, "invalid_body", "body must be JSON");
  }
  const body = SurveyBody.safeParse(json);
  if (!body.success) return error(400, "invalid_body", body.error.issues[0]!.message);
  if (!(await activeShop(deps.db, who.shop))) return error(404, "shop_not_found", "this shop has not installed Loyalty Club");
  const answer = await recordSurveyAnswer(deps.db, {
    shopId: who.shop,
    orderId: numericOrderId(body.data.orderId),
    customerId: who.customerId,
    score: body.data.score,
  });
  return { status: 200, body: { answer }, headers: { "Cache-Control": "no-store" } };
}
