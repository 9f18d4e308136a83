import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import { programAnswer, submitProgram } from "~/admin/program.server";

// Another shop's document: saved on top of this shop's current version, its rewards and tiers
// matched to this shop's by name (this shop's ids are kept).
export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor, graphql } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST the program document" }]);
  return programAnswer(await submitProgram(shop, await jsonBody(request), { actor, graphql, importing: true }));
}
