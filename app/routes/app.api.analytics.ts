import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { analyticsPage } from "~/models/analytics-page.server";

/** GET /app/api/analytics?from=&to= (or ?preset=): everything the Analytics page shows for the range. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const page = await analyticsPage(db, shop, new URL(request.url));
  if (!page.ok) return jsonError(page.status, page.errors);
  const { ok: _ok, ...body } = page;
  return Response.json(body);
}
