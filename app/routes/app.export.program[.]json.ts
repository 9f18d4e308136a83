import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi } from "~/admin/api.server";
import db from "~/db.server";
import { programDocument } from "~/models/program.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json(await programDocument(db, shop), {
    headers: { "Content-Disposition": `attachment; filename="loyalty-program.json"` },
  });
}
