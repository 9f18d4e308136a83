import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import db from "~/db.server";
import { jsonError, proxyRequest } from "~/http.server";
import { joinClub } from "~/models/members.server";
import { shopperView } from "~/models/storefront.server";
import { authenticate } from "~/shopify.server";

const JoinBody = z.object({
  birthday: z
    .string()
    .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "birthday is MM-DD")
    .optional(),
});

// POST /proxy/join — enrols the logged-in customer (idempotent); answers like /proxy/me.
export async function action({ request }: ActionFunctionArgs) {
  const ctx = await proxyRequest(request, authenticate.public.appProxy);
  if (ctx instanceof Response) return ctx;
  if (!ctx.customerId) return jsonError(401, "not_logged_in", "log in to join");
  const text = await request.text();
  let raw: unknown = {};
  try {
    raw = text.trim() ? JSON.parse(text) : {};
  } catch {
    return jsonError(400, "invalid_body", "body must be JSON");
  }
  const body = JoinBody.safeParse(raw);
  if (!body.success) return jsonError(400, "invalid_body", body.error.issues[0]!.message);
  const joined = await joinClub(db, ctx.shop, ctx.customerId, body.data.birthday ?? null);
  if (joined === "shop_not_found") return jsonError(404, "shop_not_found", "this shop has not installed Loyalty Club");
  if (joined === "opted_out") return jsonError(409, "opted_out", "this customer has opted out of the loyalty club");
  return Response.json(await shopperView(db, ctx.shop, ctx.customerId, ctx.installed), {
    headers: { "Cache-Control": "no-store" },
  });
}
