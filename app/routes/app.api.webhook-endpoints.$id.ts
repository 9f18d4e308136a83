// DELETE /app/api/webhook-endpoints/<id>: removes it (its waiting deliveries are dropped).
// POST /app/api/webhook-endpoints/<id> {"resume": true}: resumes an endpoint paused after failing for a day.
import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { deleteEndpoint, resumeEndpoint } from "~/models/webhook-endpoints.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const { shop } = await adminApi(request);
  const id = params.id ?? "";
  const notFound = () => jsonError(404, [{ path: "id", message: "no such endpoint" }], "not_found");
  if (request.method === "DELETE") return (await deleteEndpoint(db, shop, id)) ? new Response(null, { status: 204 }) : notFound();
  if (request.method === "POST") {
    const body = (await jsonBody(request)) as { resume?: unknown } | null;
    if (body?.resume !== true) return jsonError(422, [{ path: "resume", message: 'send {"resume": true}' }]);
    return (await resumeEndpoint(db, shop, id)) ? Response.json({ ok: true }) : notFound();
  }
  return jsonError(405, [{ path: "method", message: "DELETE or POST" }]);
}
