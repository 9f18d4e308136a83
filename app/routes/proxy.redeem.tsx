import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import db from "~/db.server";
import { jsonBody, jsonError, proxyRequest } from "~/http.server";
import { redeem, RedeemError } from "~/models/redemptions.server";
import { adminGraphqlFor } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

const RedeemBody = z.object({
  rewardId: z.string().min(1).max(100),
  idempotencyKey: z.string().min(8).max(100),
});

// POST /proxy/redeem — spend points on a reward; the answer holds a single-use discount code.
export async function action({ request }: ActionFunctionArgs) {
  const ctx = await proxyRequest(request, authenticate.public.appProxy);
  if (ctx instanceof Response) return ctx;
  if (!ctx.customerId) return jsonError(401, "not_logged_in", "log in to redeem points");
  const body = RedeemBody.safeParse(await jsonBody(request));
  if (!body.success) return jsonError(400, "invalid_body", 'send {"rewardId": "…", "idempotencyKey": "<uuid>"}');
  try {
    const redemption = await redeem(db, () => adminGraphqlFor(ctx.shop), {
      shopId: ctx.shop,
      customerId: ctx.customerId,
      ...body.data,
    });
    const member = await db.member.findUniqueOrThrow({
      where: { shopId_customerId: { shopId: ctx.shop, customerId: ctx.customerId } },
    });
    return Response.json(
      { redemption, points: { available: member.available, pending: member.pending, lifetime: member.lifetimeEarned } },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    if (error instanceof RedeemError) return jsonError(error.status, error.code, error.message);
    throw error;
  }
}
