// The admin HTTP surface's common steps: authenticate the session token App Bridge sends (or a
// script sends the same way), and answer JSON errors in one shape.
import type { FieldError } from "~/domain/program-document";
import { adminGraphqlClient } from "~/shopify/admin.server";
import { authenticate } from "~/shopify.server";

export const jsonError = (status: number, errors: FieldError[], code?: string, headers?: HeadersInit) =>
  Response.json(code ? { error: code, errors } : { errors }, { status, headers });

/**
 * The shop and staff member of a request to /app/api, /app/export or /app/import. Only a bearer
 * session token is accepted (no cookies, no query tokens): without one the answer is 401, never a
 * redirect to a login page. A bearer request is no crawler, so the package's bot check (which
 * takes Node's and curl's user agents for bots) is not applied to it.
 */
export async function adminApi(request: Request) {
  const authorization = request.headers.get("Authorization") ?? "";
  if (!/^Bearer\s+\S+$/.test(authorization))
    throw jsonError(401, [{ path: "Authorization", message: "send the session token as Authorization: Bearer <token>" }]);
  const headers = new Headers({ Authorization: authorization });
  const authRequest = new Request(request.url, { method: "GET", headers });
  try {
    const { session, sessionToken, admin } = await authenticate.admin(authRequest);
    return {
      shop: session.shop,
      actor: String(sessionToken?.sub ?? "staff"),
      graphql: async () => adminGraphqlClient(admin),
    };
  } catch (error) {
    if (error instanceof Response && error.status === 401) {
      throw jsonError(
        401,
        [{ path: "Authorization", message: "the session token is invalid or expired" }],
        undefined,
        error.headers,
      );
    }
    throw error;
  }
}

/** A JSON body, or a 422 that says it is not one. */
export async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw jsonError(422, [{ path: "body", message: "the body must be JSON" }]);
  }
}
