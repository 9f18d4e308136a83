// GET /app/api/webhook-endpoints: the shop's endpoints (no secrets). POST {url, events}: a new
// endpoint, 201 with its secret (shown only here); a destination the SSRF guard refuses → 422.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { fieldErrors } from "~/domain/program-document";
import { WebhookEndpointInput } from "~/domain/webhook-events";
import { createEndpoint, EndpointError, listEndpoints } from "~/models/webhook-endpoints.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json({ endpoints: await listEndpoints(db, shop) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST an endpoint" }]);
  const parsed = WebhookEndpointInput.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  try {
    return Response.json(await createEndpoint(db, shop, parsed.data), { status: 201 });
  } catch (error) {
    if (error instanceof EndpointError) return jsonError(422, [{ path: "url", message: error.message }], error.code);
    throw error;
  }
}
