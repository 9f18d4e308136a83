import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { jsonError, proxyRequest } from "~/http.server";
import { shopperView } from "~/models/storefront.server";
import { authenticate } from "~/shopify.server";

// GET /proxy/me — the logged-in shopper's standing (contract §4).
export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await proxyRequest(request, authenticate.public.appProxy);
  if (ctx instanceof Response) return ctx;
  const view = await shopperView(db, ctx.shop, ctx.customerId, ctx.installed);
  if (!view) return jsonError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  return Response.json(view, { headers: { "Cache-Control": "no-store" } });
}
