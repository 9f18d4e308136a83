import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi } from "~/admin/api.server";
import db from "~/db.server";
import { drawDetail } from "~/models/draws.server";
import { drawErrorResponse } from "~/admin/draws.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return drawErrorResponse(async () => Response.json({ draw: await drawDetail(db, shop, params.drawId ?? "") }));
}
