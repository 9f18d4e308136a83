// `npm run demo`: the whole product offline on embedded SQLite. Builds the app, starts the store
// emulator (Shopify's stand-in) and the app, installs a demo shop through token exchange, and
// replays 18 months of that shop's history as signed webhooks through the real pipeline.
import { execFileSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { removeSqliteDatabase } from "../app/sqlite-files.ts";
import { migrate, sqlitePath } from "./migrate.mjs";
import { StoreEmulator } from "../tests/emulator/server.ts";
import { appServerEnv, spawnAppServer } from "../tests/emulator/app-process.ts";
import { generateHistory } from "../tests/emulator/store.ts";
import { adminIdToken } from "../tests/emulator/signing.ts";
import { uiExtensions } from "../tests/emulator/extension-host.ts";
import { Storefront } from "../tests/emulator/storefront.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const APP_PORT = Number(process.env.PORT ?? 3000);
const EMULATOR_PORT = Number(process.env.EMULATOR_PORT ?? 3100);
const STOREFRONT_PORT = Number(process.env.STOREFRONT_PORT ?? 3200);
const SHOP = "demo-outfitters.myshopify.com";
const databaseUrl = process.env.DATABASE_URL ?? "file:./data/demo.sqlite";
const apiKey = process.env.SHOPIFY_API_KEY ?? "demo-api-key";
const apiSecret = process.env.SHOPIFY_API_SECRET ?? "demo-api-secret-not-for-production";
const appUrl = process.env.SHOPIFY_APP_URL ?? `http://localhost:${APP_PORT}`;
const log = (line) => console.log(`demo: ${line}`);

if (!databaseUrl.startsWith("file:")) throw new Error("the demo runs on embedded SQLite (DATABASE_URL=file:…)");

// Before anything starts: a taken port would otherwise fail halfway, with an app process left behind.
function portFree(port, host) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
for (const [port, host, variable] of [
  [APP_PORT, undefined, "PORT"],
  [EMULATOR_PORT, "127.0.0.1", "EMULATOR_PORT"],
  [STOREFRONT_PORT, "127.0.0.1", "STOREFRONT_PORT"],
]) {
  if (!(await portFree(port, host))) {
    console.error(`demo: port ${port} is in use: is another demo running? Stop it, or set ${variable} to a free port.`);
    process.exit(1);
  }
}

// Whatever has started is stopped when the demo ends, however it ends.
let app = null;
let storefront = null;
let emulator = null;
async function stopAll() {
  await app?.stop();
  await storefront?.stop();
  await emulator?.stop();
}
process.on("exit", () => app?.child.kill("SIGKILL")); // last resort: never leave the app running
const fail = async (error) => {
  console.error(`demo: failed: ${error?.message ?? error}`);
  await stopAll().catch(() => {});
  process.exit(1);
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

if (process.env.DEMO_SKIP_BUILD !== "1") {
  log("building the app…");
  execFileSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

// A fresh database each run: the seeded shop is the same on every machine.
removeSqliteDatabase(sqlitePath(databaseUrl));
await migrate(databaseUrl);

emulator = new StoreEmulator({ apiKey, apiSecret, appUrl, port: EMULATOR_PORT });
await emulator.start();
const shop = emulator.addShop(SHOP, "Demo Outfitters", "USD");
const history = generateHistory(shop, { seed: 42, customers: 240, orders: 2100, months: 18, now: new Date() });

app = await spawnAppServer(appServerEnv({ port: APP_PORT, databaseUrl, apiKey, apiSecret, appUrl, emulatorUrl: emulator.url }), {
  showErrors: true,
});
storefront = new Storefront(emulator, SHOP);
await storefront.start(STOREFRONT_PORT);
// The checkout and account extensions, bundled by the Shopify CLI in the background (the
// storefront's checkout and account pages wait for this same build).
uiExtensions().catch((error) => console.error(`the checkout and account extensions did not build: ${error.message}`));
const shutdown = async () => {
  await stopAll();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);

const installed = await emulator.install(SHOP);
if (installed.status !== 200) throw new Error(`install answered ${installed.status}`);
log(`installed ${SHOP} through token exchange`);

/** What a merchant sets up in the admin, through the same admin API the admin's pages use. */
async function editProgram(change) {
  const headers = () => ({
    Authorization: `Bearer ${adminIdToken(SHOP, apiKey, apiSecret, "demo-merchant")}`,
    "Content-Type": "application/json",
    "User-Agent": "loyalty-demo",
  });
  const current = await (await fetch(`${appUrl}/app/api/program`, { headers: headers() })).json();
  const res = await fetch(`${appUrl}/app/api/program`, {
    method: "PUT",
    headers: headers(),
    body: JSON.stringify(change(current)),
  });
  if (res.status !== 200) throw new Error(`saving the program answered ${res.status}: ${await res.text()}`);
}

// The program a merchant might have set up beside the default "5 off": every kind of reward,
// so the launcher shows what a shopper can afford and how far the rest are.
await editProgram((doc) => ({
  ...doc,
  rewards: [
    ...doc.rewards,
    { name: "Free shipping", type: "free_shipping", pointsCost: 300 },
    {
      name: "10% off, up to $25",
      type: "percentage",
      pointsCost: 1000,
      percent: 10,
      maxDiscountMinor: 2500,
      minimumSubtotalMinor: 5000,
    },
    { name: "Free Thermal Mug", type: "free_product", pointsCost: 1500, variantId: "gid://shopify/ProductVariant/4000010" },
  ],
}));

// VIP tiers by lifetime points, at the base rate while the history is replayed (so it earns the
// same on every run) and with their multipliers once it is in: tier changes are recorded as the
// history crosses the thresholds.
const TIERS = [
  { name: "Silver", thresholdPoints: 1_000, earnMultiplierPct: 100 },
  { name: "Gold", thresholdPoints: 5_000, earnMultiplierPct: 110 },
  { name: "Platinum", thresholdPoints: 25_000, earnMultiplierPct: 125 },
];
await editProgram((doc) => ({ ...doc, tiers: TIERS.map((t) => ({ ...t, earnMultiplierPct: 100 })) }));

// Every 20th webhook is delivered twice, as Shopify sometimes does.
const deliveries = history.flatMap((e, i) => (i % 20 === 0 ? [e, e] : [e]));
const started = Date.now();
let sent = 0;
const next = async () => {
  while (sent < deliveries.length) {
    const e = deliveries[sent++];
    const res = await emulator.sendWebhook(SHOP, e.topic, e.payload, {
      triggeredAt: e.at,
      webhookId: `demo-${history.indexOf(e)}`,
    });
    if (res.status !== 200) throw new Error(`${e.topic} answered ${res.status}: ${await res.text()}`);
  }
};
await Promise.all([next(), next(), next(), next()]);
log(
  `delivered ${deliveries.length} signed webhooks (${history.length} distinct) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

// Until the inbox is empty, as the app's metrics count it (with the door's arrivals not yet moved).
for (;;) {
  const metrics = await (await fetch(`http://127.0.0.1:${APP_PORT}/metrics`)).text();
  if (/^loyalty_inbox_backlog 0$/m.test(metrics)) break;
  await new Promise((r) => setTimeout(r, 200));
}
const db = new Database(sqlitePath(databaseUrl), { readonly: true });

// The replay ran today; the history it tells of spans 18 months. As if the app had been installed
// then: members enrolled at their first order, entries and tier changes dated when their orders
// were (the analytics triggers move the pre-aggregates with these updates, migration 0017).
const writer = new Database(sqlitePath(databaseUrl), { timeout: 30_000 });
writer.transaction(() => {
  writer
    .prepare(`UPDATE "LedgerEntry" SET "createdAt" = "occurredAt" WHERE "shopId" = ? AND "occurredAt" < "createdAt"`)
    .run(SHOP);
  writer
    .prepare(
      `UPDATE "Member" SET "enrolledAt" = (SELECT MIN("paidAt") FROM "OrderFact" "o" WHERE "o"."memberId" = "Member"."id")
       WHERE "shopId" = ? AND EXISTS (SELECT 1 FROM "OrderFact" "o" WHERE "o"."memberId" = "Member"."id" AND "o"."paidAt" IS NOT NULL)`,
    )
    .run(SHOP);
  writer
    .prepare(
      `UPDATE "TierChange" SET "createdAt" = (SELECT "e"."createdAt" FROM "LedgerEntry" "e"
         WHERE "e"."shopId" = "TierChange"."shopId" AND 'tier:' || "e"."idempotencyKey" = "TierChange"."eventKey")
       WHERE "shopId" = ? AND "eventKey" IN (SELECT 'tier:' || "idempotencyKey" FROM "LedgerEntry" WHERE "shopId" = ?)`,
    )
    .run(SHOP, SHOP);
})();
writer.close();
await editProgram((doc) => ({
  ...doc,
  tiers: doc.tiers.map((t) => ({ ...t, earnMultiplierPct: TIERS.find((x) => x.name === t.name)?.earnMultiplierPct ?? 100 })),
}));
// This month's storefront activity, through the app proxy as shoppers would: a few members redeem
// a reward, share their referral link, and friends open it.
const rewards = (await (await emulator.proxy(SHOP, "program")).json()).rewards;
const richest = db
  .prepare(
    `SELECT "customerId", "referralCode" FROM "Member" WHERE "state" = 'active' ORDER BY "available" DESC, "customerId" LIMIT 12`,
  )
  .all();
for (const [i, m] of richest.entries()) {
  const reward = rewards[i % rewards.length];
  const body = { rewardId: reward.id, idempotencyKey: `demo-redeem-${m.customerId}` };
  await emulator.proxy(SHOP, "redeem", { customerId: m.customerId, method: "POST", body });
  if (i % 2 === 0) await emulator.proxy(SHOP, "referral/shared", { customerId: m.customerId, method: "POST", body: {} });
  for (let v = 0; v < i % 4; v++) await emulator.proxy(SHOP, `referral?code=${m.referralCode}`);
}
const members = db.prepare(`SELECT count(*) AS n FROM "Member" WHERE "state" = 'active'`).get().n;
const entries = db.prepare(`SELECT count(*) AS n FROM "LedgerEntry"`).get().n;
const top = db
  .prepare(`SELECT "customerId", "available" FROM "Member" WHERE "state" = 'active' ORDER BY "available" DESC LIMIT 1`)
  .get();
db.close();
log(`processed in ${((Date.now() - started) / 1000).toFixed(1)} s: ${members} members, ${entries} ledger entries`);

const store = SHOP.replace(".myshopify.com", "");
console.log(`
  Loyalty Club demo is running (offline, SQLite at ${databaseUrl.replace("file:", "")}).

  Admin (embedded, as in Shopify's admin):  ${emulator.url}/store/${store}/apps/loyalty
  Storefront (theme app extension):        ${storefront.url}/account/login?customer=${top?.customerId ?? 7001}&return_to=/products/waxed-jacket
                                            (add ?locale=fa or ?locale=de to any page)
  Checkout, thank-you, account extensions:  add to the cart and "Check out" (the checkout extension beside the
                                            discount; "Pay now" leads to the thank-you page), ${storefront.url}/account/loyalty
                                            (the account page) and ${storefront.url}/account/orders (the order list block)
  Storefront API through the app proxy:     ${emulator.url}/s/${SHOP}/apps/loyalty/me?customer=${top?.customerId ?? 7001}
  Public program:                           ${emulator.url}/s/${SHOP}/apps/loyalty/program
  The app itself:                           ${appUrl}

  Press Ctrl-C to stop.
`);
