// The storefront's draw routes behind the app proxy: GET draws, POST draws/<id>/enter,
// GET draws/<id>/proof (docs/http.md "Seasonal draws").
import { z } from "zod";
import type { Db } from "~/db.server";
import { drawProof, DrawError, enterDraw, shopperDraws } from "~/models/draws.server";
import type { TagLookup } from "~/models/members.server";
import { activeShop } from "~/models/shops.server";
import { storefrontOpen } from "~/models/storefront.server";

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, code: string, message: string): Answer => ({ status, body: { error: code, message } });
const noStore = { "Cache-Control": "no-store" };

const EnterBody = z.union([
  z.object({ free: z.literal(true), idempotencyKey: z.string().min(8).max(100) }).strict(),
  z
    .object({
      entries: z.number().int().min(1).max(1_000_000),
      idempotencyKey: z.string().min(8).max(100),
      free: z.literal(false).optional(),
    })
    .strict(),
]);

/** The answer to a draws route, or null when the path is not one. */
export async function drawRoute(
  db: Db,
  route: string,
  shop: string,
  customerId: string | null,
  json: () => { ok: true; value: unknown } | { ok: false },
  lookupTags?: TagLookup,
): Promise<Answer | null> {
  const match = /^(GET|POST) draws(?:\/([A-Za-z0-9_-]{1,64})\/(enter|proof))?$/.exec(route);
  if (!match) return null;
  const [, method, drawId, action] = match;
  try {
    if (method === "GET" && !drawId) {
      if (!(await activeShop(db, shop))) return error(404, "shop_not_found", "this shop has not installed Loyalty Club");
      // Before launch, in a pilot that does not reach them, or excluded: no draws, as no club.
      if (!(await storefrontOpen(db, shop, customerId, lookupTags)))
        return { status: 200, body: { draws: [] }, headers: noStore };
      return { status: 200, body: await shopperDraws(db, shop, customerId), headers: noStore };
    }
    if (method === "GET" && action === "proof")
      return { status: 200, body: await drawProof(db, shop, drawId!, customerId), headers: noStore };
    if (method === "POST" && action === "enter") {
      if (!customerId) return error(401, "not_logged_in", "log in to enter the draw");
      const parsed = json();
      const body = parsed.ok ? EnterBody.safeParse(parsed.value) : null;
      if (!body?.success)
        return error(
          400,
          "invalid_body",
          'send {"entries": <n>, "idempotencyKey": "<uuid>"} or {"free": true, "idempotencyKey": "<uuid>"}',
        );
      const request = "entries" in body.data ? { free: false as const, entries: body.data.entries } : { free: true as const };
      const answer = await enterDraw(db, shop, customerId, drawId!, request, body.data.idempotencyKey);
      return { status: 200, body: answer, headers: noStore };
    }
  } catch (e) {
    if (e instanceof DrawError) return error(e.status, e.code, e.message);
    throw e;
  }
  return error(405, "method_not_allowed", `no storefront route ${route}`);
}
