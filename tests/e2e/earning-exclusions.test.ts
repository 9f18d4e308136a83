// End to end in Chromium, inside the emulator's admin frame: the merchant types the product tags
// that earn nothing on the Program page (comma-separated, as typed), saves through the save bar,
// and the history says what changed; an order of a tagged product then earns only on the rest.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startApp, type TestApp } from "../support/app";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { customer, order, paid } from "../support/orders";

let app: TestApp;
let browser: Browser;
let SHOP = "";

beforeAll(async () => {
  app = await startApp("sqlite");
  SHOP = await app.installShop("tag-rules");
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it("sets the product tags that earn nothing on the Program page, and orders follow", async () => {
  await app.emulator.tagProduct(SHOP, 61, ["Sample"], { deliver: false });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_UA });
  const adminUrl = `${app.emulator.url}/store/${SHOP.replace(".myshopify.com", "")}/apps/loyalty`;
  const frame = await openAdmin(page, `${adminUrl}/program`);
  const field = frame.getByLabel("Products tagged with these earn no points");
  // Typed as a merchant types it: the comma and the space stay while typing.
  await field.pressSequentially("Sample, clearance ");
  await expect.poll(() => field.inputValue()).toBe("Sample, clearance ");
  await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
  await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Program saved");
  // The saved list comes back as the program keeps it.
  await expect.poll(() => field.inputValue()).toBe("sample, clearance");
  await field.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, "admin-program-excluded-tags.png") });

  await frame.getByRole("link", { name: "Version history" }).click();
  await frame.getByText("Product tags that earn nothing: none → sample, clearance").waitFor();
  await page.close();

  // The tagged product is listed in the background; an order of it and a 20.00 scarf earns 20.
  await expect
    .poll(() => app.db.excludedProduct.count({ where: { shopId: SHOP, productId: "61" } }), { timeout: 15_000 })
    .toBe(1);
  const o = order([4_000, 2_000], customer(9_101));
  o.lines[0]!.product_id = 61;
  o.lines[1]!.product_id = 62;
  expect((await app.emulator.sendWebhook(SHOP, paid(o).topic, paid(o).payload)).status).toBe(200);
  await app.settled();
  const member = await app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: "9101" } } });
  expect(member.available).toBe(20);
});
