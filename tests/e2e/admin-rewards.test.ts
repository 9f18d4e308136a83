// End to end: `npm run demo`, then in real Chromium inside the emulator's admin frame, a tier with
// perks and a tier-only free product chosen through App Bridge's resource picker, with German
// texts; then the public program and a Silver shopper's launcher in German, where the reward is
// locked until Gold and Gold's perks are listed. Then the tiers reached by amount spent instead of
// points, set on the same page: a member's launcher and account page say how much more to spend.
import path from "node:path";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { startDemo, type Demo } from "../support/demo";

let demo: Demo;
let browser: Browser;
let adminUrl = "";
let programUrl = "";
let storefrontUrl = "";
let dbFile = "";

beforeAll(async () => {
  demo = await startDemo({ name: "e2e-rewards" });
  ({ adminUrl, programUrl, storefrontUrl, dbFile } = demo);
  browser = await launch();
}, 270_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe("tier-only rewards, translations, perks and the resource picker", () => {
  it("are set up in the admin and shown, locked and in German, in the storefront", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_UA });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // Gold's perks, in English and German.
    const app = await openAdmin(page, `${adminUrl}/tiers`);
    await app.getByRole("button", { name: "Edit Gold" }).click();
    await app.getByRole("button", { name: "Add perk" }).click();
    await app.getByLabel("Perk 1", { exact: true }).fill("Free shipping on every order");
    await app.getByRole("button", { name: "Add perk" }).click();
    await app.getByLabel("Perk 2", { exact: true }).fill("Early access to sales");
    await app.getByLabel("Language", { exact: true }).selectOption("de");
    await app.getByLabel("Perk 1 in German (de)").fill("Kostenloser Versand bei jeder Bestellung");
    await app.getByLabel("Perk 2 in German (de)").fill("Früher Zugang zum Sale");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-tier-perks.png") });
    await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Tiers saved");
    // At phone width, opened afresh: the form sits below the list.
    await page.setViewportSize({ width: 390, height: 844 });
    await openAdmin(page, `${adminUrl}/tiers`);
    await app.getByRole("button", { name: "Edit Gold" }).click();
    await app.getByRole("button", { name: "Add perk" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-tier-perks-phone.png") });
    await page.setViewportSize({ width: 1280, height: 900 });

    // A free product for Gold members and up, chosen in the picker the admin draws over the app.
    await openAdmin(page, `${adminUrl}/rewards`);
    await app.getByRole("button", { name: "Add reward" }).first().click();
    await app.getByLabel("Name", { exact: true }).fill("Gold member mug");
    await app.getByLabel("Type").selectOption("free_product");
    await app.getByLabel("Points", { exact: true }).fill("800");
    await app.getByRole("button", { name: "Choose product" }).click();
    const picker = page.locator("#picker");
    await picker.getByRole("heading", { name: "Select product" }).waitFor();
    await picker.getByLabel("Search").fill("mug");
    await expect.poll(() => picker.locator("li").count()).toBe(1);
    await picker.getByLabel("Thermal Mug").check();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-resource-picker.png") });
    await picker.getByRole("button", { name: "Select" }).click();
    await expect.poll(() => app.locator("#reward-product").textContent()).toBe("Thermal Mug");
    await expect.poll(() => app.locator('img[src$="/admin/product-image/8000010.svg"]').count()).toBe(1);
    await app.getByLabel("Who can redeem it").selectOption({ label: "Gold members and above" });
    await app.getByLabel("Language", { exact: true }).selectOption("de");
    await app.getByLabel("Name in German (de)").fill("Becher für Gold-Mitglieder");
    await app.getByLabel("Description in German (de) (optional)").fill("Ein Thermobecher, gratis zur nächsten Bestellung");
    // A language the shop added, checked by the document's schema.
    await app.getByLabel("Add a language").fill("Portuguese");
    await app.getByRole("button", { name: "Add", exact: true }).click();
    await app.getByText("Must be a locale such as en, de, fa or pt-BR.").waitFor();
    await app.getByLabel("Add a language").fill("pt-BR");
    await app.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => app.getByLabel("Language", { exact: true }).inputValue()).toBe("pt-BR");
    await app.getByLabel("Name in Brazilian Portuguese (pt-BR)").fill("Caneca Gold");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-reward-tier-only.png"), fullPage: true });
    await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Rewards saved");
    await app.getByText("Gold and above").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-rewards-tier-only.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await openAdmin(page, `${adminUrl}/rewards`);
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-rewards-tier-only-phone.png") });
    await app.getByRole("button", { name: "Edit Gold member mug" }).click();
    await app.getByLabel("Who can redeem it").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-reward-tier-only-phone.png") });
    expect(errors).toEqual([]);
    await page.close();

    // The public program: the reward kept for Gold, Gold's perks.
    const shown = await expect
      .poll(
        async () => {
          const program = await (await fetch(programUrl)).json();
          const mug = program.rewards.find((r: { name: string }) => r.name === "Gold member mug");
          const gold = program.tiers.find((t: { name: string }) => t.name === "Gold");
          return mug && { requiredTier: mug.requiredTier?.name, type: mug.type, perks: gold.perks };
        },
        { timeout: 15_000, interval: 500 },
      )
      .toEqual({
        requiredTier: "Gold",
        type: "free_product",
        perks: ["Free shipping on every order", "Early access to sales"],
      });
    void shown;
    const db = new Database(dbFile, { readonly: true });
    const reward = db
      .prepare(`SELECT "variantId", "minTierId", "translations" FROM "Reward" WHERE "name" = 'Gold member mug'`)
      .get() as {
      variantId: string;
      minTierId: string;
      translations: string;
    };
    const gold = db.prepare(`SELECT "id" FROM "Tier" WHERE "name" = 'Gold' AND "active" = 1`).get() as { id: string };
    expect(reward).toMatchObject({ variantId: "gid://shopify/ProductVariant/4000010", minTierId: gold.id });
    expect(JSON.parse(reward.translations)).toEqual({
      de: { name: "Becher für Gold-Mitglieder", description: "Ein Thermobecher, gratis zur nächsten Bestellung" },
      "pt-BR": { name: "Caneca Gold" },
    });
    // A Silver member with points enough: the mug is still locked for them.
    const silver = db
      .prepare(
        `SELECT "customerId" FROM "Member" WHERE "state" = 'active' AND "excludedAt" IS NULL AND "lifetimeEarned" BETWEEN 1000 AND 4999 AND "available" >= 800 ORDER BY "customerId" LIMIT 1`,
      )
      .get() as { customerId: string };
    db.close();

    const shopper = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await shopper.goto(`${storefrontUrl}/account/login?customer=${silver.customerId}&return_to=/`);
    await shopper.goto(`${storefrontUrl}/?locale=de`);
    await shopper.locator(".lc-launcher").click();
    const mug = shopper.locator(".lc-reward", { hasText: "Becher für Gold-Mitglieder" });
    // The storefront's program cache catches up within seconds.
    await expect
      .poll(
        async () => {
          if ((await mug.count()) === 0) {
            await shopper.reload();
            await shopper.locator(".lc-launcher").click();
          }
          return mug.count();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(1);
    expect(await mug.locator(".lc-locked").textContent()).toContain("Ab Stufe Gold freigeschaltet");
    expect(await mug.textContent()).toContain("Ein Thermobecher, gratis zur nächsten Bestellung");
    expect(await mug.getByRole("button").count()).toBe(0);
    const perks = shopper.locator(".lc-tier .lc-perks");
    await expect.poll(() => perks.textContent()).toContain("Vorteile der Stufe Gold");
    expect(await perks.locator("li").allTextContents()).toEqual([
      "Kostenloser Versand bei jeder Bestellung",
      "Früher Zugang zum Sale",
    ]);
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "storefront-tier-perks-de.png") });
    await mug.scrollIntoViewIfNeeded();
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "storefront-tier-locked-de.png") });
    await shopper.setViewportSize({ width: 390, height: 844 });
    await mug.scrollIntoViewIfNeeded();
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "storefront-tier-locked-de-phone.png") });
    // The customer account page (the account extension) says the same, in German.
    await shopper.setViewportSize({ width: 1280, height: 900 });
    await shopper.goto(`${storefrontUrl}/account/loyalty`);
    const account = shopper.frameLocator("#account-page");
    await account.getByText("Becher für Gold-Mitglieder").waitFor({ timeout: 60_000 });
    await account.getByText("Ein Thermobecher, gratis zur nächsten Bestellung").waitFor();
    // (the merchant's names sit between direction isolates)
    await account.getByText(/^Ab Stufe \u2068Gold\u2069 freigeschaltet$/).waitFor();
    await account.getByText("Vorteile der Stufe \u2068Gold\u2069").waitFor();
    await account.getByText("Früher Zugang zum Sale").waitFor();
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "account-tier-locked-de.png"), fullPage: true });
    await shopper.close();
  });
});

describe("tiers reached by amount spent", () => {
  it("are set on the tiers page, and the storefront and account say how much more to spend", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_UA });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const app = await openAdmin(page, `${adminUrl}/tiers`);
    await app.getByLabel("Reached by").selectOption("spend");
    // Each tier's threshold is now an amount (the points thresholds are kept for switching back).
    for (const [tier, amount] of [
      ["Silver", "100"],
      ["Gold", "500"],
      ["Platinum", "2000"],
    ] as const) {
      await app.getByRole("button", { name: `Edit ${tier}` }).click();
      await app.getByLabel("From amount spent in total (USD)").fill(amount);
    }
    await expect.poll(() => app.locator("table").textContent()).toContain("500.00 USD");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-tiers-by-spend.png") });
    await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Tiers saved");
    await page.setViewportSize({ width: 390, height: 844 });
    await openAdmin(page, `${adminUrl}/tiers`);
    await app.getByText("How members reach a tier").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-tiers-by-spend-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();

    // Every member's spend is computed after the save's answer.
    const db = new Database(dbFile, { readonly: true });
    const pending = () =>
      (db.prepare(`SELECT COUNT(*) AS "n" FROM "Member" WHERE "tierValueDropsAt" IS NOT NULL`).get() as { n: number }).n;
    await expect.poll(pending, { timeout: 30_000, interval: 500 }).toBe(0);
    // A Silver member by spend ($100 to $499.99), with enough orders to check by hand.
    const silver = db
      .prepare(
        `SELECT "m"."customerId", "m"."tierValue",
           (SELECT SUM("o"."subtotalMinor" - "o"."refundedMinor") FROM "OrderFact" "o" WHERE "o"."shopId" = "m"."shopId"
              AND "o"."customerId" = "m"."customerId" AND "o"."paid" AND NOT "o"."cancelled" AND NOT "o"."test") AS "spent"
         FROM "Member" "m" WHERE "m"."state" = 'active' AND "m"."excludedAt" IS NULL AND "m"."tierValue" BETWEEN 10000 AND 49999
         ORDER BY "m"."customerId" LIMIT 1`,
      )
      .get() as { customerId: string; tierValue: number; spent: number };
    db.close();
    expect(silver.tierValue).toBe(silver.spent);
    const left = (50_000 - silver.tierValue) / 100;
    const amount = new Intl.NumberFormat("en", {
      style: "currency",
      currency: "USD",
      minimumFractionDigits: Number.isInteger(left) ? 0 : 2,
    }).format(left);

    const shopper = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await shopper.goto(`${storefrontUrl}/account/login?customer=${silver.customerId}&return_to=/`);
    await shopper.goto(`${storefrontUrl}/`);
    await shopper.locator(".lc-launcher").click();
    const tierBox = shopper.locator(".lc-tier");
    // The storefront's program cache catches up within seconds.
    await expect
      .poll(
        async () => {
          const text = (await tierBox.count()) ? await tierBox.textContent() : "";
          if (!text?.includes("more to reach")) {
            await shopper.reload();
            await shopper.locator(".lc-launcher").click();
          }
          return (await tierBox.count()) ? await tierBox.textContent() : "";
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toContain(`Spend ${amount} more to reach Gold`);
    expect(await tierBox.textContent()).toContain("Tier: Silver");
    expect(await tierBox.locator("progress").evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([
      silver.tierValue,
      50_000,
    ]);
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "storefront-tier-by-spend.png") });
    await shopper.goto(`${storefrontUrl}/account/loyalty`);
    const account = shopper.frameLocator("#account-page");
    await account.getByText(`Spend ${amount} more to reach \u2068Gold\u2069`).waitFor({ timeout: 60_000 });
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "account-tier-by-spend.png"), fullPage: true });
    await shopper.close();
  });
});
