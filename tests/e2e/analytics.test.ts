// End to end: the Analytics page of `npm run demo` (18 months of orders) in real Chromium, inside
// the emulator's admin frame: figures with their definitions beside the previous period, the
// polaris-viz charts drawn, the year-long tables loaded; screenshots at desktop and phone width.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../support/app";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";

const root = path.resolve(import.meta.dirname, "../..");
const dbFile = path.join(os.tmpdir(), `lc-e2e-analytics-${process.pid}.sqlite`);
let demo: ChildProcess;
let output = "";
let browser: Browser;
let adminUrl = "";

beforeAll(async () => {
  const [port, emulatorPort, storefrontPort] = [await freePort(), await freePort(), await freePort()];
  demo = spawn(process.execPath, ["scripts/demo.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      STOREFRONT_PORT: String(storefrontPort),
      DATABASE_URL: `file:${dbFile}`,
      DEMO_SKIP_BUILD: "1",
      SHOPIFY_APP_URL: `http://localhost:${port}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not come up:\n${output}`)), 170_000);
    demo.stdout!.on("data", (d: Buffer) => {
      output += d;
      if (output.includes("Press Ctrl-C")) {
        clearTimeout(timer);
        resolve();
      }
    });
    demo.stderr!.on("data", (d) => (output += d));
    demo.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  adminUrl = /Admin \(embedded.*?(http\S+)/.exec(output)![1]!;
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo.once("exit", r));
    demo.kill("SIGTERM");
    await exited;
  }
});

it("shows the demo's figures, charts and tables on the Analytics page", async () => {
  const db = new Database(dbFile, { readonly: true });
  const members = Number((db.prepare(`SELECT count(*) n FROM "Member" WHERE "state" = 'active'`).get() as { n: number }).n);
  db.close();
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, userAgent: DESKTOP_UA });
  const app = await openAdmin(page, `${adminUrl}/analytics?preset=365d`);
  await app.getByRole("heading", { name: "Participation", exact: true }).waitFor({ timeout: 30_000 });
  // Every figure carries its definition and the previous period.
  await expect.poll(() => app.getByText(/before ·/).count()).toBeGreaterThanOrEqual(22);
  expect(await app.getByText("Customers with a member order ÷ customers with an order", { exact: false }).count()).toBe(1);
  // The charts are drawn (polaris-viz renders SVG in the browser).
  await expect.poll(() => app.locator("svg path").count(), { timeout: 15_000 }).toBeGreaterThan(10);
  // The year-long tables arrive after the figures.
  await app.getByRole("columnheader", { name: "Month 0" }).waitFor({ timeout: 30_000 });
  await app.getByRole("columnheader", { name: "Segment", exact: true }).waitFor();
  // Every segment has its row, and the demo's members with an order this year are in them.
  const segments = app.getByRole("table").filter({ has: app.getByRole("columnheader", { name: "Segment", exact: true }) });
  const segmentRows = await segments.locator("tbody tr").allTextContents();
  expect(segmentRows.map((r) => /^(Champions|Loyal|Promising|Needs attention|At risk|Lost)/.exec(r)?.[1])).toEqual([
    "Champions",
    "Loyal",
    "Promising",
    "Needs attention",
    "At risk",
    "Lost",
  ]);
  const inSegments = await segments.locator("tbody tr td:nth-child(2)").allTextContents();
  expect(inSegments.reduce((sum, n) => sum + Number(n.replace(/,/g, "")), 0)).toBeGreaterThan(0);
  await segments.screenshot({ path: path.join(SCREENSHOTS, "admin-analytics-rfm.png") });
  // Members joined over the year ≤ active members; the figure is a number.
  const joined = await app.getByText("Members joined", { exact: true }).locator("xpath=../..").locator("p").first().textContent();
  expect(Number(joined!.replace(/,/g, ""))).toBeLessThanOrEqual(members);
  // The demo's history spans months: a cohort row for each of the last 12 enrolment months, and
  // members who moved tier over the year.
  const cohortRows = app.getByRole("table").filter({ has: app.getByRole("columnheader", { name: "Month 0" }) });
  expect(await cohortRows.locator("tbody tr").count()).toBeGreaterThanOrEqual(10);
  const moves = app.getByRole("table").filter({ has: app.getByRole("columnheader", { name: "From", exact: true }) });
  expect(await moves.locator("tbody tr").count()).toBeGreaterThan(0);
  await expect.poll(() => app.getByText(/^Movement in the range: [1-9]\d* up/).count()).toBe(1);
  await page.waitForTimeout(1500); // the charts' entry animation, so the screenshot shows them drawn
  await page.screenshot({ path: path.join(SCREENSHOTS, "admin-analytics.png"), fullPage: true });
  // The admin frame scrolls inside the emulator's page: a viewport as tall as the page shows all of it.
  await page.setViewportSize({ width: 1400, height: 6400 });
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(SCREENSHOTS, "admin-analytics-full.png") });
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(SCREENSHOTS, "admin-analytics-phone.png"), fullPage: true });
  await page.close();
}, 120_000);
