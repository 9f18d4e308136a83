// JSON answers with stable error codes for machine clients (app proxy, checkout).
export function jsonError(status: number, error: string, message: string, headers?: HeadersInit): Response {
  return Response.json({ error, message }, { status, headers });
}

/** Runs an authenticator from @shopify/shopify-app-remix; its thrown Responses become the answer. */
export async function authenticated<T>(run: () => Promise<T>): Promise<T | Response> {
  try {
    return await run();
  } catch (thrown) {
    if (thrown instanceof Response) {
      // The library answers bad signatures with an empty body; give clients a stable code.
      if (thrown.status === 400 || thrown.status === 401) {
        return jsonError(thrown.status, "invalid_signature", "the request signature is missing or invalid");
      }
      return thrown;
    }
    throw thrown;
  }
}

/**
 * Adds origins to the frame-ancestors directive the Shopify library set, for admin frames other
 * than Shopify's own (the offline store emulator): FRAME_ANCESTORS_EXTRA="http://127.0.0.1:3100".
 */
export function extendFrameAncestors(headers: Headers, extra: string | undefined): void {
  const csp = headers.get("Content-Security-Policy");
  if (!extra || !csp) return;
  headers.set(
    "Content-Security-Policy",
    csp.replace(/frame-ancestors ([^;]*)/, (_, list: string) => `frame-ancestors ${list} ${extra}`),
  );
}

/** An app-proxy request, verified: the shop and the logged-in customer (null when logged out). */
export async function proxyRequest(request: Request, authenticate: (r: Request) => Promise<{ session?: unknown }>) {
  const auth = await authenticated(() => authenticate(request));
  if (auth instanceof Response) return auth;
  const url = new URL(request.url);
  return {
    shop: url.searchParams.get("shop")!,
    customerId: url.searchParams.get("logged_in_customer_id") || null,
    // Uninstalling deletes the shop's sessions, so no session means not installed.
    installed: Boolean(auth.session),
  };
}

/** The JSON body of a request, or null when it is not a JSON object. */
export async function jsonBody(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const body = await request.json();
    return typeof body === "object" && body !== null && !Array.isArray(body) ? body : null;
  } catch {
    return null;
  }
}
