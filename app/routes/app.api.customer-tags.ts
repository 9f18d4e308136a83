// The tags the shop's customers carry in Shopify (the setup guide offers them for a pilot).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminApi, jsonError } from "~/admin/api.server";
import { shopCustomerTags } from "~/shopify/customers.server";
import { errorText, log } from "~/log.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { graphql } = await adminApi(request);
  try {
    return Response.json({ tags: await shopCustomerTags(await graphql()) });
  } catch (error) {
    log("warn", "customer tags lookup failed", { error: errorText(error) });
    return jsonError(502, [{ path: "shopify", message: "Shopify did not answer; try again" }], "shopify_unavailable");
  }
}
