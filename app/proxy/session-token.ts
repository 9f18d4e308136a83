// The session token a checkout or customer-account UI extension sends (contract §5): an HS256 JWT
// signed with the API secret, verified as @shopify/shopify-api's decodeSessionToken does
// (HS256 only, exp and nbf with 10 s of clock tolerance) and, unlike authenticate.public.checkout
// (which skips it), with the audience checked: a token minted for another app is refused.
// tests/session-token.test.ts checks the decisions against the library. An empty secret verifies nothing.
import { createHmac, timingSafeEqual } from "node:crypto";

const CLOCK_TOLERANCE_SECONDS = 10;
const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/(\d{1,20})$/;
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/;

export interface ExtensionIdentity {
  shop: string;
  /** the numeric customer id from `sub`, or null for a buyer who is not logged in */
  customerId: string | null;
}

export type TokenVerdict = ({ valid: true } & ExtensionIdentity) | { valid: false; reason: string };

function json(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `dest` is the shop's domain; Shopify writes it without a scheme in these tokens, with one in admin tokens. */
function shopOf(dest: unknown): string | null {
  if (typeof dest !== "string") return null;
  const host = dest.replace(/^https:\/\//, "").toLowerCase();
  return SHOP_DOMAIN.test(host) ? host : null;
}

export function verifySessionToken(
  token: string,
  { apiKey, secret }: { apiKey: string; secret: string },
  nowSeconds = Date.now() / 1000,
): TokenVerdict {
  if (!secret || !apiKey) return { valid: false, reason: "no credentials configured" };
  const parts = token.split(".");
  if (parts.length !== 3) return { valid: false, reason: "not a JWT" };
  const [head, body, signature] = parts as [string, string, string];
  const header = json(head);
  if (header?.alg !== "HS256") return { valid: false, reason: "algorithm is not HS256" };
  const expected = createHmac("sha256", secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { valid: false, reason: "signature does not match" };
  }
  const claims = json(body);
  if (!claims) return { valid: false, reason: "payload is not a JSON object" };
  if (typeof claims.exp !== "number" || claims.exp <= nowSeconds - CLOCK_TOLERANCE_SECONDS) {
    return { valid: false, reason: "expired" };
  }
  if (typeof claims.nbf === "number" && claims.nbf > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
    return { valid: false, reason: "not yet valid" };
  }
  if (claims.aud !== apiKey) return { valid: false, reason: "issued for another app" };
  const shop = shopOf(claims.dest);
  if (!shop) return { valid: false, reason: "no shop in dest" };
  if (claims.sub === undefined) return { valid: true, shop, customerId: null };
  const customer = typeof claims.sub === "string" ? CUSTOMER_GID.exec(claims.sub) : null;
  if (!customer) return { valid: false, reason: "sub is not a customer" };
  return { valid: true, shop, customerId: customer[1]! };
}
