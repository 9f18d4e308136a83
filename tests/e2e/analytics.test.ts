// End to end: the Analytics page of `npm run demo` (18 months of orders) in real Chromium, inside
// the emulator's admin frame: figures with their definitions beside the previous period, the
// polaris-viz charts drawn, the year-long tables loaded; screenshots at desktop and phone width.
import path from "node:path";
import Database from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DESKTOP_UA, launch, openAdmin, SCREENSHOTS } from "../support/browser";
import { startDemo, type Demo } from "../support/demo";

let demo: Demo;
let dbFile = "";
let browser: Browser;
let adminUrl = "";

beforeAll(async () => {
  demo = await startDemo({ name: "e2e-analytics" });
  ({ dbFile, adminUrl } = demo);
  browser = await launch();
}, 270_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
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
