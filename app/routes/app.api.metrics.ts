import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { periodOf } from "~/domain/analytics";
import { analyticsContext, periodFigures } from "~/models/analytics.server";

/** GET /app/api/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD (inclusive, the shop's time zone). */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const url = new URL(request.url);
  const context = await analyticsContext(db, shop);
  if (!context) return jsonError(404, [{ path: "shop", message: "the shop is not installed" }]);
  const result = periodOf(url.searchParams.get("from") ?? "", url.searchParams.get("to") ?? "", context.timeZone);
  if (!result.ok) return jsonError(422, result.errors);
  const { from, to, metrics } = await periodFigures(db, shop, result.period, context);
  return Response.json({ from, to, timeZone: context.timeZone, currency: context.currency, metrics });
}
