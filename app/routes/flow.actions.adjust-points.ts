// POST /flow/actions/adjust-points: Shopify Flow's "Adjust loyalty points" action
// (extensions/loyalty-flow-adjust-points). 200 is success (Flow resends a run with the same
// action_run_id, answered 200 and nothing more); other 4xx are final and shown to the merchant.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { AdjustPointsRun, flowBody, flowError } from "~/flow/requests.server";
import { tierTagsMayHaveChanged } from "~/admin/tier-tags.server";
import { adjustFromFlow, FlowActionError } from "~/models/flow-actions.server";
import { adminGraphqlFor } from "~/shopify/admin.server";

export async function action({ request }: ActionFunctionArgs) {
  const parsed = AdjustPointsRun.safeParse(await flowBody(request));
  if (!parsed.success)
    return flowError(422, "invalid_input", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const { shopify_domain: shopId, action_run_id, properties } = parsed.data;
  try {
    const { entry } = await adjustFromFlow(db, () => adminGraphqlFor(shopId), {
      shopId,
      actionRunId: action_run_id,
      customerId: properties.customer_id,
      points: properties.Points,
      reason: properties.Reason,
    });
    await tierTagsMayHaveChanged(shopId, { customerId: properties.customer_id });
    return Response.json({ entry });
  } catch (error) {
    if (error instanceof FlowActionError) return flowError(error.status, error.code, error.message);
    throw error;
  }
}

export const loader = () => flowError(405, "method_not_allowed", "POST only");
