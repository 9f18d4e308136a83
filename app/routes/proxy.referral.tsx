import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { jsonError, proxyRequest } from "~/http.server";
import { ensureReferralDiscount } from "~/models/referral-links.server";
import { adminGraphqlFor } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

// GET /proxy/referral?code=ABCD1234 — a friend landed with a referral link: makes sure the
// friend's discount exists in Shopify and names it, so the storefront can apply it to the cart.
export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await proxyRequest(request, authenticate.public.appProxy);
  if (ctx instanceof Response) return ctx;
  const code = (new URL(request.url).searchParams.get("code") ?? "").toUpperCase();
  if (!/^[A-Z0-9]{4,16}$/.test(code)) return jsonError(400, "invalid_code", "a referral code is 4–16 letters and digits");
  const result = await ensureReferralDiscount(db, () => adminGraphqlFor(ctx.shop), ctx.shop, code);
  if (result.status !== 200) return jsonError(result.status, result.error, result.message);
  return Response.json({ code, percent: result.percent }, { headers: { "Cache-Control": "no-store" } });
}
