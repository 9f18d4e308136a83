// Tier-only rewards, translations and tier perks over HTTP, with real signed session tokens (the
// admin's, the extensions'), on SQLite and (when it answers) PostgreSQL: the admin API sets them,
// refuses what is wrong with 422 and changes nothing, the storefront shows a reward locked to a
// member below its tier and in the shopper's language, and redeeming it is refused before any
// point moves.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { adminIdToken, checkoutSessionToken } from "../emulator/signing.ts";
import {
  API_KEY,
  API_SECRET,
  assertLedgerConsistent,
  describeDialects,
  startApp,
  tableCounts,
  type TestApp,
} from "../support/app";
import { customer, order, paid } from "../support/orders";

describeDialects("tier-only rewards, translations and perks on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  let OTHER = "";
  const call = (path: string, init: RequestInit & { shop?: string } = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${adminIdToken(init.shop ?? SHOP, API_KEY, API_SECRET, "77002")}`,
        ...(init.body ? { "Content-Type": "application/json" } : {}),
      },
    });
  const getProgram = async (shop = SHOP) => (await call("/app/api/program", { shop })).json();
  const putProgram = (doc: unknown, shop = SHOP) => call("/app/api/program", { method: "PUT", body: JSON.stringify(doc), shop });
  const earn = async (customerId: number, units: number) => {
    expect(
      (await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(units * 100, customer(customerId))).payload)).status,
    ).toBe(200);
    await app.settled();
  };
  const member = (id: number) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } });
  const redeem = (customerId: string, rewardId: string) =>
    app.emulator.proxy(SHOP, "redeem", { customerId, method: "POST", body: { rewardId, idempotencyKey: randomUUID() } });
  // The storefront keeps the program it read for 5 s: wait until it shows this version.
  const storefrontAt = async (version: number) => {
    await expect
      .poll(
        async () => {
          const me = await (await app.emulator.proxy(SHOP, "program")).json();
          return me.rewards?.some((r: { name: string }) => r.name === `v${version}`) ?? false;
        },
        { timeout: 8_000, interval: 250 },
      )
      .toBe(true);
  };

  const GOLD_PERKS = [
    {
      text: "Free shipping on every order",
      translations: { de: "Kostenloser Versand bei jeder Bestellung", fa: "ارسال رایگان" },
    },
    { text: "Early access to sales", translations: { de: "Früher Zugang zum Sale" } },
  ];
  /** Silver from 10 and Gold from 100 lifetime points; a 30-point mug kept for Gold, in three languages. */
  async function setUp() {
    const doc = await getProgram();
    const withTiers = await (
      await putProgram({
        ...doc,
        tiers: [
          { name: "Silver", thresholdPoints: 10 },
          {
            name: "Gold",
            thresholdPoints: 100,
            earnMultiplierPct: 125,
            translations: { de: { name: "Gold-Stufe" }, fa: { name: "طلایی" } },
            perks: GOLD_PERKS,
          },
        ],
      })
    ).json();
    const gold = withTiers.tiers.find((t: { name: string }) => t.name === "Gold");
    const saved = await putProgram({
      ...withTiers,
      rewards: [
        ...withTiers.rewards,
        {
          name: "Free Thermal Mug",
          type: "free_product",
          pointsCost: 30,
          variantId: "gid://shopify/ProductVariant/4000010",
          product: { title: "Thermal Mug", imageUrl: "https://cdn.example.com/mug.png" },
          minTierId: gold.id,
          translations: { de: { name: "Gratis Thermobecher", description: "Für Gold-Mitglieder" }, fa: { name: "ماگ رایگان" } },
        },
        { name: `v${withTiers.version + 1}`, type: "free_shipping", pointsCost: 5 },
      ],
    });
    expect(saved.status).toBe(200);
    const program = await saved.json();
    await storefrontAt(program.version);
    return { program, gold, mug: program.rewards.find((r: { name: string }) => r.name === "Free Thermal Mug") };
  }

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  beforeEach(async () => {
    SHOP = await app.installShop("tier-rewards");
    OTHER = await app.installShop("tier-rewards-other");
  });
  afterEach(async () => {
    await assertLedgerConsistent(app.db);
  });

  it("saves a tier-only reward with translations and a chosen product, and a tier with perks", async () => {
    const { program, gold, mug } = await setUp();
    expect(mug).toMatchObject({
      minTierId: gold.id,
      variantId: "gid://shopify/ProductVariant/4000010",
      product: { title: "Thermal Mug", imageUrl: "https://cdn.example.com/mug.png" },
      translations: { de: { name: "Gratis Thermobecher", description: "Für Gold-Mitglieder" }, fa: { name: "ماگ رایگان" } },
    });
    expect(program.tiers[1]).toMatchObject({ name: "Gold", perks: GOLD_PERKS });
    const row = await app.db.reward.findUniqueOrThrow({ where: { id: mug.id } });
    expect(row).toMatchObject({ shopId: SHOP, minTierId: gold.id, productTitle: "Thermal Mug" });

    // The storefront, in German and in Persian: the reward's and tier's names, the tier's perks.
    const de = await (await app.emulator.proxy(SHOP, "program?locale=de")).json();
    expect(de.rewards.find((r: { id: string }) => r.id === mug.id)).toMatchObject({
      name: "Gratis Thermobecher",
      description: "Für Gold-Mitglieder",
      requiredTier: { id: gold.id, name: "Gold-Stufe" },
    });
    expect(de.tiers[1]).toMatchObject({
      name: "Gold-Stufe",
      perks: ["Kostenloser Versand bei jeder Bestellung", "Früher Zugang zum Sale"],
    });
    const fa = await (await app.emulator.proxy(SHOP, "program?locale=fa")).json();
    expect(fa.tiers[1].perks).toEqual(["ارسال رایگان", "Early access to sales"]);
    const en = await (await app.emulator.proxy(SHOP, "program")).json();
    expect(en.rewards.find((r: { id: string }) => r.id === mug.id)).toMatchObject({
      name: "Free Thermal Mug",
      description: null,
      requiredTier: { name: "Gold" },
    });
    // Every other reward is for everyone.
    expect(en.rewards.filter((r: { requiredTier: unknown }) => r.requiredTier === null)).toHaveLength(2);
  });

  it("refuses wrong tier restrictions, locales, perks and products with 422, changing nothing", async () => {
    const { program, gold, mug } = await setUp();
    const otherGold = (
      await (await putProgram({ ...(await getProgram(OTHER)), tiers: [{ name: "Gold", thresholdPoints: 100 }] }, OTHER)).json()
    ).tiers[0];
    const i = program.rewards.findIndex((r: { id: string }) => r.id === mug.id);
    const withMug = (patch: object) => ({
      ...program,
      rewards: program.rewards.map((r: { id: string }) => (r.id === mug.id ? { ...r, ...patch } : r)),
    });
    const goldIndex = program.tiers.findIndex((t: { id: string }) => t.id === gold.id);
    const withGold = (patch: object) => ({
      ...program,
      tiers: program.tiers.map((t: { id: string }) => (t.id === gold.id ? { ...t, ...patch } : t)),
    });
    const before = await tableCounts(app.db);
    const cases: Array<[unknown, string]> = [
      // another shop's tier, a tier that does not exist, a tier not saved yet
      [withMug({ minTierId: otherGold.id }), `rewards.${i}.minTierId`],
      [withMug({ minTierId: "nope" }), `rewards.${i}.minTierId`],
      [
        { ...withMug({ minTierId: "new" }), tiers: [...program.tiers, { name: "Platinum", thresholdPoints: 1000 }] },
        `rewards.${i}.minTierId`,
      ],
      // Gold archived (left out) while the mug is kept for it
      [{ ...program, tiers: program.tiers.filter((t: { id: string }) => t.id !== gold.id) }, `rewards.${i}.minTierId`],
      [withMug({ translations: { "not a locale": { name: "x" } } }), `rewards.${i}.translations.not a locale`],
      [withMug({ translations: { de: { name: " " } } }), `rewards.${i}.translations.de.name`],
      [withMug({ product: { title: "Mug", imageUrl: "javascript:alert(1)" } }), `rewards.${i}.product.imageUrl`],
      [withMug({ minTierId: 42 }), `rewards.${i}.minTierId`],
      [withGold({ perks: [{ text: "" }] }), `tiers.${goldIndex}.perks.0.text`],
      [withGold({ perks: [{ text: "Free shipping", translations: { DE: "x" } }] }), `tiers.${goldIndex}.perks.0.translations.DE`],
      [withGold({ perks: Array.from({ length: 11 }, (_, n) => ({ text: `Perk ${n}` })) }), `tiers.${goldIndex}.perks`],
      [withGold({ translations: { fa: { description: "بدون نام" } } }), `tiers.${goldIndex}.translations.fa.name`],
    ];
    for (const [body, path] of cases) {
      const res = await putProgram(body);
      expect(res.status, path).toBe(422);
      expect((await res.json()).errors, path).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
    }
    expect(await tableCounts(app.db)).toEqual(before);
    expect((await getProgram()).version).toBe(program.version);
    expect(await app.db.tier.count({ where: { shopId: SHOP, active: true } })).toBe(2);

    // Lifting the restriction first lets Gold be archived.
    const lifted = await (await putProgram(withMug({ minTierId: null }))).json();
    const archived = await putProgram({ ...lifted, tiers: lifted.tiers.filter((t: { id: string }) => t.id !== gold.id) });
    expect(archived.status).toBe(200);
  });

  it("shows the reward locked below its tier and refuses to redeem it, moving no points", async () => {
    const { mug, gold } = await setUp();
    await earn(4101, 50); // Silver: 50 points, enough, but below Gold
    await earn(4102, 200); // Gold
    const silver = await member(4101);
    const me = await (await app.emulator.proxy(SHOP, "me?locale=de", { customerId: "4101" })).json();
    expect(me.tier).toMatchObject({ name: "Silver", perks: [] });
    expect(me.nextTier).toMatchObject({
      name: "Gold-Stufe",
      perks: ["Kostenloser Versand bei jeder Bestellung", "Früher Zugang zum Sale"],
    });
    expect(me.rewards.find((r: { id: string }) => r.id === mug.id)).toMatchObject({
      name: "Gratis Thermobecher",
      requiredTier: { id: gold.id, name: "Gold-Stufe" },
      locked: true,
      redeemable: false,
    });
    expect(me.rewards.find((r: { name: string }) => r.name === "5 off")).toMatchObject({ locked: false });

    const before = await tableCounts(app.db);
    const refused = await redeem("4101", mug.id);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "tier_required" });
    // The customer account's API is the proxy's: locked there too, and refused the same way.
    const bearer = checkoutSessionToken(SHOP, API_KEY, API_SECRET, "4101", 300);
    const account = await fetch(`${app.url}/api/customer-account/me?locale=fa`, {
      headers: { Authorization: `Bearer ${bearer}` },
    });
    expect((await account.json()).rewards.find((r: { id: string }) => r.id === mug.id)).toMatchObject({
      name: "ماگ رایگان",
      requiredTier: { name: "طلایی" },
      locked: true,
    });
    const viaAccount = await fetch(`${app.url}/api/customer-account/redeem`, {
      method: "POST",
      headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
      body: JSON.stringify({ rewardId: mug.id, idempotencyKey: randomUUID() }),
    });
    expect(viaAccount.status).toBe(403);
    expect(await viaAccount.json()).toMatchObject({ error: "tier_required" });
    expect(await tableCounts(app.db)).toEqual(before);
    expect(await member(4101)).toMatchObject({ available: silver.available, lifetimeEarned: silver.lifetimeEarned });

    // A Gold member sees it unlocked, with Gold's perks, and redeems it.
    const goldMe = await (await app.emulator.proxy(SHOP, "me", { customerId: "4102" })).json();
    expect(goldMe.tier).toMatchObject({ name: "Gold", perks: GOLD_PERKS.map((p) => p.text) });
    expect(goldMe.rewards.find((r: { id: string }) => r.id === mug.id)).toMatchObject({ locked: false, redeemable: true });
    const redeemed = await redeem("4102", mug.id);
    expect(redeemed.status).toBe(200);
    expect((await member(4102)).available).toBe(200 * 1 - 30);
  });

  it("offers a reward whose tier was archived outside the document to no one", async () => {
    const { mug, gold } = await setUp();
    await earn(4201, 300);
    // Not something the document allows: a row written otherwise (an older import, a hand edit).
    await app.db.tier.update({ where: { id: gold.id }, data: { active: false } });
    await app.db.reward.update({ where: { id: mug.id }, data: { name: "v-archived" } });
    await expect
      .poll(async () => (await (await app.emulator.proxy(SHOP, "program")).json()).rewards.map((r: { id: string }) => r.id), {
        timeout: 8_000,
        interval: 250,
      })
      .not.toContain(mug.id);
    const before = await tableCounts(app.db);
    const refused = await redeem("4201", mug.id);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "tier_required" });
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("carries perks and tier restrictions between shops, onto the target's own tier ids", async () => {
    await setUp();
    const exported = await (await call("/app/export/program.json")).json();
    expect(exported.tiers[1].perks).toEqual(GOLD_PERKS);
    const target = await getProgram(OTHER);
    const existing = await (await putProgram({ ...target, tiers: [{ name: "Gold", thresholdPoints: 150 }] }, OTHER)).json();
    const res = await call("/app/import/program", { method: "POST", body: JSON.stringify(exported), shop: OTHER });
    expect(res.status).toBe(200);
    const imported = await res.json();
    const gold = imported.tiers.find((t: { name: string }) => t.name === "Gold");
    // Gold existed in the target: its id is kept, and the mug is kept for it there.
    expect(gold).toMatchObject({ id: existing.tiers[0].id, thresholdPoints: 100, perks: GOLD_PERKS });
    const mug = imported.rewards.find((r: { name: string }) => r.name === "Free Thermal Mug");
    expect(mug.minTierId).toBe(gold.id);
    expect(await app.db.reward.findUniqueOrThrow({ where: { id: mug.id } })).toMatchObject({ shopId: OTHER, minTierId: gold.id });
  });
});
