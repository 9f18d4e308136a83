import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { ANALYTICS_TABLES, analyticsCsv, type AnalyticsTable } from "~/models/analytics-export.server";

/** GET /app/export/analytics/<table>.csv?from=&to= (or ?preset=): one table of the Analytics page. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const table = /^([a-z_]+)\.csv$/.exec(params.table ?? "")?.[1];
  if (!table || !(ANALYTICS_TABLES as readonly string[]).includes(table))
    return jsonError(404, [{ path: "table", message: `one of ${ANALYTICS_TABLES.map((t) => `${t}.csv`).join(", ")}` }]);
  const result = await analyticsCsv(db, shop, table as AnalyticsTable, new URL(request.url));
  if (!result.ok) return jsonError(result.status, result.errors);
  return new Response(`\uFEFF${result.body}`, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="loyalty-${table}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
