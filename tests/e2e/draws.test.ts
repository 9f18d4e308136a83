// End to end in Chromium: the merchant's Draws page inside the emulator's admin frame, and a
// shopper entering a draw from the storefront launcher and seeing the result after the run, and a
// member entering from their customer account page.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminIdToken } from "../emulator/signing.ts";
import { Storefront } from "../emulator/storefront.ts";
import { API_KEY, API_SECRET, startApp, type TestApp } from "../support/app";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { customer, order, paid } from "../support/orders";

const SHOP = "draw-house.myshopify.com";
let app: TestApp;
let storefront: Storefront;
let browser: Browser;

const api = (p: string, body?: unknown) =>
  fetch(`${app.url}/app/api/draws${p}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET, "77001")}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  app = await startApp("sqlite");
  app.emulator.addShop(SHOP, "Draw House", "USD");
  expect((await app.emulator.install(SHOP)).status).toBe(200);
  await app.emulator.deliverAll(
    SHOP,
    [901, 902, 903].map((id) => paid(order(800 * 100, customer(id)))),
  );
  await app.settled();
  storefront = new Storefront(app.emulator, SHOP);
  await storefront.start();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await storefront?.stop();
  await app?.stop();
});

describe("seasonal draws in the browser", () => {
  it("a shopper enters from the launcher, the merchant runs it, the shopper sees the result", async () => {
    const prize = (await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP } })).id;
    const created = await api("", {
      name: "Winter giveaway",
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      pointsPerEntry: 100,
      maxEntriesPerCustomer: 3,
      winners: 1,
      prizeRewardId: prize,
    });
    const draw = await created.json();
    for (const id of [902, 903]) {
      await app.emulator.proxy(SHOP, `draws/${draw.id}/enter`, {
        customerId: String(id),
        method: "POST",
        body: { entries: 1, idempotencyKey: crypto.randomUUID() },
      });
    }

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${storefront.url}/account/login?customer=901&return_to=/`);
    await page.goto(`${storefront.url}/products/waxed-jacket`);
    await page.locator(".lc-launcher").click();
    const panel = page.locator(".lc-panel");
    const drawsSection = panel.locator("section[aria-label='Draws']");
    await drawsSection.waitFor();
    await drawsSection.getByRole("button", { name: "Enter for 100 points" }).click();
    await expect.poll(() => drawsSection.textContent()).toContain("Your entries: 1 of 3");
    await drawsSection.getByRole("button", { name: "Free entry" }).click();
    await expect.poll(() => drawsSection.textContent()).toContain("Your entries: 2 of 3");
    expect(await drawsSection.getByRole("button", { name: "Free entry" }).count()).toBe(0);
    const member = await app.db.member.findFirstOrThrow({ where: { shopId: SHOP, customerId: "901" } });
    expect(member.available).toBe(700);
    await drawsSection.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "launcher-draws-open.png") });

    // The merchant's page shows the entries as they came; the draw ends and is run.
    await app.db.draw.update({ where: { id: draw.id }, data: { endsAt: new Date(Date.now() - 1000) } });
    const admin = await browser.newPage({ viewport: { width: 1280, height: 1000 }, userAgent: DESKTOP_UA });
    admin.on("pageerror", (e) => errors.push(e.message));
    const frame = await openAdmin(admin, `${app.emulator.url}/store/${SHOP.replace(".myshopify.com", "")}/apps/loyalty/draws`);
    await frame.getByRole("heading", { name: "Winter giveaway" }).waitFor({ timeout: 20_000 });
    await expect.poll(() => frame.locator("table").last().textContent()).toContain("901");
    await frame.getByRole("button", { name: "Draw winners" }).click();
    await expect.poll(() => admin.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Draw run: winners drawn");
    await frame.getByText("Seed (revealed by the run)").waitFor();
    await admin.screenshot({ path: path.join(SCREENSHOTS, "admin-draws.png"), fullPage: true });
    const phone = await browser.newPage({ viewport: { width: 390, height: 900 }, userAgent: DESKTOP_UA });
    await phone.goto(`${app.emulator.url}/store/${SHOP.replace(".myshopify.com", "")}/apps/loyalty/draws`);
    await phone.frameLocator("iframe#app").getByText("Seed (revealed by the run)").waitFor({ timeout: 20_000 });
    await phone.screenshot({ path: path.join(SCREENSHOTS, "admin-draws-phone.png"), fullPage: true });

    // A new draw from the form (the schema the API uses): an error first, then created.
    await frame.getByRole("button", { name: "New draw" }).first().click();
    await frame.getByLabel("Name").fill("Spring draw");
    await frame.getByRole("button", { name: "Create draw" }).click();
    await frame.getByText("such as 2026-12-24").first().waitFor();
    await frame.getByLabel("Entries close").fill("2031-03-20T12:00");
    await admin.screenshot({ path: path.join(SCREENSHOTS, "admin-draws-new.png"), fullPage: true });
    await frame.getByRole("button", { name: "Create draw" }).click();
    await expect.poll(() => admin.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Draw created");
    expect(await app.db.draw.count({ where: { shopId: SHOP, name: "Spring draw", pointsPerEntry: 100, state: "open" } })).toBe(1);
    const run = await (await api(`/${draw.id}/run`, {})).json();
    const won = run.winners[0].customerId === "901";
    await page.reload();
    await page.locator(".lc-launcher").click();
    await drawsSection.waitFor();
    await expect.poll(() => drawsSection.textContent()).toContain(won ? "You won!" : "The winners are drawn.");
    expect(await drawsSection.getByRole("link", { name: "Check the draw" }).getAttribute("href")).toContain(
      `/draws/${draw.id}/proof`,
    );
    await drawsSection.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, "launcher-draws-drawn.png") });
    expect(errors).toEqual([]);
  });

  it("a member enters from their customer account: the free entry, then one for points", async () => {
    const created = await api("", {
      name: "Account giveaway",
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      pointsPerEntry: 100,
      maxEntriesPerCustomer: 2,
      winners: 1,
    });
    expect(created.status).toBe(201);
    const before = await app.db.member.findFirstOrThrow({ where: { shopId: SHOP, customerId: "902" } });
    for (const locale of ["en", "fa"]) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${storefront.url}/account/login?customer=902&return_to=/`);
      await page.goto(`${storefront.url}/?locale=${locale}`);
      await page.goto(`${storefront.url}/account/loyalty`);
      const account = page.frameLocator("#account-page");
      if (locale === "en") {
        await account.getByText("Account giveaway").waitFor({ timeout: 60_000 });
        // The innermost stack that names the draw is its line (the Spring draw is open too).
        const line = account.locator("s-stack").filter({ hasText: "Account giveaway" }).last();
        await line.getByText("Your entries: 0 of 2").waitFor();
        await line.getByRole("button", { name: "Free entry" }).click();
        await line.getByText("Your entries: 1 of 2").waitFor();
        await account.getByText("You are in the draw.").waitFor();
        expect(await line.getByRole("button", { name: "Free entry" }).count()).toBe(0);
        await line.getByRole("button", { name: "Enter for 100 points" }).click();
        await line.getByText("Your entries: 2 of 2").waitFor();
        // At the limit: no way in is offered any more.
        expect(await line.getByRole("button").count()).toBe(0);
      } else {
        await account.getByText("شانس‌های شما: ۲ از ۲").waitFor({ timeout: 60_000 });
      }
      await page.screenshot({ path: path.join(SCREENSHOTS, `account-draws-${locale}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
    const after = await app.db.member.findFirstOrThrow({ where: { shopId: SHOP, customerId: "902" } });
    expect(after.available).toBe(before.available - 100);
  }, 120_000);
});
