// DELETE /app/api/api-keys/<id>: revokes the key at once.
import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { revokeApiKey } from "~/models/api-keys.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop } = await adminApi(request);
  if (request.method !== "DELETE") return jsonError(405, [{ path: "method", message: "DELETE to revoke" }]);
  return (await revokeApiKey(db, shop, params.id ?? ""))
    ? new Response(null, { status: 204 })
    : jsonError(404, [{ path: "id", message: "no such key" }], "not_found");
}
