// POST /app/api/webhook-deliveries/<id>/resend: the same event (same id and body) is sent again now.
import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { resendDelivery } from "~/models/webhook-endpoints.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST to resend" }]);
  const id = Number(params.id);
  if (!Number.isSafeInteger(id) || !(await resendDelivery(db, shop, id)))
    return jsonError(404, [{ path: "id", message: "no such delivery" }], "not_found");
  return Response.json({ ok: true });
}
