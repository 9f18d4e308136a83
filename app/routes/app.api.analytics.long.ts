import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { analyticsLongTables } from "~/models/analytics-page.server";

/** GET /app/api/analytics/long: retention by enrolment month and the RFM segments (a year of orders). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const tables = await analyticsLongTables(db, shop);
  if (!tables) return jsonError(404, [{ path: "shop", message: "the shop is not installed" }]);
  return Response.json(tables);
}
