// GET /api/v1/members/<customerId>: one member with their history (another shop's customer → 404).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, developerApi } from "~/integrations/developer-api.server";
import db from "~/db.server";
import { memberDetail } from "~/models/member-admin.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await developerApi(request, "read");
  const member = await memberDetail(db, shop, params.customerId ?? "");
  return member ? Response.json({ member }) : apiError(404, "not_found", "no member with that customer id");
}
