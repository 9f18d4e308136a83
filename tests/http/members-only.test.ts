// Members-only rules over HTTP, on SQLite and PostgreSQL: the merchant's rules are stored, sent to
// Shopify as the validation Function's metafield (validationCreate once, then validationUpdate),
// and what Shopify keeps is what the Function enforces at checkout.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { adminIdToken } from "../emulator/signing.ts";
import { runValidationFunction } from "../emulator/validation-function.ts";
import { API_KEY, API_SECRET, describeDialects, startApp, type TestApp } from "../support/app";

describeDialects("members-only rules on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  let OTHER = "";
  const call = (init: RequestInit & { shop?: string } = {}) =>
    fetch(`${app.url}/app/api/members-only`, {
      ...init,
      headers: {
        Authorization: `Bearer ${adminIdToken(init.shop ?? SHOP, API_KEY, API_SECRET, "77001")}`,
        "Content-Type": "application/json",
      },
    });
  const put = (rules: unknown, shop = SHOP) => call({ method: "PUT", body: JSON.stringify({ rules }), shop });

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  let callsBefore = 0;
  beforeEach(async () => {
    SHOP = await app.installShop("vault-row");
    OTHER = await app.installShop("open-yard");
    callsBefore = app.emulator.graphqlCalls.length;
  });
  afterEach(() => {
    expect(app.emulator.graphqlCalls.slice(callsBefore).filter((c) => c.errors)).toEqual([]);
  });

  it("stores the rules, turns the validation on with them, and the Function enforces what Shopify keeps", async () => {
    const gold = await app.db.tier.create({ data: { shopId: SHOP, name: "Gold", thresholdPoints: 2500 } });
    await app.db.tier.create({ data: { shopId: SHOP, name: "Silver", thresholdPoints: 1000 } });
    const res = await put([
      { tag: "members-only", minTierId: null, until: null },
      { tag: "gold-preview", minTierId: gold.id, until: "2026-12-24" },
    ]);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      published: true,
      rules: [
        { tag: "members-only", minTierId: null, minTierName: null, until: null },
        { tag: "gold-preview", minTierId: gold.id, minTierName: "Gold", until: "2026-12-24" },
      ],
      validationId: expect.stringMatching(/^gid:\/\/shopify\/Validation\//),
    });
    const validations = [...app.emulator.shop(SHOP).validations.values()];
    expect(validations).toHaveLength(1);
    expect(validations[0]).toMatchObject({ functionHandle: "loyalty-members-only", enabled: true, blockOnFailure: true });
    const settings = validations[0]!.metafields.get("$app:loyalty-members-only.settings");
    expect(settings).toEqual({
      productTags: ["members-only", "gold-preview"],
      tierTags: ["loyalty-tier:Silver", "loyalty-tier:Gold"],
      tiers: ["Silver", "Gold"],
      rules: [
        { tag: "members-only", minTier: null, until: null },
        { tag: "gold-preview", minTier: "Gold", until: "2026-12-24" },
      ],
    });
    const line = { id: "gid://shopify/CartLine/1", title: "Trail Boots", tags: ["gold-preview"] };
    const silver = { tags: ["loyalty-tier:Silver"], metafields: {} };
    const blocked = await runValidationFunction({
      language: "en",
      today: "2026-12-01",
      customer: silver,
      lines: [line],
      settings,
    });
    expect(blocked.operations[0]!.validationAdd.errors[0]!.message).toBe(
      "Trail Boots is open to Gold members until 2026-12-24. Reach Gold to buy it now.",
    );

    // Saving again updates the same validation; an empty list leaves nothing blocked.
    expect((await (await put([])).json()).published).toBe(true);
    expect(app.emulator.shop(SHOP).validations.size).toBe(1);
    const cleared = validations[0]!.metafields.get("$app:loyalty-members-only.settings");
    expect(
      await runValidationFunction({ language: "en", today: "2026-12-01", customer: null, lines: [line], settings: cleared }),
    ).toEqual({
      operations: [],
    });
    // Another shop sees none of it.
    expect((await (await call({ shop: OTHER })).json()).rules).toEqual([]);
  });

  it("publishes the rules again when the program's tiers change, so checkout knows the new names", async () => {
    const gold = await app.db.tier.create({ data: { shopId: SHOP, name: "Gold", thresholdPoints: 2500 } });
    expect((await put([{ tag: "gold-preview", minTierId: gold.id, until: null }])).status).toBe(200);
    const settings = () =>
      [...app.emulator.shop(SHOP).validations.values()][0]!.metafields.get("$app:loyalty-members-only.settings");
    expect(settings()).toMatchObject({ tiers: ["Gold"], rules: [{ tag: "gold-preview", minTier: "Gold" }] });
    // The merchant renames the tier in the program and adds one below it.
    const program = (init: RequestInit = {}) =>
      fetch(`${app.url}/app/api/program`, {
        ...init,
        headers: {
          Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET, "77001")}`,
          "Content-Type": "application/json",
        },
      });
    const doc = await (await program()).json();
    const tiers = doc.tiers.map((t: { id: string; name: string }) => (t.id === gold.id ? { ...t, name: "Gold Club" } : t));
    const silver = { name: "Silver", thresholdPoints: 1000, earnMultiplierPct: 110, translations: {} };
    expect((await program({ method: "PUT", body: JSON.stringify({ ...doc, tiers: [silver, ...tiers] }) })).status).toBe(200);
    expect(settings()).toEqual({
      productTags: ["gold-preview"],
      tierTags: ["loyalty-tier:Silver", "loyalty-tier:Gold Club"],
      tiers: ["Silver", "Gold Club"],
      rules: [{ tag: "gold-preview", minTier: "Gold Club", until: null }],
    });
    expect(app.emulator.shop(SHOP).validations.size).toBe(1);
    // A shop without rules gets no validation from a program save.
    const other = await (
      await fetch(`${app.url}/app/api/program`, {
        headers: { Authorization: `Bearer ${adminIdToken(OTHER, API_KEY, API_SECRET, "77001")}` },
      })
    ).json();
    const saved = await fetch(`${app.url}/app/api/program`, {
      method: "PUT",
      headers: {
        Authorization: `Bearer ${adminIdToken(OTHER, API_KEY, API_SECRET, "77001")}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ ...other, pendingDays: 2 }),
    });
    expect(saved.status).toBe(200);
    expect(app.emulator.shop(OTHER).validations.size).toBe(0);
  });

  it("refuses bad rules with field errors and changes nothing", async () => {
    await put([{ tag: "vip" }]);
    const before = await app.db.accessRule.findMany({ where: { shopId: SHOP } });
    const otherTier = await app.db.tier.create({ data: { shopId: OTHER, name: "Gold", thresholdPoints: 1 } });
    for (const [rules, path] of [
      [[{ tag: "" }], "rules.0.tag"],
      [[{ tag: "a", until: "24.12.2026" }], "rules.0.until"],
      [[{ tag: "a", minTierId: otherTier.id }], "rules.0.minTierId"],
      [[{ tag: "a" }, { tag: "A" }], "rules.1.tag"],
    ] as const) {
      const res = await put(rules);
      expect(res.status).toBe(422);
      expect((await res.json()).errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await app.db.accessRule.findMany({ where: { shopId: SHOP } })).toEqual(before);
    expect((await fetch(`${app.url}/app/api/members-only`)).status).toBe(401);
  });
});
