import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { memberListQuery } from "~/domain/member-list";
import { fieldErrors } from "~/domain/program-document";
import { AdminInputError, listMembers } from "~/models/member-admin.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  const parsed = memberListQuery(new URL(request.url).searchParams);
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  try {
    return Response.json(await listMembers(db, shop, parsed.data));
  } catch (error) {
    if (error instanceof AdminInputError) return jsonError(error.status, error.errors);
    throw error;
  }
}
