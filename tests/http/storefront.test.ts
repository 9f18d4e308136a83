// Contract §4 over HTTP: app-proxy routes signed as Shopify signs them, redemption against the
// store emulator's Admin API, on SQLite and (when it answers) PostgreSQL.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { signedProxyQuery } from "../emulator/signing.ts";
import { Storefront } from "../emulator/storefront.ts";
import { API_SECRET, assertLedgerConsistent, describeDialects, startApp, tableCounts, type TestApp } from "../support/app";
import { customer, order, paid } from "../support/orders";

const SHOP = "north-wind.myshopify.com";
const OTHER = "south-sea.myshopify.com";

// Each test has customers of its own (ids 310…); a test that adds rewards does it in a shop of its
// own, so the program SHOP shows (and the storefront caches for 5 s) stays the default one.
describeDialects("storefront on %s", (dialect) => {
  let app: TestApp;
  let rewardId = "";

  const balance = async (customerId: number, shop = SHOP) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: shop, customerId: String(customerId) } } });
  const earn = async (customerId: number, units: number, shop = SHOP) => {
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(units * 100, customer(customerId))).payload);
    await app.settled();
  };
  const redeemAs = (customerId: number, body: unknown, shop = SHOP) =>
    app.emulator.proxy(shop, "redeem", { customerId: String(customerId), method: "POST", body });

  beforeAll(async () => {
    app = await startApp(dialect);
    for (const s of [SHOP, OTHER]) {
      app.emulator.addShop(s, s, "USD");
      expect((await app.emulator.install(s)).status).toBe(200);
    }
    rewardId = (await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP } })).id;
  });
  afterAll(() => app?.stop());

  // Every Admin GraphQL document a test made the app send is one Shopify's schema accepts.
  let callsBefore = 0;
  beforeEach(() => {
    callsBefore = app.emulator.graphqlCalls.length;
  });
  afterEach(() => {
    app.emulator.failures = []; // a test's injected failures end with it
    expect(app.emulator.graphqlCalls.slice(callsBefore).filter((c) => c.errors)).toEqual([]);
  });

  it("answers a logged-out shopper with the program", async () => {
    const res = await app.emulator.proxy(SHOP, "me");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      loggedIn: false,
      enrolled: false,
      currency: "USD",
      rewards: [{ id: rewardId, name: "5 off", type: "fixed_amount", pointsCost: 500, value: "5.00" }],
    });
    const program = await (await app.emulator.proxy(SHOP, "program")).json();
    expect(program).toMatchObject({ currency: "USD", waysToEarn: [{ type: "order", points: 1 }], tiers: [] });
  });

  it("refuses bad signatures and stale timestamps, reading and writing nothing", async () => {
    const before = await tableCounts(app.db);
    const good = signedProxyQuery(SHOP, "301", API_SECRET);
    const tampered = new URLSearchParams(good);
    tampered.set("logged_in_customer_id", "302");
    const stale = signedProxyQuery(SHOP, "301", API_SECRET, {}, Math.floor(Date.now() / 1000) - 600);
    const wrongKey = signedProxyQuery(SHOP, "301", "not-the-secret");
    for (const query of [tampered, stale, wrongKey, new URLSearchParams({ shop: SHOP })]) {
      for (const [path, method] of [
        ["me", "GET"],
        ["join", "POST"],
        ["redeem", "POST"],
      ] as const) {
        const res = await fetch(`${app.url}/proxy/${path}?${query}`, {
          method,
          body: method === "POST" ? JSON.stringify({ rewardId, idempotencyKey: randomUUID() }) : undefined,
        });
        expect([400, 401]).toContain(res.status);
        expect(await res.json()).toMatchObject({ error: "invalid_signature" });
      }
    }
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("joins a logged-in customer once, and refuses logged-out or malformed joins", async () => {
    expect((await app.emulator.proxy(SHOP, "join", { method: "POST", body: {} })).status).toBe(401);
    const bad = await app.emulator.proxy(SHOP, "join", { customerId: "310", method: "POST", body: { birthday: "13-45" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_body" });
    const noSuchDay = await app.emulator.proxy(SHOP, "join", { customerId: "310", method: "POST", body: { birthday: "04-31" } });
    expect(noSuchDay.status).toBe(400);
    expect(await noSuchDay.json()).toMatchObject({ error: "invalid_body", message: "no such day in that month" });
    const first = await app.emulator.proxy(SHOP, "join", { customerId: "310", method: "POST", body: { birthday: "02-29" } });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ loggedIn: true, enrolled: true, customerId: "310", points: { available: 0 } });
    await app.emulator.proxy(SHOP, "join", { customerId: "310", method: "POST" });
    expect(await app.db.member.count({ where: { shopId: SHOP, customerId: "310" } })).toBe(1);
    expect(await balance(310)).toMatchObject({ birthdayMonth: 2, birthdayDay: 29 });
  });

  it("shows a member's balance, rewards and history", async () => {
    await earn(320, 620);
    const me = await (await app.emulator.proxy(SHOP, "me", { customerId: "320" })).json();
    expect(me).toMatchObject({
      loggedIn: true,
      enrolled: true,
      points: { available: 620, pending: 0, lifetime: 620 },
      tier: null,
      rewards: [{ id: rewardId, redeemable: true }],
      history: [
        {
          type: "earn",
          points: 620,
          status: "available",
          description: expect.stringMatching(/^Order #/),
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      ],
      referral: { code: expect.any(String), url: expect.stringContaining(SHOP) },
    });
  });

  it("rejects malformed, unknown and logged-out redemptions with stable codes", async () => {
    await earn(330, 600);
    const before = await tableCounts(app.db);
    expect((await redeemAs(330, { rewardId })).status).toBe(400);
    expect((await redeemAs(330, "not an object")).status).toBe(400);
    const unknown = await redeemAs(330, { rewardId: "nope", idempotencyKey: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "reward_not_found" });
    const loggedOut = await app.emulator.proxy(SHOP, "redeem", {
      method: "POST",
      body: { rewardId, idempotencyKey: randomUUID() },
    });
    expect(loggedOut.status).toBe(401);
    const notMember = await redeemAs(339, { rewardId, idempotencyKey: randomUUID() });
    expect(notMember.status).toBe(409);
    expect(await notMember.json()).toMatchObject({ error: "not_enrolled" });
    // A reward whose code could never apply (here 0% off) is refused before any point moves.
    const broken = await app.db.reward.create({
      data: { shopId: SHOP, name: "Nothing off", type: "percentage", percent: 0, pointsCost: 100 },
    });
    const afterReward = await tableCounts(app.db);
    const refused = await redeemAs(330, { rewardId: broken.id, idempotencyKey: randomUUID() });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: "reward_unavailable" });
    expect(await tableCounts(app.db)).toEqual(afterReward);
    await app.db.reward.delete({ where: { id: broken.id } });
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("never lets another shop's ids through", async () => {
    await earn(340, 800);
    // Same customer id, other shop: not a member there; this shop's reward is unknown there.
    const me = await (await app.emulator.proxy(OTHER, "me", { customerId: "340" })).json();
    expect(me).toMatchObject({ loggedIn: true, enrolled: false });
    await earn(340, 800, OTHER);
    const res = await redeemAs(340, { rewardId, idempotencyKey: randomUUID() }, OTHER);
    expect(res.status).toBe(404);
    expect(await balance(340, OTHER)).toMatchObject({ available: 800 });
    expect(await balance(340)).toMatchObject({ available: 800 });
    expect((await app.emulator.proxy("nobody.myshopify.com", "me", { customerId: "340" })).status).toBe(404);
  });

  it("spends exactly the balance under 20 concurrent redemptions", async () => {
    await earn(350, 1000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => redeemAs(350, { rewardId, idempotencyKey: randomUUID() })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 409)).toHaveLength(18);
    const codes = await Promise.all(answers.filter((a) => a.status === 200).map(async (a) => (await a.json()).redemption.code));
    expect(new Set(codes).size).toBe(2);
    for (const code of codes)
      expect(app.emulator.shop(SHOP).discountCodes.get(code)).toMatchObject({
        input: { usageLimit: 1, context: { customers: { add: ["gid://shopify/Customer/350"] } } },
      });
    expect(await balance(350)).toMatchObject({ available: 0 });
    await assertLedgerConsistent(app.db);
  });

  it("gives the same redemption and code for the same idempotency key", async () => {
    await earn(360, 1200);
    const key = randomUUID();
    const answers = await Promise.all([1, 2, 3].map(() => redeemAs(360, { rewardId, idempotencyKey: key })));
    const again = await redeemAs(360, { rewardId, idempotencyKey: key });
    const bodies = await Promise.all([...answers, again].map((a) => a.json()));
    expect(new Set(bodies.map((b) => b.redemption.code)).size).toBe(1);
    expect(bodies[0]).toMatchObject({ redemption: { pointsSpent: 500, status: "issued" }, points: { available: 700 } });
    const m = await balance(360);
    expect(m).toMatchObject({ available: 700 });
    expect(await app.db.redemption.findMany({ where: { memberId: m.id } })).toMatchObject([
      { idempotencyKey: key, pointsSpent: 500, status: "issued", code: bodies[0].redemption.code },
    ]);
  });

  it("gives the points back when Shopify fails, and retries a throttled call", async () => {
    app.expectServerErrors(/\[redeem\].*\bshopify_unavailable\b|"code":"shopify_unavailable"/); // the failed attempt, logged
    await earn(370, 700);
    app.emulator.failures = [503, 503, 503];
    const failed = await redeemAs(370, { rewardId, idempotencyKey: randomUUID() });
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: "shopify_unavailable" });
    expect(await balance(370)).toMatchObject({ available: 700 });
    const entries = await app.db.ledgerEntry.findMany({
      where: { memberId: (await balance(370)).id },
      orderBy: { createdAt: "asc" },
    });
    expect(entries.map((e) => [e.kind, e.points])).toEqual([
      ["earn", 700],
      ["redeem", -500],
      ["refund_of_redemption", 500],
    ]);

    app.emulator.failures = ["throttled", 429];
    const retried = await redeemAs(370, { rewardId, idempotencyKey: randomUUID() });
    expect(retried.status).toBe(200);
    expect(await balance(370)).toMatchObject({ available: 200 });
    await assertLedgerConsistent(app.db);
  });

  it("answers a failed redemption's key the same way every time, with a code and no internal text", async () => {
    await earn(371, 700);
    const key = randomUUID();
    app.emulator.failures = [503, 503, 503];
    app.expectServerErrors(/"code":"shopify_unavailable"/); // the failed attempt, logged once
    const first = await redeemAs(371, { rewardId, idempotencyKey: key });
    const firstBody = await first.json();
    expect([first.status, firstBody.error]).toEqual([503, "shopify_unavailable"]);
    // Shopify answers again, but the key already has its answer (as Stripe replays): no new attempt, no debit.
    for (let i = 0; i < 2; i++) {
      const again = await redeemAs(371, { rewardId, idempotencyKey: key });
      expect(again.status).toBe(503);
      expect(await again.json()).toEqual(firstBody);
    }
    expect(JSON.stringify(firstBody)).not.toMatch(/Internal Server Error|fetch failed|prisma|myshopify\.com|\{"errors/i);
    expect(await app.db.redemption.findFirstOrThrow({ where: { shopId: SHOP, idempotencyKey: key } })).toMatchObject({
      status: "released",
      failure: "shopify_unavailable",
    });
    expect(await balance(371)).toMatchObject({ available: 700 });
    expect(await app.db.redemption.count({ where: { shopId: SHOP, idempotencyKey: key } })).toBe(1);
  });

  it("refuses a key used for another reward (422), and replays the same redemption for the same one", async () => {
    await earn(372, 1_200);
    const other = await app.db.reward.create({
      data: { shopId: SHOP, name: "Another 5 off", type: "fixed_amount", pointsCost: 500, valueMinor: 500 },
    });
    const key = randomUUID();
    const first = await (await redeemAs(372, { rewardId, idempotencyKey: key })).json();
    const reused = await redeemAs(372, { rewardId: other.id, idempotencyKey: key });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: "idempotency_key_reused" });
    const same = await (await redeemAs(372, { rewardId, idempotencyKey: key })).json();
    expect(same.redemption).toEqual(first.redemption);
    expect(await balance(372)).toMatchObject({ available: 700 });
    await app.db.reward.update({ where: { id: other.id }, data: { active: false } });
    await assertLedgerConsistent(app.db);
  });

  it("marks a redemption used when an order pays with its code", async () => {
    await earn(380, 500);
    const { redemption } = await (await redeemAs(380, { rewardId, idempotencyKey: randomUUID() })).json();
    const o = order(4_000, customer(380), { discountCode: redemption.code, discountMinor: 500 });
    await app.emulator.sendWebhook(SHOP, "orders/paid", paid(o).payload);
    await app.settled();
    expect(await app.db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({
      status: "used",
      orderId: String(o.id),
    });
    const me = await (await app.emulator.proxy(SHOP, "me", { customerId: "380" })).json();
    expect(me.history.map((h: { type: string }) => h.type)).toEqual(["earn", "redeem", "earn"]);
  });

  it("creates every kind of reward as a discount Shopify's schema accepts", async () => {
    const shop = await app.installShop("every-reward");
    await earn(390, 2_000, shop);
    const kinds = [
      { name: "10% off", type: "percentage", percent: 10, pointsCost: 300, minimumSubtotalMinor: 2_000 },
      { name: "Free shipping", type: "free_shipping", pointsCost: 200 },
      { name: "Free mug", type: "free_product", variantId: "gid://shopify/ProductVariant/4000010", pointsCost: 400 },
    ];
    for (const kind of kinds) {
      const reward = await app.db.reward.create({ data: { shopId: shop, ...kind } });
      const res = await redeemAs(390, { rewardId: reward.id, idempotencyKey: randomUUID() }, shop);
      expect(res.status).toBe(200);
      const { redemption } = await res.json();
      const created = app.emulator.shop(shop).discountCodes.get(redemption.code) as {
        kind: string;
        input: Record<string, unknown>;
      };
      expect(created.input).toMatchObject({
        usageLimit: 1,
        appliesOncePerCustomer: true,
        context: { customers: { add: ["gid://shopify/Customer/390"] } },
      });
      if (kind.type === "percentage")
        expect(created.input).toMatchObject({
          customerGets: { value: { percentage: 0.1 } },
          minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "20.00" } },
        });
      if (kind.type === "free_shipping") expect(created.kind).toBe("freeShippingCodeDiscount");
      if (kind.type === "free_product") {
        // One unit free, not every unit of the variant: the app's Function applies it.
        expect(created.kind).toBe("codeAppDiscount");
        expect(created.input).toMatchObject({ functionHandle: "loyalty-reward-discount", discountClasses: ["PRODUCT"] });
        expect(JSON.parse((created.input.metafields as Array<{ value: string }>)[0]!.value)).toEqual({
          type: "free_product",
          variantId: kind.variantId,
          minimumSubtotal: null,
          message: "Free mug",
        });
      }
      await app.db.reward.update({ where: { id: reward.id }, data: { active: false } });
    }
    expect(await balance(390, shop)).toMatchObject({ available: 2_000 - 300 - 200 - 400 });
  });

  it("issues a capped percentage reward as an app discount that the Function caps at checkout", async () => {
    const shop = await app.installShop("capped-reward");
    await earn(392, 1_000, shop);
    const reward = await app.db.reward.create({
      data: {
        shopId: shop,
        name: "15% off, up to 20.00",
        type: "percentage",
        percent: 15,
        maxDiscountMinor: 2_000,
        minimumSubtotalMinor: 5_000,
        pointsCost: 400,
      },
    });
    try {
      const res = await redeemAs(392, { rewardId: reward.id, idempotencyKey: randomUUID() }, shop);
      expect(res.status).toBe(200);
      const { redemption } = await res.json();
      const created = app.emulator.shop(shop).discountCodes.get(redemption.code) as {
        kind: string;
        input: Record<string, unknown>;
      };
      expect(created.kind).toBe("codeAppDiscount");
      expect(created.input).toMatchObject({
        functionHandle: "loyalty-reward-discount",
        discountClasses: ["ORDER"],
        usageLimit: 1,
        context: { customers: { add: ["gid://shopify/Customer/392"] } },
      });

      // A shopper's cart in the emulated storefront, which runs the Function as checkout would.
      const storefront = new Storefront(app.emulator, shop);
      await storefront.start();
      try {
        let cookie = "";
        const visit = async (path: string, body?: string) => {
          const r = await fetch(storefront.url + path, {
            method: body === undefined ? "GET" : "POST",
            headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
            body,
            redirect: "manual",
          });
          cookie = r.headers.get("set-cookie")?.split(";")[0] ?? cookie;
          return r;
        };
        const cart = async () =>
          (await (await visit("/cart.js")).json()) as { total_discount: number; discount_applied: boolean };
        await visit("/account/login?customer=392");
        await visit("/cart/add", "handle=leather-belt"); // 45.00: under the 50.00 minimum
        await visit(`/discount/${redemption.code}`);
        expect(await cart()).toMatchObject({ discount_applied: false, total_discount: 0 });
        await visit("/cart/add", "handle=merino-beanie"); // 77.00: 15% = 11.55
        expect(await cart()).toMatchObject({ discount_applied: true, total_discount: 1_155 });
        await visit("/cart/add", "handle=waxed-jacket"); // 266.00: 15% = 39.90, capped at 20.00
        expect(await cart()).toMatchObject({ discount_applied: true, total_discount: 2_000 });
        expect((await visit("/checkout", "")).status).toBe(303);
        await app.settled();

        // A free product is one unit free, however many the shopper has in the cart.
        const mug = await app.db.reward.create({
          data: {
            shopId: shop,
            name: "Free mug",
            type: "free_product",
            variantId: "gid://shopify/ProductVariant/4000010",
            pointsCost: 100,
          },
        });
        const mugCode = (await (await redeemAs(392, { rewardId: mug.id, idempotencyKey: randomUUID() }, shop)).json()).redemption
          .code;
        await app.db.reward.update({ where: { id: mug.id }, data: { active: false } });
        await visit("/cart/add", "handle=canvas-tote");
        await visit(`/discount/${mugCode}`);
        expect(await cart()).toMatchObject({ discount_applied: false });
        await visit("/cart/add", "handle=thermal-mug");
        await visit("/cart/add", "handle=thermal-mug");
        expect(await cart()).toMatchObject({ discount_applied: true, total_discount: 2_799 });
      } finally {
        await storefront.stop();
      }
      expect(await app.db.redemption.findUniqueOrThrow({ where: { id: redemption.id } })).toMatchObject({ status: "used" });
      expect(await balance(392, shop)).toMatchObject({ available: 1_000 - 400 + 246 - 100 }); // 266.00 − 20.00 earns 246
      // The shopper sees the cap and the minimum once the program cache (5 s) has caught up.
      await expect
        .poll(async () => (await (await app.emulator.proxy(shop, "me", { customerId: "392" })).json()).rewards, {
          timeout: 7_000,
          interval: 250,
        })
        .toContainEqual(expect.objectContaining({ id: reward.id, percent: 15, maximum: "20.00", minimumSubtotal: "50.00" }));
    } finally {
      await app.db.reward.update({ where: { id: reward.id }, data: { active: false } });
    }
  });

  it("settles reservations a crash left open: issued if Shopify has the code, else points back", async () => {
    await earn(395, 1_000);
    const m = await balance(395);
    // The server settles stale reservations itself every minute; with its job thread off, the
    // rows below are settled by this test's call only, whenever the server's timer would fire.
    await app.restart({ LOYALTY_WORKER: "off" });
    try {
      const { decryptToken } = await import("~/secrets.server");
      const token = decryptToken(
        (await app.db.session.findFirstOrThrow({ where: { shop: SHOP, isOnline: false } })).accessToken,
        SHOP,
      );
      const graphql = async (query: string, variables?: Record<string, unknown>) =>
        (
          await fetch(`${app.emulator.url}/${SHOP}/admin/api/2026-10/graphql.json`, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
            body: JSON.stringify({ query, variables }),
          })
        ).json();
      const { withLedger } = await import("~/models/ledger.server");
      const { settleStaleRedemptions } = await import("~/models/redemptions.server");
      const old = new Date(Date.now() - 10 * 60_000);
      for (const [id, code] of [
        ["rd_crash_a", "LC-CRASH-AAAAA"],
        ["rd_crash_b", "LC-CRASH-BBBBB"],
      ] as const) {
        await withLedger(app.db, async ({ tx, spend }) => {
          await tx.redemption.create({
            data: {
              id,
              shopId: SHOP,
              memberId: m.id,
              rewardId,
              idempotencyKey: `crash-${id}`,
              pointsSpent: 500,
              status: "reserved",
              code,
              createdAt: old,
            },
          });
          await spend({
            shopId: SHOP,
            memberId: m.id,
            kind: "redeem",
            points: -500,
            status: "available",
            availableAt: old,
            idempotencyKey: `redemption:${id}`,
            sourceType: "redemption",
            sourceId: id,
            actor: "test",
            reason: "Redeemed",
            occurredAt: old,
          });
        });
      }
      // The first one reached Shopify before the crash; the second did not.
      app.emulator.shop(SHOP).discountCodes.set("LC-CRASH-AAAAA", {
        id: "gid://shopify/DiscountCodeNode/42",
        kind: "basicCodeDiscount",
        code: "LC-CRASH-AAAAA",
        input: {},
        usageCount: 0,
      });
      expect(await settleStaleRedemptions(app.db, async () => graphql)).toBe(2);
      expect(await app.db.redemption.findUniqueOrThrow({ where: { id: "rd_crash_a" } })).toMatchObject({
        status: "issued",
        discountId: "gid://shopify/DiscountCodeNode/42",
      });
      expect(await app.db.redemption.findUniqueOrThrow({ where: { id: "rd_crash_b" } })).toMatchObject({ status: "released" });
      expect(await balance(395)).toMatchObject({ available: 500 });
      expect(await settleStaleRedemptions(app.db, async () => graphql)).toBe(0);
      await assertLedgerConsistent(app.db);
    } finally {
      await app.restart();
    }
  });
});
