// POST /flow/lifecycle: Shopify Flow's trigger lifecycle callback (a workflow using one of the
// app's triggers was turned on or off in a shop). Answered 200 whenever the signature holds, or
// merchants could not turn their workflow on; the app then skips triggers no workflow uses.
import type { ActionFunctionArgs } from "@remix-run/node";
import db from "~/db.server";
import { flowBody, flowError, LifecycleCallback } from "~/flow/requests.server";
import { recordTriggerUse } from "~/models/flow-triggers.server";

export async function action({ request }: ActionFunctionArgs) {
  const parsed = LifecycleCallback.safeParse(await flowBody(request));
  if (!parsed.success)
    return flowError(400, "invalid_body", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const { shopify_domain, flow_trigger_definition_id, has_enabled_flow, timestamp } = parsed.data;
  const recorded = await recordTriggerUse(
    db,
    shopify_domain,
    flow_trigger_definition_id,
    has_enabled_flow,
    timestamp ? new Date(timestamp) : new Date(),
  );
  return Response.json({ ok: true, recorded });
}

export const loader = () => flowError(405, "method_not_allowed", "POST only");
