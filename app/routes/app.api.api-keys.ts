// GET /app/api/api-keys: the shop's keys (never the keys themselves). POST {name, access}: a new
// key, 201 with the key (shown only here, stored hashed).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { fieldErrors } from "~/domain/program-document";
import { ApiKeyInput } from "~/domain/webhook-events";
import { createApiKey, listApiKeys } from "~/models/api-keys.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json({ keys: await listApiKeys(db, shop) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST a key" }]);
  const parsed = ApiKeyInput.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  return Response.json(await createApiKey(db, shop, parsed.data), { status: 201 });
}
