import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi } from "~/admin/api.server";
import db from "~/db.server";
import { listMembers } from "~/models/member-admin.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const url = new URL(request.url);
  return Response.json(
    await listMembers(db, shop, {
      query: url.searchParams.get("query") ?? "",
      cursor: url.searchParams.get("cursor") || null,
      limit: Number(url.searchParams.get("limit")) || undefined,
    }),
  );
}
