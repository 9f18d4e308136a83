// The action the program pages share: the page posts the whole document as JSON, as the API does.
import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { adminGraphqlClient } from "~/shopify/admin.server";
import { submitProgram } from "./program.server";

export async function programPageAction({ request }: ActionFunctionArgs) {
  const { session, sessionToken, admin } = await authenticate.admin(request);
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return { errors: [{ path: "body", message: "The form could not be read; reload the page." }] };
  }
  const result = await submitProgram(session.shop, body, {
    actor: String(sessionToken?.sub ?? "staff"),
    graphql: async () => adminGraphqlClient(admin),
  });
  return result.status === 200 ? { document: result.document } : { errors: result.errors, error: result.error };
}
