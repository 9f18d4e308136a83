// End to end in Chromium: the members-only lock on product pages of the emulated storefront, from
// rules saved through the admin API (published as the theme's app-data metafield).
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminIdToken } from "../emulator/signing.ts";
import { Storefront } from "../emulator/storefront.ts";
import { API_KEY, API_SECRET, startApp, type TestApp } from "../support/app";
import { launch, SCREENSHOTS } from "../support/browser";
import { customer, order, paid } from "../support/orders";

const SHOP = "vault-house.myshopify.com";
let app: TestApp;
let storefront: Storefront;
let browser: Browser;

beforeAll(async () => {
  app = await startApp("sqlite");
  const shop = app.emulator.addShop(SHOP, "Vault House", "USD");
  expect((await app.emulator.install(SHOP)).status).toBe(200);
  shop.customers.set(951, customer(951, { tags: "loyalty-tier:Silver" }));
  await app.emulator.deliverAll(SHOP, [paid(order(50_00, customer(952)))]); // 952: a member without a tier
  await app.settled();
  const silver = await app.db.tier.create({ data: { shopId: SHOP, name: "Silver", thresholdPoints: 1000 } });
  const gold = await app.db.tier.create({ data: { shopId: SHOP, name: "Gold", thresholdPoints: 2500 } });
  expect(silver.id).not.toBe(gold.id);
  const res = await fetch(`${app.url}/app/api/members-only`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET, "1")}`, "Content-Type": "application/json" },
    body: JSON.stringify({ rules: [{ tag: "members-only" }, { tag: "gold-only", minTierId: gold.id }] }),
  });
  expect((await res.json()).published).toBe(true);
  storefront = new Storefront(app.emulator, SHOP);
  storefront.productTags.set("waxed-jacket", ["members-only"]);
  storefront.productTags.set("thermal-mug", ["gold-only"]);
  await storefront.start();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await storefront?.stop();
  await app?.stop();
});

describe("the members-only lock", () => {
  it("shows a guest and a lower tier what it takes to buy, and lets a member buy", async () => {
    const errors: string[] = [];
    const visit = async (customerId: number | null, handle: string, width = 1280, locale = "en") => {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      page.on("pageerror", (e) => errors.push(e.message));
      if (customerId !== null) await page.goto(`${storefront.url}/account/login?customer=${customerId}&return_to=/`);
      await page.goto(`${storefront.url}/products/${handle}?locale=${locale}`);
      return page;
    };
    const guest = await visit(null, "waxed-jacket");
    expect(await guest.locator("[data-loyalty-lock]").textContent()).toContain(
      "Members only. Join the loyalty club to buy this.",
    );
    expect(await guest.locator('form[action="/cart/add"] button').isDisabled()).toBe(true);
    await guest.screenshot({ path: path.join(SCREENSHOTS, "members-only-guest.png") });
    const phone = await visit(null, "waxed-jacket", 390, "fa");
    expect(await phone.locator("[data-loyalty-lock]").textContent()).toContain("فقط برای اعضا");
    await phone.screenshot({ path: path.join(SCREENSHOTS, "members-only-guest-phone-fa.png") });

    const silver = await visit(951, "thermal-mug");
    expect(await silver.locator("[data-loyalty-lock]").textContent()).toContain("For Gold members. Reach Gold to buy this.");
    await silver.screenshot({ path: path.join(SCREENSHOTS, "members-only-silver.png") });
    // Silver is a member: the members-only jacket is open to them.
    expect(await (await visit(951, "waxed-jacket")).locator("[data-loyalty-lock]").count()).toBe(0);

    // A member without a tier tag: the app says they are enrolled, the lock goes.
    const member = await visit(952, "waxed-jacket");
    await member.locator("[data-loyalty-lock]").waitFor({ state: "detached" });
    expect(await member.locator('form[action="/cart/add"] button').isDisabled()).toBe(false);
    expect(errors).toEqual([]);
  });
});
