import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { memberDetail } from "~/models/member-admin.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const member = await memberDetail(db, shop, params.customerId ?? "");
  return member
    ? Response.json({ member })
    : jsonError(404, [{ path: "customerId", message: "no member with that customer id" }], "member_not_found");
}
