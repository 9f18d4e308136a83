import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonBody, jsonError } from "~/admin/api.server";
import db from "~/db.server";
import { DrawInput } from "~/domain/draw-form";
import { fieldErrors } from "~/domain/program-document";
import { createDraw, listDraws } from "~/models/draws.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { shop } = await adminApi(request);
  return Response.json({ draws: await listDraws(db, shop) });
}

export async function action({ request }: ActionFunctionArgs) {
  const { shop, actor } = await adminApi(request);
  if (request.method !== "POST") return jsonError(405, [{ path: "method", message: "POST a draw" }]);
  const parsed = DrawInput.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(422, fieldErrors(parsed.error));
  const input = parsed.data;
  if (input.endsAt.getTime() <= Date.now()) return jsonError(422, [{ path: "endsAt", message: "the end must be in the future" }]);
  if (input.prizeRewardId && !(await db.reward.findFirst({ where: { id: input.prizeRewardId, shopId: shop, active: true } })))
    return jsonError(422, [{ path: "prizeRewardId", message: "no such reward in this program" }]);
  return Response.json(await createDraw(db, shop, actor, input), { status: 201 });
}
