// End to end in Chromium: the checkout, thank-you and customer-account UI extensions as
// `shopify app build` bundles them, hosted by the emulated storefront's checkout, thank-you and
// account pages (a stand-in `shopify` global in a frame per target, session tokens signed as
// Shopify signs them), against the production app server.
import path from "node:path";
import type { Browser, FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderPayload } from "../emulator/payloads.ts";
import { BROWSER_UA } from "../emulator/server.ts";
import { adminIdToken } from "../emulator/signing.ts";
import { Storefront } from "../emulator/storefront.ts";
import { API_KEY, API_SECRET, startApp, type TestApp } from "../support/app";
import { launch, SCREENSHOTS } from "../support/browser";
import { contrastFailures } from "../support/contrast";
import { customer, order } from "../support/orders";

const SHOP = "checkout-outfitters.myshopify.com";
/** A merchant's name as the extensions write it: direction-isolated (FSI … PDI). */
const iso = (name: string) => `\u2068${name}\u2069`;
/** The storefront's page colour, what a frame's transparent background shows. */
const PAPER = [250, 248, 243];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
let app: TestApp;
let storefront: Storefront;
let browser: Browser;

const member = (id: number) =>
  app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } });

beforeAll(async () => {
  app = await startApp("sqlite");
  app.emulator.addShop(SHOP, "Checkout Outfitters", "USD");
  expect((await app.emulator.install(SHOP)).status).toBe(200);
  // Customers of their own per test: 901–906 with 1,200 points each, 911 with 300.
  for (const [id, units] of [
    [901, 1200],
    [902, 1200],
    [903, 1200],
    [904, 1200],
    [905, 1200],
    [906, 1200],
    [911, 300],
  ] as const) {
    await app.emulator.sendWebhook(
      SHOP,
      "orders/paid",
      orderPayload(order(units * 100, customer(id, { email: `c${id}@example.com` }))),
    );
  }
  await app.settled();
  await app.db.tier.createMany({
    data: [
      { shopId: SHOP, name: "Silver", thresholdPoints: 1_000 },
      { shopId: SHOP, name: "Gold", thresholdPoints: 2_500, earnMultiplierPct: 125 },
    ],
  });
  await app.db.reward.create({
    data: {
      shopId: SHOP,
      name: "10% off, up to $25",
      type: "percentage",
      pointsCost: 1000,
      percent: 10,
      maxDiscountMinor: 2500,
      minimumSubtotalMinor: 5000,
      position: 1,
    },
  });
  storefront = new Storefront(app.emulator, SHOP);
  await storefront.start();
  browser = await launch();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await storefront?.stop();
  await app?.stop();
});

async function shopper(customerId: number | null, { viewport = DESKTOP, locale = "en" } = {}) {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A failed request is reported with its address (the console only says that one failed).
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text());
  });
  if (customerId !== null) await page.goto(`${storefront.url}/account/login?customer=${customerId}&return_to=/`);
  await page.goto(`${storefront.url}/?locale=${locale}`);
  return { page, errors };
}

async function toCheckout(page: Page, product = "merino-beanie") {
  await page.goto(`${storefront.url}/products/${product}`);
  await page.locator("form[action='/cart/add'] button").click();
  await page.locator("form[action='/checkout'] button").click();
  return page.frameLocator("#checkout-reductions");
}

const calls = (page: Page, frameId: string) =>
  page
    .locator(`#${frameId}`)
    .evaluate(
      (f: HTMLIFrameElement) => (f.contentWindow as unknown as { __calls: Array<{ name: string; args: unknown }> }).__calls,
    );

async function rendered(frame: FrameLocator, text: string | RegExp) {
  await frame.getByText(text).first().waitFor({ timeout: 60_000 });
}

describe("checkout", () => {
  it("shows a member's balance and rewards, redeems in one click, applies the code; the paid order earns and the thank-you page says so", async () => {
    const { page, errors } = await shopper(901);
    const frame = await toCheckout(page);
    await rendered(frame, "You have 1,200 points");
    expect(await frame.getByText("This order earns 32 points").count()).toBe(1);
    // The 10% reward is affordable but its $50 minimum is above this $32 cart: it says why, no button.
    expect(await frame.getByText("For orders from $50.00").count()).toBe(1);
    expect(await frame.getByRole("button", { name: "Redeem" }).count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "checkout-en-desktop.png"), fullPage: true });
    const checkoutFrame = page.frame({ url: /target=purchase\.checkout/ })!;
    expect(await checkoutFrame.evaluate(contrastFailures, { selector: "body *", behind: PAPER })).toEqual([]);

    await frame.getByRole("button", { name: "Redeem" }).click();
    await rendered(frame, /^Code LC-.* is applied to this order\.$/);
    const applied = (await calls(page, "checkout-reductions")).filter((c) => c.name === "applyDiscountCodeChange");
    expect(applied).toEqual([
      { name: "applyDiscountCodeChange", args: { type: "addDiscountCode", code: expect.stringMatching(/^LC-/) } },
    ]);
    const code = (applied[0]!.args as { code: string }).code;
    await page.locator(`[data-checkout-discount="${code}"][data-applied="true"]`).waitFor();
    expect(await page.locator("[data-checkout-total]").textContent()).toBe("27.00");
    await rendered(frame, "You have 700 points");
    // The code takes $5 off the order: the estimate follows, as the order will earn.
    await rendered(frame, "This order earns 27 points");
    // Every call to the app carried a session token, and went to the checkout API.
    const fetched = (await calls(page, "checkout-reductions"))
      .filter((c) => c.name === "fetch")
      .map((c) => (c.args as { path: string }).path);
    expect(fetched).toEqual([
      "/api/checkout/me?locale=en&subtotal=32.00&currency=USD",
      "/api/checkout/redeem",
      "/api/checkout/me?locale=en&subtotal=27.00&currency=USD",
    ]);
    expect((await calls(page, "checkout-reductions")).filter((c) => c.name === "sessionToken.get")).toHaveLength(3);

    await page.getByRole("button", { name: "Pay now" }).click();
    await page.locator("[data-thank-you]").waitFor();
    await app.settled();
    const thanks = page.frameLocator("#thank-you-block");
    await page.reload(); // as a shopper would, once payment is confirmed: the order's points are in
    await rendered(thanks, "This order earned you 27 points.");
    await rendered(thanks, "Your balance: 727 points");
    expect(await thanks.getByText(`Your tier: ${iso("Silver")}`).count()).toBe(1);
    expect(await thanks.getByText(`1,273 points to ${iso("Gold")}`).count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "thank-you-en-desktop.png"), fullPage: true });
    const thanksFrame = page.frame({ url: /target=purchase\.thank-you/ })!;
    expect(await thanksFrame.evaluate(contrastFailures, { selector: "body *", behind: PAPER })).toEqual([]);
    // An answer that cannot be sent is not thanked for: the question stays, with a line saying so.
    await page.route("**/api/checkout/survey", (route) => route.fulfill({ status: 503, body: "{}" }), { times: 1 });
    await thanks.getByRole("button", { name: "Score 9" }).click();
    await rendered(thanks, "Your answer could not be sent. Please try again.");
    expect(await thanks.getByText("Thank you for your answer.").count()).toBe(0);
    const placed = storefront.orders.at(-1)!;
    expect(
      await app.db.surveyAnswer.findUnique({ where: { shopId_orderId: { shopId: SHOP, orderId: String(placed.id) } } }),
    ).toBeNull();
    await thanks.getByRole("button", { name: "Score 9" }).click();
    await rendered(thanks, "Thank you for your answer.");
    expect(
      await app.db.surveyAnswer.findUniqueOrThrow({ where: { shopId_orderId: { shopId: SHOP, orderId: String(placed.id) } } }),
    ).toMatchObject({
      customerId: "901",
      score: 9,
    });
    await page.reload();
    await rendered(thanks, "Thank you for your answer."); // asked once per order
    expect(await app.db.redemption.findFirstOrThrow({ where: { shopId: SHOP, code } })).toMatchObject({
      status: "used",
      orderId: String(placed.id),
    });
    expect(await member(901)).toMatchObject({ available: 727 });
    expect(errors).toEqual([expect.stringMatching(/^503 .*\/api\/checkout\/survey$/)]); // the one failed on purpose
    await page.close();
  }, 120_000);

  it("keeps a code the checkout does not let it apply in the account, to copy later", async () => {
    storefront.discountCodesEditable = false;
    try {
      const { page, errors } = await shopper(908);
      await app.emulator.sendWebhook(SHOP, "orders/paid", orderPayload(order(60_000, customer(908))));
      await app.settled();
      const frame = await toCheckout(page);
      await frame.getByRole("button", { name: "Redeem" }).click();
      await rendered(frame, /^Your code LC-.* is saved in your account\. Enter it in the discount field\.$/);
      expect((await calls(page, "checkout-reductions")).some((c) => c.name === "applyDiscountCodeChange")).toBe(false);
      const code = (await app.db.redemption.findFirstOrThrow({ where: { shopId: SHOP, memberId: (await member(908)).id } })).code;
      await page.goto(`${storefront.url}/account/loyalty`);
      await page.frameLocator("#account-page").getByText(code, { exact: true }).waitFor({ timeout: 60_000 });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      storefront.discountCodesEditable = true;
    }
  }, 120_000);

  it("tells a member how many points a reward still needs", async () => {
    const { page, errors } = await shopper(911);
    const frame = await toCheckout(page);
    await rendered(frame, "You have 300 points");
    expect(await frame.getByText("200 more points needed").count()).toBe(1);
    expect(await frame.getByRole("button").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows a guest what the order would earn and invites them to log in", async () => {
    const { page, errors } = await shopper(null);
    const frame = await toCheckout(page, "waxed-jacket");
    await rendered(frame, "This order could earn 189 loyalty points");
    expect(await frame.getByText("Log in to earn them and to spend the points you have.").count()).toBe(1);
    const fetched = (await calls(page, "checkout-reductions")).filter((c) => c.name === "fetch");
    expect(fetched).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows nothing, and no error, when the app cannot be reached", async () => {
    const { page, errors } = await shopper(902);
    await page.route(`${app.url}/**`, (route) => route.abort("connectionrefused"));
    const frame = await toCheckout(page);
    await expect.poll(async () => (await calls(page, "checkout-reductions")).some((c) => c.name === "fetch")).toBe(true);
    // The failed request has settled once the frame reports its (empty) height after it.
    await expect.poll(() => frame.locator("body").evaluate((b: HTMLElement) => b.innerText.trim())).toBe("");
    expect(await page.locator("#checkout-reductions").evaluate((f) => f.getBoundingClientRect().height)).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe("customer account", () => {
  it("shows balances, tier, rewards, unused codes to copy, dated history and the referral link", async () => {
    const { page, errors } = await shopper(903);
    await page.goto(`${storefront.url}/account/orders`);
    const block = page.frameLocator("#order-index-block");
    await rendered(block, `You have 1,200 loyalty points · ${iso("Silver")}`);
    await Promise.all([
      page.waitForURL(`${storefront.url}/account/loyalty`),
      block.getByRole("link", { name: "Rewards and history" }).click(),
    ]);
    const account = page.frameLocator("#account-page");
    await rendered(account, `Your tier: ${iso("Silver")}`);
    expect(await account.getByText(`1,300 points to ${iso("Gold")}`).count()).toBe(1);
    expect(await account.getByText("No unused codes. Redeem a reward to get one.").count()).toBe(1);
    expect(await account.getByText("Order #").count()).toBe(1);
    await account.getByRole("button", { name: "Redeem" }).first().click();
    await rendered(account, /^Your code LC-.* is ready: use it at checkout\.$/);
    const code = (await app.db.redemption.findFirstOrThrow({ where: { shopId: SHOP, memberId: (await member(903)).id } })).code;
    await account.getByText(code, { exact: true }).waitFor();
    await account.getByRole("button", { name: "Copy" }).first().click();
    expect(
      await page
        .locator("#account-page")
        .evaluate((f: HTMLIFrameElement) => (f.contentWindow as unknown as { __copied: string[] }).__copied),
    ).toEqual([code]);
    expect(await account.getByText("Reward redeemed").count()).toBe(1);
    expect(await account.getByText(`https://${SHOP}/?ref=`).count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "account-en-desktop.png"), fullPage: true });
    const accountFrame = page.frame({ url: /target=customer-account\.page/ })!;
    expect(await accountFrame.evaluate(contrastFailures, { selector: "body *", behind: PAPER })).toEqual([]);
    expect(await member(903)).toMatchObject({ available: 700 });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("says how many points expire on which day, once the program has an expiry", async () => {
    const program = (init: RequestInit = {}) =>
      fetch(`${app.url}/app/api/program`, {
        ...init,
        headers: {
          Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET, "77002")}`,
          "Content-Type": "application/json",
          "User-Agent": BROWSER_UA,
        },
      });
    const doc = await (await program()).json();
    const put = (expiry: unknown) => program({ method: "PUT", body: JSON.stringify({ ...doc, expiry }) });
    expect((await put({ ...doc.expiry, inactiveDays: 365 })).status).toBe(200);
    try {
      await app.emulator.sendWebhook(SHOP, "orders/paid", orderPayload(order(4_000, customer(913))));
      await app.settled();
      const m = await member(913);
      const on = new Date(m.lastActivityAt!.getTime() + 365 * 86_400_000);
      // The storefront reads the program through a cache of a few seconds (a merchant's edit shows
      // within PROGRAM_TTL_MS): wait until the app answers with the expiry, as a shopper would see it.
      const expiring = async () =>
        ((await (await app.emulator.proxy(SHOP, "me", { customerId: "913" })).json()).expiring?.points as number) ?? 0;
      await expect.poll(expiring, { timeout: 15_000, interval: 500 }).toBe(m.available);
      const { page, errors } = await shopper(913);
      await page.goto(`${storefront.url}/account/loyalty`);
      const account = page.frameLocator("#account-page");
      // The day on the shop's calendar (the emulator's shops are in New York).
      const { timezone } = await app.db.shop.findUniqueOrThrow({ where: { id: SHOP } });
      const day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: timezone }).format(on);
      expect(m.available).toBeGreaterThan(0);
      await rendered(account, `${m.available.toLocaleString("en")} points expire on ${day} unless you earn or spend before then`);
      await page.screenshot({ path: path.join(SCREENSHOTS, "account-expiring-en-desktop.png") });
      // In Persian at phone width: its digits and calendar.
      await page.setViewportSize(PHONE);
      await page.goto(`${storefront.url}/?locale=fa`);
      await page.goto(`${storefront.url}/account/loyalty`);
      await rendered(account, /^[۰-۹]+ امتیاز در .* منقضی می‌شود، مگر اینکه تا آن روز امتیاز بگیرید یا خرج کنید$/);
      await page.screenshot({ path: path.join(SCREENSHOTS, "account-expiring-fa-phone.png") });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      const now = await (await program()).json();
      const back = await program({ method: "PUT", body: JSON.stringify({ ...now, expiry: doc.expiry }) });
      expect(back.status).toBe(200);
    }
  }, 120_000);

  it("pages the account's history past the first answer's 25 entries, from the app", async () => {
    for (let i = 0; i < 32; i++)
      await app.emulator.sendWebhook(SHOP, "orders/paid", orderPayload(order(1_000 + i * 100, customer(912))));
    await app.settled();
    const { page, errors } = await shopper(912);
    await page.goto(`${storefront.url}/account/loyalty`);
    const account = page.frameLocator("#account-page");
    await account.getByRole("button", { name: "Show more" }).waitFor();
    const shown = () => account.getByText("Order #").count();
    await expect.poll(shown).toBe(10);
    await account.getByRole("button", { name: "Show more" }).click();
    await expect.poll(shown).toBe(20);
    await account.getByRole("button", { name: "Show more" }).click();
    await expect.poll(shown).toBe(30); // 25 from the first answer, 7 more asked for
    await account.getByRole("button", { name: "Show more" }).click();
    await expect.poll(shown).toBe(32);
    expect(await account.getByRole("button", { name: "Show more" }).count()).toBe(0);
    const fetched = (await calls(page, "account-page"))
      .filter((c) => c.name === "fetch")
      .map((c) => (c.args as { path: string }).path);
    expect(fetched).toEqual([
      "/api/customer-account/me?locale=en",
      "/api/customer-account/draws?locale=en",
      expect.stringMatching(/^\/api\/customer-account\/history\?locale=en&cursor=/),
    ]);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("shows an order's points on its order status page and asks the question there once", async () => {
    const { page, errors } = await shopper(907);
    await toCheckout(page, "canvas-tote");
    await page.locator("form[action='/checkout'] button").click();
    await page.locator("[data-thank-you]").waitFor();
    await app.settled();
    const placed = storefront.orders.at(-1)!;
    await page.goto(`${storefront.url}/account/orders`);
    await page.getByRole("link", { name: `#${placed.number}` }).click();
    const status = page.frameLocator("#order-status-block");
    await rendered(status, "This order earned you 24 points.");
    expect(
      (await calls(page, "order-status-block")).filter((c) => c.name === "fetch").map((c) => (c.args as { path: string }).path),
    ).toEqual([
      `/api/customer-account/me?locale=en&order=gid%3A%2F%2Fshopify%2FOrder%2F${placed.id}&subtotal=24.00&currency=USD`,
    ]);
    await status.getByRole("button", { name: "Score 3" }).click();
    await rendered(status, "Thank you for your answer.");
    // The page thanks only once the answer is stored.
    expect(
      await app.db.surveyAnswer.findUniqueOrThrow({ where: { shopId_orderId: { shopId: SHOP, orderId: String(placed.id) } } }),
    ).toMatchObject({ score: 3 });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe("screenshots in English and Persian, desktop and phone", () => {
  for (const [label, viewport] of [
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ] as const) {
    for (const locale of ["en", "fa"]) {
      it(`${locale} ${label}: checkout, thank-you and account`, async () => {
        const ids: Record<string, number> = { "en-desktop": 904, "en-phone": 905, "fa-desktop": 906, "fa-phone": 902 };
        const id = ids[`${locale}-${label}`]!;
        const { page, errors } = await shopper(id, { viewport, locale });
        const frame = await toCheckout(page, "flannel-shirt");
        await frame.locator("s-button").first().waitFor({ timeout: 60_000 });
        if (locale === "fa") expect(await frame.locator("body").innerText()).toMatch(/[۰-۹]/);
        await page.screenshot({ path: path.join(SCREENSHOTS, `checkout-${locale}-${label}.png`), fullPage: true });
        await page.locator("form[action='/checkout'] button").click();
        await page.locator("[data-thank-you]").waitFor();
        await app.settled();
        await page.reload();
        const thanks = page.frameLocator("#thank-you-block");
        await thanks.locator("s-progress").waitFor({ timeout: 60_000 });
        await page.screenshot({ path: path.join(SCREENSHOTS, `thank-you-${locale}-${label}.png`), fullPage: true });
        await page.goto(`${storefront.url}/account/loyalty`);
        const account = page.frameLocator("#account-page");
        await account.locator("s-progress").waitFor({ timeout: 60_000 });
        await page.screenshot({ path: path.join(SCREENSHOTS, `account-${locale}-${label}.png`), fullPage: true });
        expect(errors).toEqual([]);
        await page.close();
      }, 120_000);
    }
  }
});
