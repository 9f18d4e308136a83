// End to end in Chromium: a shopper on the emulated Online Store 2.0 storefront, with the theme
// app extension's real Liquid and script, against the production app server.
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderPayload } from "../emulator/payloads.ts";
import { Storefront } from "../emulator/storefront.ts";
import { startApp, type TestApp } from "../support/app";
import { launch, SCREENSHOTS } from "../support/browser";
import { customer, order } from "../support/orders";

const SHOP = "demo-outfitters.myshopify.com";
let app: TestApp;
let storefront: Storefront;
let browser: Browser;

const member = (id: number) =>
  app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } });

beforeAll(async () => {
  app = await startApp("sqlite");
  app.emulator.addShop(SHOP, "Demo Outfitters", "USD");
  expect((await app.emulator.install(SHOP)).status).toBe(200);
  for (const [id, units] of [
    [801, 1200],
    [802, 3000],
    [803, 800],
    [804, 5000],
    [806, 4000],
    [807, 5000],
  ] as const) {
    const payload = {
      ...orderPayload(order(units * 100, customer(id, { email: `s${id}@example.com` }))),
      shipping_address: { address1: `${id} Elm St`, zip: "10001", country_code: "US" },
    };
    await app.emulator.sendWebhook(SHOP, "orders/paid", payload);
  }
  // 805 has a long history: 30 orders (more than a page of 25).
  for (let i = 1; i <= 30; i++) await app.emulator.sendWebhook(SHOP, "orders/paid", orderPayload(order(i * 1000, customer(805))));
  await app.settled();
  // A reward with a minimum subtotal and a cap (too dear for 801, so its one Redeem button stays one).
  await app.db.reward.create({
    data: {
      shopId: SHOP,
      name: "10% off",
      type: "percentage",
      percent: 10,
      maxDiscountMinor: 2_500,
      minimumSubtotalMinor: 5_000,
      pointsCost: 1_500,
      position: 5,
    },
  });
  // 807 has redeemed a code and not used it yet (what the account page and the screenshots show).
  const redeemed = await app.emulator.proxy(SHOP, "redeem", {
    customerId: "807",
    method: "POST",
    body: {
      rewardId: (await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP, name: "5 off" } })).id,
      idempotencyKey: "e2e-807-five-off",
    },
  });
  expect(redeemed.status).toBe(200);
  // VIP tiers by lifetime points: 801 (1,200) is Silver, 803 (800) is on the way to it.
  await app.db.tier.createMany({
    data: [
      { shopId: SHOP, name: "Silver", thresholdPoints: 1_000 },
      { shopId: SHOP, name: "Gold", thresholdPoints: 2_500, earnMultiplierPct: 125 },
    ],
  });
  storefront = new Storefront(app.emulator, SHOP);
  await storefront.start();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await storefront?.stop();
  await app?.stop();
});

async function shopper(customerId: number | null, viewport = { width: 1280, height: 860 }, locale = "en") {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (customerId !== null) await page.goto(`${storefront.url}/account/login?customer=${customerId}&return_to=/`);
  await page.goto(`${storefront.url}/products/waxed-jacket?locale=${locale}`);
  return { page, errors };
}

/**
 * Resolves once the launcher script has run its start-up (it adds the launcher button, then makes
 * whatever requests it makes at start, in the same turn) and a request the page sends after that
 * has been seen: any request of the start-up was reported before it (the browser reports requests
 * in the order they are made).
 */
async function launcherStarted(page: Page) {
  await page.locator(".lc-launcher").waitFor({ state: "attached" });
  const marker = `/__after-launcher-start-${Math.random().toString(36).slice(2)}`;
  await Promise.all([
    page.waitForRequest((r) => r.url().endsWith(marker)),
    page.evaluate((url) => fetch(url).then((r) => r.text()), marker),
  ]);
}

async function openLauncher(page: Page) {
  await page.locator(".lc-launcher").click();
  await page.locator(".lc-panel").waitFor();
  // Let the opening animation finish, so screenshots show the panel as the shopper sees it.
  await page.locator(".lc-panel").evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
}

/** Elements with their own text whose colour against the first opaque background behind it is below WCAG AA. */
function contrastFailures(page: Page, selector: string) {
  return page.evaluate((selector) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out: string[] = [];
    for (const el of document.querySelectorAll(selector)) {
      const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      const box = el.getBoundingClientRect();
      if (!own || box.width === 0 || box.height === 0) continue;
      const style = getComputedStyle(el);
      const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        out.push(`${el.className || el.tagName} "${el.textContent!.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
    return out;
  }, selector);
}

describe("the storefront launcher", () => {
  it("shows earning on the product page from the program, without a request", async () => {
    const { page, errors } = await shopper(null);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.reload();
    await expect.poll(() => page.locator("[data-loyalty-earn]").textContent()).toContain("Earn 189 points with this purchase");
    await launcherStarted(page);
    expect(requests.filter((u) => u.includes("/apps/loyalty/"))).toEqual([]);
    expect(requests.some((u) => u.includes("/__after-launcher-start-"))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("invites a logged-out shopper to log in, accessibly and without moving the page", async () => {
    const { page, errors } = await shopper(null);
    // Once the launcher is in the page and two frames have been laid out since, every shift its
    // arrival could cause has been recorded (layout-shift entries are buffered from the start).
    await launcherStarted(page);
    const shift = await page.evaluate(
      () =>
        new Promise<number>((resolve) =>
          requestAnimationFrame(() =>
            requestAnimationFrame(() => {
              // buffered: every shift since the page started; takeRecords hands them over at once.
              const observer = new PerformanceObserver(() => {});
              observer.observe({ type: "layout-shift", buffered: true });
              const entries = observer.takeRecords() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>;
              observer.disconnect();
              resolve(entries.reduce((total, e) => total + (e.hadRecentInput ? 0 : e.value), 0));
            }),
          ),
        ),
    );
    expect(shift).toBe(0);
    const launcher = page.getByRole("button", { name: "Rewards" });
    await launcher.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Loyalty Club" });
    await dialog.waitFor();
    await expect.poll(() => dialog.getByRole("link", { name: "Log in" }).count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Close");
    await page.keyboard.press("Escape");
    expect(await dialog.isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("lc-launcher");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("redeems in one click, applies the code to the cart, and the paid order uses it", async () => {
    const { page, errors } = await shopper(801);
    await openLauncher(page);
    await expect.poll(() => page.locator(".lc-points").textContent()).toBe("1,200");
    expect(await page.getByText("Earn 1 point for every $1 spent").count()).toBe(1);
    expect(await page.locator(".lc-tier").textContent()).toContain("Tier: Silver");
    expect(await page.locator(".lc-tier").textContent()).toContain("1,300 points to Gold");
    expect(await page.locator(".lc-tier").textContent()).not.toContain("×"); // Silver earns at the base rate
    expect(await page.locator(".lc-tier progress").evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([
      1_200, 2_500,
    ]);
    await page.screenshot({ path: path.join(SCREENSHOTS, "launcher-en-desktop.png") });
    await page.getByRole("button", { name: "Redeem" }).click();
    const note = page.locator(".lc-ok");
    await note.waitFor();
    const code = (await note.locator(".lc-code").textContent())!;
    expect(code).toMatch(/^LC-/);
    await expect.poll(() => page.locator(".lc-points").textContent()).toBe("700");
    await page.screenshot({ path: path.join(SCREENSHOTS, "launcher-en-redeemed.png") });

    // The code is on the cart already: add the jacket and look at the cart.
    await page.goto(`${storefront.url}/products/waxed-jacket`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    const discountRow = page.locator(`[data-cart-discount="${code}"]`);
    await discountRow.waitFor();
    expect(await discountRow.getAttribute("data-applied")).toBe("true");
    await page.screenshot({ path: path.join(SCREENSHOTS, "cart-with-reward.png") });
    await page.getByRole("button", { name: "Check out" }).click();
    await page.getByRole("button", { name: "Pay now" }).click();
    await page.locator("[data-thank-you]").waitFor();
    await app.settled();

    const redemption = await app.db.redemption.findFirstOrThrow({ where: { shopId: SHOP, code } });
    expect(redemption).toMatchObject({ status: "used", orderId: String(storefront.orders.at(-1)!.id) });
    expect(await member(801)).toMatchObject({ available: 700 + 184 }); // 189.00 − 5.00 earns 184
    await page.goto(`${storefront.url}/`);
    await openLauncher(page);
    await expect.poll(() => page.locator(".lc-points").textContent()).toBe("884");
    expect(await page.locator(".lc-row").first().textContent()).toContain("+184");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lands a referred friend with the friend's discount on the cart", async () => {
    const code = (await member(802)).referralCode!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${storefront.url}/?ref=${code}`);
    await expect
      .poll(async () => (await (await page.request.get(`${storefront.url}/cart.js`)).json()).discount_code, { timeout: 10_000 })
      .toBe(code);
    await page.close();
  });

  it("keeps every text in the launcher readable: WCAG AA contrast", async () => {
    const { page, errors } = await shopper(801);
    await openLauncher(page);
    await page.locator(".lc-points").waitFor();
    expect(await contrastFailures(page, ".lc-launcher, .lc-panel, .lc-panel *")).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("tells a member in a higher tier how much faster they earn", async () => {
    const { page, errors } = await shopper(802);
    await openLauncher(page);
    await expect.poll(() => page.locator(".lc-tier").textContent()).toContain("Tier: Gold");
    expect(await page.locator(".lc-tier").textContent()).toContain("1.25× points on every order");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("looks right in English and Persian, on desktop and phone", async () => {
    for (const locale of ["en", "fa"]) {
      for (const [name, viewport] of [
        ["desktop", { width: 1280, height: 860 }],
        ["phone", { width: 390, height: 844 }],
      ] as const) {
        const { page, errors } = await shopper(803, viewport, locale);
        await openLauncher(page);
        await page.locator(".lc-points").waitFor();
        expect(await page.evaluate(() => document.documentElement.dir)).toBe(locale === "fa" ? "rtl" : "ltr");
        const panel = (await page.locator(".lc-panel").boundingBox())!;
        expect(panel.x).toBeGreaterThanOrEqual(0);
        expect(panel.x + panel.width).toBeLessThanOrEqual(viewport.width);
        if (locale === "fa") expect(panel.x).toBeLessThan(viewport.width / 2); // mirrored: the launcher sits at the start edge
        await page.screenshot({ path: path.join(SCREENSHOTS, `launcher-${locale}-${name}.png`) });
        expect(errors).toEqual([]);
        await page.close();
      }
    }
  });
});

describe("the launcher and the account page in the shopper's language", () => {
  const rewardRow = (page: Page, name: string) =>
    page.locator(".lc-reward").filter({ has: page.locator("bdi", { hasText: new RegExp(`^${name}$`) }) });

  it("finds an unused code again after a reload, and copies it", async () => {
    const { page, errors } = await shopper(804);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: storefront.url });
    await openLauncher(page);
    await rewardRow(page, "5 off").getByRole("button", { name: "Redeem" }).click();
    const code = (await page.locator(".lc-ok .lc-code").textContent())!;
    await page.reload();
    await openLauncher(page);
    const mine = page.getByRole("region", { name: "My rewards" });
    await mine.waitFor();
    const row = mine.locator(".lc-code-row").filter({ hasText: code });
    expect(await row.textContent()).toMatch(/5 off.*Use by [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    await row.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => row.getByRole("button", { name: "Copied" }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    await page.screenshot({ path: path.join(SCREENSHOTS, "launcher-en-my-rewards.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a reward's minimum and cap, and asks before redeeming below the minimum", async () => {
    const { page, errors } = await shopper(806);
    await openLauncher(page);
    const capped = rewardRow(page, "10% off");
    await capped.waitFor();
    expect(await capped.locator(".lc-terms").textContent()).toBe("On orders from $50 · Up to $25 off");
    const before = await app.db.redemption.count({ where: { shopId: SHOP } });

    // The cart is empty: the launcher asks, and "Not now" redeems nothing.
    await capped.getByRole("button", { name: "Redeem" }).click();
    const ask = capped.getByRole("alert");
    await ask.waitFor();
    expect(await ask.textContent()).toContain("Your cart is $0. This code works on orders from $50: redeem it now anyway?");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Redeem anyway");
    await page.screenshot({ path: path.join(SCREENSHOTS, "launcher-en-below-minimum.png") });
    await ask.getByRole("button", { name: "Not now" }).click();
    await expect.poll(() => capped.getByRole("alert").count()).toBe(0);
    expect(await app.db.redemption.count({ where: { shopId: SHOP } })).toBe(before);

    // With the jacket (189.00) in the cart it redeems at once.
    await page.goto(`${storefront.url}/products/waxed-jacket`);
    await page.getByRole("button", { name: "Add to cart" }).click();
    await page.locator("[data-cart]").waitFor();
    await openLauncher(page);
    await rewardRow(page, "10% off").getByRole("button", { name: "Redeem" }).click();
    await page.locator(".lc-ok").waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await app.db.redemption.count({ where: { shopId: SHOP } })).toBe(before + 1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("pages the history past 25 entries, with dates, in Persian digits", async () => {
    const { page, errors } = await shopper(805, { width: 1280, height: 860 }, "fa");
    await openLauncher(page);
    const rows = page.locator(".lc-row");
    await expect.poll(() => rows.count()).toBe(25);
    const first = (await rows.first().textContent())!;
    expect(first).toMatch(/^سفارش #\d+/); // the order's name is the shop's (#…), the words are Persian
    expect(first).toMatch(/\+[۰-۹]+$/); // points in Persian digits
    expect(await rows.first().locator(".lc-date").textContent()).toMatch(/^[۰-۹]+ [\u0600-\u06FF]+ [۰-۹]+$/);
    await page.getByRole("button", { name: "نمایش بیشتر" }).click();
    await expect.poll(() => rows.count()).toBe(30);
    expect(await page.getByRole("button", { name: "نمایش بیشتر" }).count()).toBe(0);
    // Every order once: 10, 20, … 300 points, written in Persian.
    const points = await rows.locator(".lc-pos").allTextContents();
    const fa = new Intl.NumberFormat("fa");
    expect(points.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `+${fa.format((i + 1) * 10)}`).sort());
    expect(errors).toEqual([]);
    await page.close();
  });

  it("keeps an English reward name in its place in a Persian line, and the numbers in Persian", async () => {
    const { page, errors } = await shopper(803, { width: 1280, height: 860 }, "fa");
    await openLauncher(page);
    const reward = rewardRow(page, "5 off");
    await reward.waitFor();
    const name = reward.locator("bdi").first();
    expect(await name.textContent()).toBe("5 off");
    expect(await reward.locator(".lc-muted").first().textContent()).toBe(" · ۵۰۰ امتیاز");
    // Right to left: the name (first) is to the right of the points, and "5" stays beside "off".
    const [nameBox, costBox] = [(await name.boundingBox())!, (await reward.locator(".lc-muted").first().boundingBox())!];
    expect(nameBox.x).toBeGreaterThanOrEqual(costBox.x + costBox.width - 1);
    const order = await name.evaluate((el) => {
      const range = document.createRange();
      const text = el.firstChild!;
      range.setStart(text, 0);
      range.setEnd(text, 1);
      const five = range.getBoundingClientRect();
      range.setStart(text, 2);
      range.setEnd(text, 5);
      return five.right <= range.getBoundingClientRect().left + 0.5; // "5" left of "off", as in English
    });
    expect(order).toBe(true);
    expect(await page.locator(".lc-points").textContent()).toBe("۸۰۰");
    expect(await page.locator(".lc-tier").textContent()).toContain("۲۰۰ امتیاز تا");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says when points expire, when the app says so", async () => {
    for (const locale of ["en", "fa"]) {
      const { page, errors } = await shopper(803, { width: 1280, height: 860 }, locale);
      // The body /proxy/me gives once expiry reminders exist: the real answer plus `expiring`.
      await page.route("**/apps/loyalty/me?*", async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        await route.fulfill({ response, json: { ...body, expiring: { points: 1200, on: "2027-01-31" } } });
      });
      await openLauncher(page);
      const note = page.locator(".lc-expiring");
      await note.waitFor();
      expect(await note.textContent()).toMatch(
        locale === "en"
          ? /^1,200 points expire on Jan 31, 2027$/
          : /^۱٬۲۰۰ امتیاز در [۰-۹]+ [\u0600-\u06FF]+ [۰-۹]+ منقضی می‌شود$/,
      );
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("shows the same account on the classic account page, in English and Persian, on desktop and phone", async () => {
    for (const locale of ["en", "fa"]) {
      for (const [name, viewport] of [
        ["desktop", { width: 1280, height: 1400 }],
        ["phone", { width: 390, height: 1600 }],
      ] as const) {
        const page = await browser.newPage({ viewport });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${storefront.url}/account/login?customer=807&return_to=/account?locale=${locale}`);
        const account = page.locator("[data-loyalty-account]");
        await account.locator(".lc-points").waitFor();
        const text = (await account.textContent())!;
        if (locale === "en") {
          expect(text).toContain("My rewards");
          expect(text).toContain("Tier: Gold");
          expect(text).toMatch(/Redeemed: 5 off/);
        } else {
          expect(text).toContain("جوایز من");
          expect(text).toContain("دریافت جایزه: 5 off");
          expect(await page.locator("[data-loyalty-balance]").textContent()).toMatch(/^[۰-۹٬]+$/);
        }
        const box = (await account.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
        expect(await contrastFailures(page, "[data-loyalty-account], [data-loyalty-account] *")).toEqual([]);
        await page.screenshot({ path: path.join(SCREENSHOTS, `account-${locale}-${name}.png`), fullPage: true });
        expect(errors).toEqual([]);
        await page.close();
      }
    }
  });

  it("looks right with codes and history in English and Persian, on desktop and phone", async () => {
    for (const locale of ["en", "fa"]) {
      for (const [name, viewport] of [
        ["desktop", { width: 1280, height: 900 }],
        ["phone", { width: 390, height: 844 }],
      ] as const) {
        const { page, errors } = await shopper(807, viewport, locale);
        await openLauncher(page);
        await page.locator(".lc-code-row").first().waitFor();
        await page.locator(".lc-code-row").first().scrollIntoViewIfNeeded();
        const panel = (await page.locator(".lc-panel").boundingBox())!;
        expect(panel.x).toBeGreaterThanOrEqual(0);
        expect(panel.x + panel.width).toBeLessThanOrEqual(viewport.width);
        expect(await contrastFailures(page, ".lc-panel, .lc-panel *")).toEqual([]);
        await page.screenshot({ path: path.join(SCREENSHOTS, `launcher-${locale}-${name}-codes.png`) });
        expect(errors).toEqual([]);
        await page.close();
      }
    }
  });
});
