// POST /api/v1/members/<customerId>/adjustments {points, reason, idempotencyKey}: as the admin's
// adjustments (same rules, same answer), with a write key; the entry's actor is the key's name.
import type { ActionFunctionArgs } from "@remix-run/node";
import { jsonBody, jsonError } from "~/admin/api.server";
import { developerApi } from "~/integrations/developer-api.server";
import { tierTagsMayHaveChanged } from "~/admin/tier-tags.server";
import db from "~/db.server";
import { Adjustment, fieldErrors } from "~/domain/program-document";
import { AdminInputError, adjustPoints } from "~/models/member-admin.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop, actor } = await developerApi(request, "write");
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST an adjustment" }]);
  const parsed = Adjustment.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  try {
    const entry = await adjustPoints(db, shop, params.customerId ?? "", { ...parsed.data, actor });
    await tierTagsMayHaveChanged(shop, { customerId: params.customerId });
    return Response.json({ entry });
  } catch (error) {
    if (error instanceof AdminInputError) return jsonError(error.status, error.errors, error.code);
    throw error;
  }
}
