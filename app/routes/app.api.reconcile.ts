// Reconciliation on demand: GET → what the last run found and fixed; POST → compare the shop's
// recent orders with the app's records now and apply what is missing (docs/http.md).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { lastReconciliation, runReconciliation } from "~/models/reconcile.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json({ last: await lastReconciliation(db, shop) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, graphql } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "use POST" }], "method_not_allowed");
  // On demand the newest orders are compared too: a webhook still on its way then finds its work done.
  const report = await runReconciliation(db, await graphql(), shop, { settleMs: 0 });
  if (!report) return jsonError(409, [{ path: "reconciliation", message: "a run is under way" }], "reconciliation_running");
  return Response.json({ report });
}
