// End to end in Chromium, inside the emulator's admin frame: the Integrations page adds a webhook
// endpoint (the secret shown once), lists the deliveries of the events that follow, and creates
// an API key; screenshots at desktop width land in test-results/.
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../support/app";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { customer, order, paid } from "../support/orders";

const SHOP = "integrations-page.myshopify.com";
let app: TestApp;
let browser: Browser;
let receiver: http.Server;
let hookUrl = "";
const received: string[] = [];

beforeAll(async () => {
  app = await startApp("sqlite", { LOYALTY_WEBHOOKS_ALLOW_PRIVATE: "1" });
  app.emulator.addShop(SHOP, "Integrations Page", "USD");
  expect((await app.emulator.install(SHOP)).status).toBe(200);
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push(body);
      res.writeHead(received.length === 1 ? 503 : 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm`;
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  await app?.stop();
});

describe("the Integrations page", () => {
  it("adds an endpoint, shows its deliveries with a retry, and creates an API key", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 }, userAgent: DESKTOP_UA });
    const frame = await openAdmin(
      page,
      `${app.emulator.url}/store/${SHOP.replace(".myshopify.com", "")}/apps/loyalty/integrations`,
    );
    await frame.getByRole("heading", { name: "No endpoints yet" }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "integrations-empty.png"), fullPage: true });

    await frame.getByLabel("Endpoint URL").fill(hookUrl);
    await frame.getByRole("button", { name: "Add endpoint" }).click();
    await frame.getByText("Copy your signing secret now").waitFor();
    expect(await frame.locator("code").first().textContent()).toMatch(/^whsec_/);

    // An order: member joined and points earned go to the endpoint; the first answer is a 503.
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(4_000, customer(7601))).payload);
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
    await frame.getByLabel("Name").fill("Klaviyo sync");
    await frame.getByRole("button", { name: "Create key" }).click();
    await frame.getByText("Copy your API key now").waitFor();
    await frame.getByText("Retrying").waitFor();
    await frame.getByText("HTTP 503").waitFor();
    await frame.getByText("Klaviyo sync").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "integrations.png"), fullPage: true });
  }, 90_000);
});
