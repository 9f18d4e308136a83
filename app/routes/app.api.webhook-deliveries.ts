// GET /app/api/webhook-deliveries?endpointId=: the delivery log, newest first (status, attempts, last answer).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi } from "~/admin/api.server";
import db from "~/db.server";
import { listDeliveries } from "~/models/webhook-endpoints.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const url = new URL(request.url);
  return Response.json({
    deliveries: await listDeliveries(db, shop, {
      endpointId: url.searchParams.get("endpointId") || undefined,
      limit: Number(url.searchParams.get("limit")) || undefined,
    }),
  });
}
