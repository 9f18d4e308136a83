// Shopify's app-proxy signature, verified exactly as @shopify/shopify-api's validateHmac does for
// the "appProxy" signator: parameters other than `signature`, sorted by key (localeCompare),
// repeated keys joined with ",", concatenated as key=value with nothing between; hex HMAC-SHA256;
// the timestamp within 90 seconds. tests/proxy-signature.test.ts checks it against the library.
// An empty secret verifies nothing. Which repeated parameters the storefront API accepts is
// decided after this check, in handler.server.ts.
import { createHmac, timingSafeEqual } from "node:crypto";

const SINGLE_VALUE = new Set(["hmac", "shop", "signature", "timestamp"]);
const TOLERANCE_SECONDS = 90;

export type SignatureVerdict = { valid: true } | { valid: false; reason: string };

export function verifyAppProxySignature(
  params: URLSearchParams,
  secret: string,
  nowSeconds = Math.trunc(Date.now() / 1000),
): SignatureVerdict {
  // An empty key would make the signature something anyone can compute.
  if (!secret) return { valid: false, reason: "no secret configured" };
  const query = new Map<string, string>();
  for (const [key, value] of params) {
    const existing = query.get(key);
    if (existing === undefined) query.set(key, value);
    else if (SINGLE_VALUE.has(key)) return { valid: false, reason: `parameter ${key} appears more than once` };
    else query.set(key, `${existing},${value}`);
  }
  const signature = query.get("signature");
  if (!signature) return { valid: false, reason: "no signature" };
  const timestamp = Number(query.get("timestamp"));
  if (!Number.isInteger(timestamp)) return { valid: false, reason: "timestamp missing or invalid" };
  if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) return { valid: false, reason: "timestamp outside the tolerance" };
  query.delete("signature");
  query.delete("hmac");
  const message = [...query.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("");
  const expected = createHmac("sha256", secret).update(message).digest("hex");
  const given = Buffer.from(signature, "utf8");
  const wanted = Buffer.from(expected, "utf8");
  return given.length === wanted.length && timingSafeEqual(given, wanted)
    ? { valid: true }
    : { valid: false, reason: "signature does not match" };
}
