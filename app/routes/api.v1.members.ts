// GET /api/v1/members?query=&cursor=: as /app/api/members, with an API key.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { developerApi } from "~/integrations/developer-api.server";
import db from "~/db.server";
import { listMembers } from "~/models/member-admin.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await developerApi(request, "read");
  const url = new URL(request.url);
  return Response.json(
    await listMembers(db, shop, {
      query: url.searchParams.get("query") ?? "",
      cursor: url.searchParams.get("cursor") || undefined,
      limit: Number(url.searchParams.get("limit")) || undefined,
    }),
  );
}
