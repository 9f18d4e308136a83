// The developer API's common step (/api/v1): the bearer key, its shop, its access and its rate limit.
import db from "~/db.server";
import { checkApiKey } from "~/models/api-keys.server";

export const apiError = (status: number, error: string, message: string, headers?: HeadersInit) =>
  Response.json({ error, message }, { status, headers });

/** The key's shop and name; a missing, unknown or revoked key → 401, a read key on a write route → 403, too fast → 429. */
export async function developerApi(request: Request, access: "read" | "write") {
  const token = /^Bearer\s+(\S+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (!token) throw apiError(401, "unauthorized", "send an API key as Authorization: Bearer <key>");
  const checked = await checkApiKey(db, token);
  if (!checked.ok && checked.status === 429)
    throw apiError(429, "rate_limited", "more than 10 requests a second for this key", {
      "Retry-After": String(checked.retryAfter ?? 1),
    });
  if (!checked.ok) throw apiError(401, "unauthorized", "the API key is unknown or revoked");
  if (access === "write" && checked.key.access !== "write") throw apiError(403, "forbidden", "this key can only read");
  return { shop: checked.key.shopId, actor: checked.key.name };
}
