// Reconciliation on demand: GET → what the last run found and fixed; POST → compare the shop's
// recent orders with the app's records now and apply what is missing (docs/http.md).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { lastReconciliation, runReconciliation } from "~/models/reconcile.server";
import { adminGraphqlClient } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

// Scripts and the admin's own fetches carry a session token; without one there is nobody to answer.
const unauthorized = (request: Request) =>
  /^Bearer \S+$/.test(request.headers.get("Authorization") ?? "")
    ? null
    : Response.json({ error: "unauthorized" }, { status: 401 });

export async function loader({ request }: LoaderFunctionArgs) {
  const refused = unauthorized(request);
  if (refused) return refused;
  const { session } = await authenticate.admin(request);
  return Response.json({ last: await lastReconciliation(db, session.shop) });
}

export async function action({ request }: ActionFunctionArgs) {
  const refused = unauthorized(request);
  if (refused) return refused;
  const { session, admin } = await authenticate.admin(request);
  if (request.method !== "POST") return Response.json({ error: "method_not_allowed" }, { status: 405 });
  // On demand the newest orders are compared too: a webhook still on its way then finds its work done.
  const report = await runReconciliation(db, adminGraphqlClient(admin), session.shop, { settleMs: 0 });
  if (!report) return Response.json({ error: "reconciliation_running" }, { status: 409 });
  return Response.json({ report });
}
