import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { AccessRules } from "~/domain/members-only";
import { fieldErrors } from "~/domain/program-document";
import { AccessRuleError, accessRules, saveAccessRules } from "~/models/members-only.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json(await accessRules(db, shop));
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, graphql } = await adminApi(request);
  if (request.method !== "PUT") return jsonError(405, [{ path: "method", message: "PUT the rules" }]);
  const parsed = AccessRules.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  try {
    return Response.json(await saveAccessRules(db, graphql, shop, parsed.data.rules));
  } catch (error) {
    if (error instanceof AccessRuleError) return jsonError(422, error.errors);
    throw error;
  }
}
