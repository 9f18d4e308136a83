import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import { drawErrorResponse } from "~/admin/draws.server";
import db from "~/db.server";
import { cancelDraw } from "~/models/draws.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST to cancel the draw" }]);
  return drawErrorResponse(async () => Response.json(await cancelDraw(db, shop, params.drawId ?? "")));
}
