import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi } from "~/admin/api.server";
import db from "~/db.server";
import { exportMembersCsv } from "~/models/member-admin.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return new Response(exportMembersCsv(db, shop), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="loyalty-members.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
