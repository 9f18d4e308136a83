// Our session-token check decides as @shopify/shopify-api's decodeSessionToken does (with the
// audience checked), so the extension API refuses and accepts what the library would.
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { verifySessionToken } from "~/proxy/session-token";
import { checkoutSessionToken, signJwt } from "./emulator/signing.ts";

const KEY = "api-key";
const SECRET = "session-secret";
const SHOP = "a.myshopify.com";
const api = shopifyApi({
  apiKey: KEY,
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October26,
  hostName: "app.example.com",
  isEmbeddedApp: true,
  logger: { level: 0 },
});

async function library(token: string): Promise<boolean> {
  try {
    await api.session.decodeSessionToken(token, { checkAudience: true });
    return true;
  } catch {
    return false;
  }
}

const now = Math.floor(Date.now() / 1000);
const claims = { iss: `https://${SHOP}/admin`, dest: SHOP, aud: KEY, sub: "gid://shopify/Customer/7", iat: now, exp: now + 300 };
const none = (payload: object) =>
  `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
const cases: Array<[string, string]> = [
  ["logged in", checkoutSessionToken(SHOP, KEY, SECRET, "7")],
  ["guest", checkoutSessionToken(SHOP, KEY, SECRET, null)],
  ["dest with a scheme", signJwt({ ...claims, dest: `https://${SHOP}` }, SECRET)],
  ["wrong secret", checkoutSessionToken(SHOP, KEY, "other", "7")],
  ["expired", signJwt({ ...claims, exp: now - 11 }, SECRET)],
  ["expired within tolerance", signJwt({ ...claims, exp: now - 5 }, SECRET)],
  ["not yet valid", signJwt({ ...claims, nbf: now + 60 }, SECRET)],
  ["another app", signJwt({ ...claims, aud: "other" }, SECRET)],
  ["alg none", none(claims)],
  ["truncated", checkoutSessionToken(SHOP, KEY, SECRET, "7").slice(0, -2)],
];

describe("session token check", () => {
  it.each(cases)("decides %s as the library does", async (_label, token) => {
    const ours = verifySessionToken(token, { apiKey: KEY, secret: SECRET });
    expect(ours.valid).toBe(await library(token));
  });

  it("takes the shop from dest and the customer from sub only", () => {
    expect(verifySessionToken(checkoutSessionToken(SHOP, KEY, SECRET, "7"), { apiKey: KEY, secret: SECRET })).toEqual({
      valid: true,
      shop: SHOP,
      customerId: "7",
    });
    expect(verifySessionToken(checkoutSessionToken(SHOP, KEY, SECRET, null), { apiKey: KEY, secret: SECRET })).toMatchObject({
      customerId: null,
    });
  });

  it("is stricter than the library where Shopify's tokens always say more", () => {
    // Shopify's tokens always expire and always name a shop and, when they name one, a customer GID.
    for (const token of [
      signJwt({ ...claims, exp: undefined }, SECRET),
      signJwt({ ...claims, dest: "not a domain" }, SECRET),
      signJwt({ ...claims, sub: "7" }, SECRET),
    ]) {
      expect(verifySessionToken(token, { apiKey: KEY, secret: SECRET }).valid).toBe(false);
    }
    expect(verifySessionToken(checkoutSessionToken(SHOP, KEY, SECRET, "7"), { apiKey: KEY, secret: "" }).valid).toBe(false);
  });
});
