import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import { programAnswer, submitProgram } from "~/admin/program.server";
import db from "~/db.server";
import { programDocument } from "~/models/program.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json(await programDocument(db, shop));
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor, graphql } = await adminApi(request);
  if (request.method !== "PUT") return jsonError(405, [{ path: "method", message: "PUT the whole program document" }]);
  return programAnswer(await submitProgram(shop, await jsonBody(request), { actor, graphql }));
}
