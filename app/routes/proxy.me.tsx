import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticated, jsonError } from "~/http.server";
import { shopperView } from "~/models/storefront.server";
import { authenticate } from "~/shopify.server";

// GET /proxy/me — the logged-in shopper's standing (contract §4).
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await authenticated(() => authenticate.public.appProxy(request));
  if (auth instanceof Response) return auth;
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop")!;
  const customerId = url.searchParams.get("logged_in_customer_id") || null;
  const view = await shopperView(db, shop, customerId);
  if (!view) return jsonError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  return Response.json(view, { headers: { "Cache-Control": "no-store" } });
}
