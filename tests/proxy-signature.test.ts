// Our app-proxy signature check decides exactly as @shopify/shopify-api's validateHmac does.
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { verifyAppProxySignature } from "~/proxy/signature";
import { appProxySignature, signedProxyQuery } from "./emulator/signing.ts";

const SECRET = "proxy-secret";
const api = shopifyApi({
  apiKey: "k",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October26,
  hostName: "app.example.com",
  isEmbeddedApp: true,
  logger: { level: 0 },
});

async function library(params: URLSearchParams): Promise<boolean> {
  try {
    return await api.utils.validateHmac(params as unknown as Record<string, string>, { signator: "appProxy" });
  } catch {
    return false;
  }
}

const now = Math.trunc(Date.now() / 1000);
const cases: Array<[string, URLSearchParams]> = [];
const valid = signedProxyQuery("a.myshopify.com", "7001", SECRET);
cases.push(["valid", valid]);
cases.push(["logged out", signedProxyQuery("a.myshopify.com", null, SECRET)]);
cases.push([
  "with storefront parameters",
  signedProxyQuery("a.myshopify.com", "7001", SECRET, { code: "ABCD1234", z_last: "1", A_upper: "x" }),
]);
const tampered = new URLSearchParams(valid);
tampered.set("logged_in_customer_id", "7002");
cases.push(["tampered customer", tampered]);
cases.push(["stale", signedProxyQuery("a.myshopify.com", "7001", SECRET, {}, now - 91)]);
cases.push(["from the future", signedProxyQuery("a.myshopify.com", "7001", SECRET, {}, now + 120)]);
cases.push(["wrong secret", signedProxyQuery("a.myshopify.com", "7001", "other")]);
const noSignature = new URLSearchParams(valid);
noSignature.delete("signature");
cases.push(["no signature", noSignature]);
const twoShops = new URLSearchParams(valid);
twoShops.append("shop", "b.myshopify.com");
cases.push(["shop twice", twoShops]);
// Repeated ordinary parameters are joined with "," before signing.
const repeated: Record<string, string | string[]> = {
  shop: "a.myshopify.com",
  logged_in_customer_id: "1",
  path_prefix: "/apps/loyalty",
  timestamp: String(now),
  ids: ["1", "2"],
};
const repeatedQuery = new URLSearchParams([
  ["shop", "a.myshopify.com"],
  ["logged_in_customer_id", "1"],
  ["path_prefix", "/apps/loyalty"],
  ["timestamp", String(now)],
  ["ids", "1"],
  ["ids", "2"],
  ["signature", appProxySignature(repeated, SECRET)],
]);
cases.push(["repeated parameter", repeatedQuery]);

describe("verifyAppProxySignature", () => {
  it("refuses every signature when the secret is empty (one anyone could compute)", () => {
    const signedWithEmptyKey = signedProxyQuery("a.myshopify.com", "7001", "");
    expect(verifyAppProxySignature(signedWithEmptyKey, "").valid).toBe(false);
    expect(verifyAppProxySignature(valid, "").valid).toBe(false);
  });

  it.each(cases)("agrees with Shopify's library: %s", async (_name, params) => {
    expect(verifyAppProxySignature(params, SECRET).valid).toBe(await library(params));
  });

  it("accepts what the emulator signs and refuses the rest", () => {
    expect(cases.map(([name, p]) => [name, verifyAppProxySignature(p, SECRET).valid])).toEqual([
      ["valid", true],
      ["logged out", true],
      ["with storefront parameters", true],
      ["tampered customer", false],
      ["stale", false],
      ["from the future", false],
      ["wrong secret", false],
      ["no signature", false],
      ["shop twice", false],
      ["repeated parameter", true],
    ]);
  });
});
