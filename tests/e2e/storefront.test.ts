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
  ] as const) {
    const payload = {
      ...orderPayload(order(units * 100, customer(id, { email: `s${id}@example.com` }))),
      shipping_address: { address1: `${id} Elm St`, zip: "10001", country_code: "US" },
    };
    await app.emulator.sendWebhook(SHOP, "orders/paid", payload);
  }
  await app.settled();
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
    // For each element with its own text: its colour against the first opaque background behind it.
    const failures = await page.evaluate(() => {
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
      for (const el of document.querySelectorAll(".lc-launcher, .lc-panel, .lc-panel *")) {
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
        const box = el.getBoundingClientRect();
        if (!own || box.width === 0 || box.height === 0) continue;
        const style = getComputedStyle(el);
        const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const large =
          parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5))
          out.push(`${el.className || el.tagName} "${el.textContent!.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
      }
      return out;
    });
    expect(failures).toEqual([]);
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
