// Signatures exactly as Shopify makes them: webhook HMAC, app-proxy signature, and the HS256
// JWTs used as admin id tokens and checkout/customer-account session tokens.
import { createHmac, randomUUID } from "node:crypto";

export function webhookHmac(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** App proxy: hex HMAC-SHA256 of the sorted `key=value` pairs (arrays joined by ","), concatenated. */
export function appProxySignature(params: Record<string, string | string[]>, secret: string): string {
  const message = Object.keys(params)
    .filter((k) => k !== "signature")
    .sort((a, b) => a.localeCompare(b))
    .map((k) => `${k}=${Array.isArray(params[k]) ? (params[k] as string[]).join(",") : params[k]}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

export function signedProxyQuery(
  shop: string,
  customerId: string | null,
  secret: string,
  extra: Record<string, string> = {},
  timestamp = Math.floor(Date.now() / 1000),
): URLSearchParams {
  const params: Record<string, string> = {
    shop,
    logged_in_customer_id: customerId ?? "",
    path_prefix: "/apps/loyalty",
    timestamp: String(timestamp),
    ...extra,
  };
  return new URLSearchParams({ ...params, signature: appProxySignature(params, secret) });
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

export function verifyJwt(token: string, secret: string): Record<string, unknown> | null {
  const [head, body, sig] = token.split(".");
  if (!head || !body || !sig) return null;
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  if (expected !== sig) return null;
  const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
  if (typeof payload.exp === "number" && payload.exp * 1000 < Date.now()) return null;
  return payload;
}

/** The id token the admin gives an embedded app (also what token exchange takes). */
export function adminIdToken(shop: string, apiKey: string, secret: string, userId = "9001", ttlSeconds = 60): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    {
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: apiKey,
      sub: userId,
      exp: now + ttlSeconds,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      sid: randomUUID(),
    },
    secret,
  );
}

/**
 * A checkout / customer-account session token: `dest` is the shop's domain without a scheme (as
 * Shopify writes it in these tokens), `sub` the customer's GID when the buyer is logged in.
 */
export function checkoutSessionToken(
  shop: string,
  apiKey: string,
  secret: string,
  customerId: string | null,
  ttlSeconds = 300,
): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    {
      iss: `https://${shop}/admin`,
      dest: shop,
      aud: apiKey,
      ...(customerId ? { sub: `gid://shopify/Customer/${customerId}` } : {}),
      exp: now + ttlSeconds,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
    },
    secret,
  );
}

export function adminHost(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
}
