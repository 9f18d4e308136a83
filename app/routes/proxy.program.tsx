import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { jsonError, proxyRequest } from "~/http.server";
import { publicProgram } from "~/models/storefront.server";
import { authenticate } from "~/shopify.server";

// GET /proxy/program — the public program: currency, ways to earn, rewards, tiers.
export async function loader({ request }: LoaderFunctionArgs) {
  const ctx = await proxyRequest(request, authenticate.public.appProxy);
  if (ctx instanceof Response) return ctx;
  const program = ctx.installed ? await publicProgram(db, ctx.shop) : null;
  if (!program) return jsonError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  return Response.json(program.summary, { headers: { "Cache-Control": "public, max-age=60" } });
}
