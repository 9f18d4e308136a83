import type { ActionFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import { tierTagsMayHaveChanged } from "~/admin/tier-tags.server";
import db from "~/db.server";
import { importMembers } from "~/models/member-admin.server";

const MAX_BYTES = 20 * 1024 * 1024;

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor, graphql } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST a CSV file" }]);
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^text\/(csv|plain)\b/i.test(type))
    return jsonError(422, [{ path: "Content-Type", message: "send the file as text/csv" }]);
  if (Number(request.headers.get("Content-Length") ?? 0) > MAX_BYTES)
    return jsonError(422, [{ path: "body", message: "the file is larger than 20 MB" }]);
  const text = await request.text();
  if (text.length > MAX_BYTES) return jsonError(422, [{ path: "body", message: "the file is larger than 20 MB" }]);
  const dryRun = ["1", "true"].includes(new URL(request.url).searchParams.get("dryRun") ?? "");
  const result = await importMembers(db, shop, text, { dryRun, actor, graphql });
  if ("invalid" in result) return jsonError(422, result.invalid);
  if (!dryRun && result.applied > 0) await tierTagsMayHaveChanged(shop);
  return Response.json({ ...result, dryRun });
}
