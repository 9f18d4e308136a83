import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { Exclusion } from "~/domain/member-list";
import { fieldErrors } from "~/domain/program-document";
import { AdminInputError, setExclusion } from "~/models/member-admin.server";

/** PUT {excluded: true|false}: exclude a member from the club, or let them back in. */
export async function action({ request, params }: ActionFunctionArgs) {
  const { shop, actor } = await adminApi(request);
  if (request.method !== "PUT") return jsonError(405, [{ path: "method", message: "PUT {excluded: true|false}" }]);
  const parsed = Exclusion.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  try {
    const excluded = await setExclusion(db, shop, params.customerId ?? "", parsed.data.excluded, actor);
    return Response.json({ excluded });
  } catch (error) {
    if (error instanceof AdminInputError) return jsonError(error.status, error.errors, error.code);
    throw error;
  }
}
