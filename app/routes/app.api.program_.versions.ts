import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi } from "~/admin/api.server";
import db from "~/db.server";
import { programVersions } from "~/models/program.server";

/** The program's versions, newest first: who saved each, when, and what changed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json({ versions: await programVersions(db, shop) });
}
