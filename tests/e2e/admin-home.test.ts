// End to end in Chromium, inside the emulator's admin frame: the admin home's reconciliation card
// ("Check now" finds an order whose webhook never came and credits it) and the setup guide's
// steps that act outside the app's pages (the theme editor's app embed, the pilot, going live).
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appEmbedDeepLink } from "~/domain/setup";
import { API_KEY, startApp, type TestApp } from "../support/app";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { customer, order, paid } from "../support/orders";

const SHOP = "home-checks.myshopify.com";
let app: TestApp;
let browser: Browser;
let adminUrl = "";

const currentLaunch = async () => {
  const shop = await app.db.shop.findUniqueOrThrow({ where: { id: SHOP } });
  const version = await app.db.programVersion.findUniqueOrThrow({
    where: { shopId_version: { shopId: SHOP, version: shop.programVersion } },
  });
  return { state: version.launchState, pilotTag: version.pilotTag };
};

beforeAll(async () => {
  app = await startApp("sqlite");
  const shop = app.emulator.addShop(SHOP, "Home Checks", "USD");
  for (const [id, tags] of [
    [4101, "vip"],
    [4102, "vip, wholesale"],
    [4103, ""],
  ] as const)
    shop.customers.set(id, customer(id, { tags }));
  expect((await app.emulator.install(SHOP)).status).toBe(200);
  // One order arrives as a webhook; the second one's webhook never comes.
  const arrived = order(5_000, customer(4101));
  app.emulator.recordOrder(SHOP, arrived);
  expect((await app.emulator.sendWebhook(SHOP, paid(arrived).topic, paid(arrived).payload)).status).toBe(200);
  await app.settled();
  app.emulator.recordOrder(SHOP, order(12_345, customer(4101)));
  adminUrl = `${app.emulator.url}/store/${SHOP.replace(".myshopify.com", "")}/apps/loyalty`;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function home(width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, userAgent: DESKTOP_UA });
  const app = await openAdmin(page, adminUrl);
  await app.getByRole("heading", { name: "Set up your club" }).waitFor({ timeout: 20_000 });
  return page;
}

describe("the admin home", () => {
  it("checks orders with Shopify on demand and says what was missed", async () => {
    const page = await home();
    const frame = page.frameLocator("iframe#app");
    const summary = frame.locator("#reconciliation-summary");
    expect(await summary.textContent()).toBe("Not checked yet.");
    const member = () => app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: "4101" } } });
    expect((await member()).available).toBe(50);

    await frame.getByRole("button", { name: "Check now" }).click();
    await expect
      .poll(() => page.locator("#toast").textContent(), { timeout: 15_000 })
      .toBe("2 orders checked: 1 missed order credited");
    await expect
      .poll(() => summary.textContent(), { timeout: 15_000 })
      .toMatch(/^1 order was missed and credited on \w{3} \d{1,2}, \d{4} \(123 points\)\.$/);
    expect((await member()).available).toBe(173);
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-home-reconciliation.png") });

    // A second check finds nothing more, and says so.
    await frame.getByRole("button", { name: "Check now" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("2 orders checked: nothing missed");
    await expect.poll(() => summary.textContent()).toMatch(/^2 orders checked with Shopify on .*: nothing was missed\.$/);
    expect((await member()).available).toBe(173);
    await page.close();
  });

  it("opens the theme editor with the launcher's app embed switched on, in the admin's window", async () => {
    const page = await home();
    const frame = page.frameLocator("iframe#app");
    await frame.getByRole("button", { name: /^Switch on the storefront launcher/ }).click();
    // Where the checkout blocks go, and which of them need Shopify Plus.
    await frame.getByText(/information, shipping and payment steps need Shopify Plus/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-setup-embed-step.png") });
    await frame.getByRole("button", { name: "Open theme editor" }).click();
    // The link is Shopify's app embed deep link, opened by App Bridge in the top window.
    await page.waitForURL(/\/themes\/current\/editor\?/);
    const opened = new URL(page.url());
    const expected = new URL(appEmbedDeepLink(SHOP, API_KEY));
    expect(opened.search).toBe(expected.search);
    expect(Object.fromEntries(opened.searchParams)).toEqual({
      context: "apps",
      template: "index",
      activateAppId: `${API_KEY}/launcher`,
    });
    expect(await page.locator("#activated-embed").textContent()).toBe("Loyalty launcher");
    expect(app.emulator.shop(SHOP).embedActivations).toEqual([`${API_KEY}/launcher`]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-theme-editor.png") });

    // Back in the app, the merchant marks the step done.
    await page.goBack();
    await frame.getByRole("button", { name: /^Switch on the storefront launcher/ }).click();
    await frame.getByRole("button", { name: "Mark as done" }).click();
    await expect.poll(() => frame.locator("#setup-embed").getByText("Done", { exact: true }).count()).toBe(1);
    await page.close();
  });

  it("starts a pilot with a customer tag, then goes live, from the guide", async () => {
    const page = await home(390);
    const frame = page.frameLocator("iframe#app");
    await frame.getByRole("button", { name: /^Try it with your best customers first/ }).click();
    // Without a tag, the pilot is refused beside the field and nothing changes.
    await frame.getByRole("button", { name: "Start pilot" }).click();
    await frame.getByText("Choose the customer tag of the customers who try the club first.").waitFor();
    expect((await currentLaunch()).state).toBe("live");
    // The tags the shop's customers carry are offered; the field submits with Enter.
    await frame.getByRole("button", { name: "Use the tag vip" }).click();
    expect(await frame.getByLabel("Customer tag").inputValue()).toBe("vip");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-home-pilot-phone.png"), fullPage: true });
    await frame.getByLabel("Customer tag").press("Enter");
    await expect
      .poll(() => page.locator("#toast").textContent(), { timeout: 15_000 })
      .toBe("Pilot started for customers tagged “vip”");
    expect(await currentLaunch()).toEqual({ state: "pilot", pilotTag: "vip" });
    // The pilot is open to the tagged customer only.
    const me = async (id: number) => (await (await app.emulator.proxy(SHOP, "/me", { customerId: String(id) })).json()).club;
    expect(await me(4103)).toBe("closed");
    expect(await me(4102)).not.toBe("closed");

    await frame.getByRole("button", { name: /^Go live/ }).click();
    await frame.getByRole("button", { name: "Go live", exact: true }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("The club is live for everyone");
    expect(await currentLaunch()).toEqual({ state: "live", pilotTag: "vip" });
    await expect.poll(() => frame.locator("#setup-launch").getByText("Done", { exact: true }).count()).toBe(1);
    // (the storefront's program cache catches up within 5 s)
    await expect.poll(() => me(4103), { timeout: 10_000, interval: 500 }).not.toBe("closed");
    await page.close();
  });
});
