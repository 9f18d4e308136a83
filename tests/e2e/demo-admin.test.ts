// End to end: `npm run demo` as a user runs it, then the embedded admin home in real Chromium,
// inside the emulator's admin frame, checked against the demo's database.
import path from "node:path";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { startDemo, type Demo } from "../support/demo";
import { orderPayload } from "../emulator/payloads.ts";

let demo: Demo;
let browser: Browser;
let dbFile = "";
let adminUrl = "";
let proxyUrl = "";
let programUrl = "";
let storefrontUrl = "";

const number = (n: number) => new Intl.NumberFormat("en").format(n);

beforeAll(async () => {
  demo = await startDemo({ name: "e2e-demo" });
  ({ dbFile, adminUrl, proxyUrl, programUrl, storefrontUrl } = demo);
  browser = await launch();
}, 270_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe("the demo", () => {
  it("seeds a realistic shop and shows its figures on the embedded admin home", async () => {
    const db = new Database(dbFile, { readonly: true });
    const one = (sql: string) => Number((db.prepare(sql).get() as { n: number | bigint | null }).n ?? 0);
    const members = one(`SELECT count(*) n FROM "Member" WHERE "state" = 'active'`);
    const issued = one(`SELECT sum("points") n FROM "LedgerEntry" WHERE "kind" IN ('earn','bonus','referral')`);
    const outstanding = one(`SELECT sum("available" + "pending") n FROM "Member"`);
    expect(one(`SELECT count(*) n FROM "OrderFact"`)).toBeGreaterThanOrEqual(2000);
    expect(one(`SELECT count(DISTINCT "customerId") n FROM "OrderFact" WHERE "customerId" IS NOT NULL`)).toBeGreaterThanOrEqual(
      200,
    );
    expect(one(`SELECT count(*) n FROM "OrderRefund"`)).toBeGreaterThan(50);
    expect(one(`SELECT count(*) n FROM "OrderFact" WHERE "cancelled" = 1`)).toBeGreaterThan(20);
    expect(one(`SELECT count(DISTINCT "presentmentCurrency") n FROM "OrderFact"`)).toBeGreaterThanOrEqual(3);
    db.close();

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, userAgent: DESKTOP_UA });
    const app = await openAdmin(page, adminUrl);
    await expect.poll(() => app.locator("#stat-members").textContent(), { timeout: 20_000 }).toBe(number(members));
    expect(await app.locator("#stat-issued").textContent()).toBe(number(issued));
    expect(await app.locator("#stat-outstanding").textContent()).toBe(number(outstanding));
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-home.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-home-phone.png"), fullPage: true });
    await page.close();
  });

  it("retries a dead letter from the admin, through App Bridge's id token", async () => {
    const writer = new Database(dbFile);
    // A member below the first VIP tier (1,000 lifetime points), who earns at the base rate.
    const member = writer
      .prepare(`SELECT "customerId", "available" FROM "Member" WHERE "state" = 'active' AND "lifetimeEarned" < 900 LIMIT 1`)
      .get() as {
      customerId: string;
      available: number;
    };
    const order = {
      id: 9_999_001,
      number: 9001,
      customer: {
        id: Number(member.customerId),
        email: "x@example.com",
        first_name: "A",
        last_name: "B",
        tags: "",
        created_at: "2026-01-01T00:00:00Z",
        phone: null,
      },
      email: "x@example.com",
      created_at: new Date().toISOString(),
      currency: "USD",
      presentment_currency: "USD",
      rate: 1,
      lines: [{ id: 1, product_id: 1, variant_id: 1, title: "Gift", quantity: 1, unitMinor: 4_200 }],
      discountMinor: 0,
      discountCode: null,
      shippingMinor: 0,
      taxMinor: 0,
      test: false,
      financial_status: "paid",
      cancelled_at: null,
    };
    const now = new Date().toISOString().replace("Z", "+00:00");
    writer
      .prepare(
        `INSERT INTO "WebhookJob" ("shopId","topic","webhookId","payload","status","attempts","runAt","receivedAt","lastError") VALUES (?,?,?,?,?,?,?,?,?)`,
      )
      .run(
        "demo-outfitters.myshopify.com",
        "orders/paid",
        "e2e-dead-1",
        JSON.stringify(orderPayload(order)),
        "dead",
        8,
        now,
        now,
        "database was unreachable",
      );
    writer.close();

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, userAgent: DESKTOP_UA });
    const app = await openAdmin(page, `${adminUrl}/system`);
    await app.getByText("1 webhook could not be processed").waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-dead-letter.png") });
    await app.getByRole("button", { name: "Retry" }).click();
    const reader = new Database(dbFile, { readonly: true });
    const available = () =>
      (reader.prepare(`SELECT "available" FROM "Member" WHERE "customerId" = ?`).get(member.customerId) as { available: number })
        .available;
    await expect.poll(available, { timeout: 15_000 }).toBe(member.available + 42);
    reader.close();
    await page.reload();
    await expect.poll(() => app.getByText("could not be processed").count(), { timeout: 15_000 }).toBe(0);
    await page.close();
  });

  it("creates a reward and a tier in the admin, and the storefront offers them", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_UA });
    const app = await openAdmin(page, `${adminUrl}/rewards`);
    await app.getByRole("button", { name: "Add reward" }).first().click();
    await app.getByLabel("Name", { exact: true }).fill("Tote bag credit");
    await app.getByLabel("Points", { exact: true }).fill("750");
    await app.getByLabel("Amount off (USD)").fill("7.50");
    // The admin draws the save bar around the app; its Save clicks the app's own button.
    await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Rewards saved");
    await expect.poll(() => page.locator("#savebar").isVisible()).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-rewards.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-rewards-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await openAdmin(page, `${adminUrl}/tiers`);
    await app.getByRole("button", { name: "Add tier" }).first().click();
    await app.getByLabel("Name", { exact: true }).fill("Diamond");
    await app.getByLabel("From points earned in total").fill("100000");
    await app.getByLabel("Earn rate (%)").fill("150");
    await app.getByRole("button", { name: "Save", exact: true }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Tiers saved");
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-tiers.png") });

    // A wrong field is named beside it, and nothing is saved.
    await openAdmin(page, `${adminUrl}/program`);
    await app.getByLabel("Pending days").fill("500");
    await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
    await app.getByText("Must be at most 90.", { exact: true }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-program-error.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-program-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    // Put right, with an anniversary bonus and a double-points campaign: a new version, and the
    // history says what changed.
    await app.getByLabel("Pending days").fill("3");
    await app.getByLabel("Points expire after days without activity").fill("365");
    await app.getByLabel("Remind members this many days before their points expire").fill("21");
    // Changing the expiry again keeps the reminder set beside it.
    await app.getByLabel("Points expire after days without activity").fill("400");
    await app.getByLabel("Anniversary bonus (points)").fill("100");
    await app.getByRole("button", { name: "Add campaign" }).click();
    await page.locator("#savebar").getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Program saved");
    await app.getByRole("link", { name: "Version history" }).click();
    await app.getByText("Anniversary bonus: 0 → 100").waitFor();
    await app.getByText("Expiry after days without activity: none → 400").waitFor();
    await app.getByText("Expiry reminder (days before): 14 → 21").waitFor();
    await app.getByText(/^Campaign added: Double points/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-program-history.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-program-history-phone.png"), fullPage: true });
    await page.close();

    await expect
      .poll(
        async () => {
          const program = await (await fetch(programUrl)).json();
          return [
            program.rewards.some((r: { name: string }) => r.name === "Tote bag credit"),
            program.tiers.some((t: { name: string }) => t.name === "Diamond"),
          ];
        },
        { timeout: 15_000, interval: 500 },
      )
      .toEqual([true, true]);
  });

  it("finds a member by email, adjusts their points, and the shopper's launcher shows the new balance", async () => {
    const reader = new Database(dbFile, { readonly: true });
    const someone = reader
      .prepare(`SELECT "customerId", "email", "available" FROM "Member" WHERE "state" = 'active' AND "email" IS NOT NULL LIMIT 1`)
      .get() as {
      customerId: string;
      email: string;
      available: number;
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_UA });
    // The app is framed cross-site, where this Chromium (like Chrome blocking third-party cookies,
    // or in a private window) refuses storage: nothing on the way may depend on it.
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && /SecurityError|Storage|manifest/i.test(m.text())) errors.push(m.text());
    });
    const app = await openAdmin(page, `${adminUrl}/members`);
    // Sorted by balance, highest first: the first row has the most points.
    await app.getByLabel("Sort").selectOption("balance:desc");
    const richest = reader.prepare(`SELECT max("available") AS n FROM "Member" WHERE "customerId" IS NOT NULL`).get() as {
      n: number;
    };
    await expect.poll(() => app.locator("tbody tr").first().textContent(), { timeout: 15_000 }).toContain(number(richest.n));
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-members.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-members-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await app.getByPlaceholder("Search by name, email or customer id").fill(someone.email);
    // The list narrows to that one member (the search waits for the typing to stop).
    await expect.poll(() => app.locator("a[data-primary-link]").count(), { timeout: 15_000 }).toBe(1);
    // A client-side navigation from the list to the member's page, inside the admin's frame.
    await app.locator("a[data-primary-link]").click();
    await app.locator("#member-available").waitFor();
    expect(await app.locator("#member-available").textContent()).toBe(number(someone.available));
    await app.getByLabel("Points", { exact: true }).fill("125");
    await app.getByLabel("Reason").fill("Sorry for the late parcel");
    await app.getByLabel("Reason").press("Enter"); // the form submits from the keyboard
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Points adjusted");
    await expect.poll(() => app.locator("#member-available").textContent()).toBe(number(someone.available + 125));
    await app.getByRole("cell", { name: "Sorry for the late parcel" }).waitFor();
    // Excluded from the club and let back in, with who and when shown meanwhile.
    await app.getByRole("button", { name: "Exclude from the club" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Excluded from the club");
    await expect.poll(() => app.locator("#member-exclusion").textContent()).toMatch(/^Excluded on .* by Staff/);
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-member-excluded.png") });
    await app.getByRole("button", { name: "Let back in" }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("Back in the club");
    await app.getByRole("button", { name: "Exclude from the club" }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-member.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-member-phone.png"), fullPage: true });
    // Back to the list through the page's back arrow, still without reloading the frame.
    await app.getByRole("link", { name: "Members" }).click();
    await app.getByPlaceholder("Search by name, email or customer id").waitFor();
    expect(errors).toEqual([]);
    await page.close();
    const after = reader.prepare(`SELECT "available" FROM "Member" WHERE "customerId" = ?`).get(someone.customerId) as {
      available: number;
    };
    reader.close();
    expect(after.available).toBe(someone.available + 125);

    // The shopper sees it in the storefront launcher: the new balance, and the reason in the history.
    const shopper = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await shopper.goto(`${storefrontUrl}/account/login?customer=${someone.customerId}&return_to=/`);
    await shopper.locator(".lc-launcher").click();
    await shopper.locator(".lc-panel").waitFor();
    await expect
      .poll(() => shopper.locator(".lc-points").textContent(), { timeout: 15_000 })
      .toBe(number(someone.available + 125));
    await shopper.locator(".lc-panel").getByText("Sorry for the late parcel").waitFor();
    await shopper.screenshot({ path: path.join(SCREENSHOTS, "storefront-after-adjustment.png") });
    await shopper.close();
  });

  it("imports a members file after a dry run", async () => {
    const reader = new Database(dbFile, { readonly: true });
    const someone = reader
      .prepare(
        `SELECT "customerId", "email", "available" FROM "Member" WHERE "state" = 'active' AND "email" IS NOT NULL ORDER BY "id" DESC LIMIT 1`,
      )
      .get() as {
      customerId: string;
      email: string;
      available: number;
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: DESKTOP_UA });
    const app = await openAdmin(page, `${adminUrl}/import-export`);
    await app.locator('input[type="file"]').setInputFiles({
      name: "members.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`email,points\r\n${someone.email},40\r\nnobody@example.com,10\r\n`),
    });
    await app.getByRole("button", { name: "Check file" }).click();
    await expect
      .poll(() => app.locator("#import-summary").textContent(), { timeout: 15_000 })
      .toBe("1 of 2 rows can be imported.");
    await app.getByText("No customer with the email nobody@example.com.").waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-import-dry-run.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SCREENSHOTS, "admin-import-phone.png"), fullPage: true });
    const before = (
      reader.prepare(`SELECT "available" FROM "Member" WHERE "customerId" = ?`).get(someone.customerId) as { available: number }
    ).available;
    await app.getByRole("button", { name: "Import 1 row", exact: true }).click();
    await expect.poll(() => page.locator("#toast").textContent(), { timeout: 15_000 }).toBe("1 row imported");
    const after = (
      reader.prepare(`SELECT "available" FROM "Member" WHERE "customerId" = ?`).get(someone.customerId) as { available: number }
    ).available;
    reader.close();
    expect(after).toBe(before + 40);
    await page.close();
  });

  it("answers the storefront through the signed app proxy", async () => {
    const res = await fetch(proxyUrl);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      loggedIn: true,
      enrolled: true,
      rewards: [
        { name: "5 off", type: "fixed_amount", pointsCost: 500 },
        { name: "Free shipping", type: "free_shipping", pointsCost: 300 },
        { name: "10% off, up to $25", type: "percentage", pointsCost: 1000, percent: 10, maximum: "25.00" },
        { name: "Free Thermal Mug", type: "free_product", pointsCost: 1500 },
        { name: "Tote bag credit", type: "fixed_amount", pointsCost: 750 },
      ],
    });
    expect(body.points.available).toBeGreaterThan(0);
    expect(body.history[0]).toMatchObject({ type: expect.any(String), points: expect.any(Number) });
  });
});
