import type { LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { authenticated, jsonError } from "~/http.server";
import { publicProgram } from "~/models/storefront.server";
import { authenticate } from "~/shopify.server";

// GET /proxy/program — the public program: currency, ways to earn, rewards, tiers.
export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await authenticated(() => authenticate.public.appProxy(request));
  if (auth instanceof Response) return auth;
  const program = await publicProgram(db, new URL(request.url).searchParams.get("shop")!);
  if (!program) return jsonError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  return Response.json(program.summary, { headers: { "Cache-Control": "public, max-age=60" } });
}
