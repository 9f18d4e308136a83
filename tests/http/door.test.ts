// The doors' refusals that touch the database, over HTTP against the production server, on SQLite
// and (when it answers) PostgreSQL: a webhook body naming another shop than its (unsigned)
// header, a signed body the app cannot use, topic names from Object's prototype; app-proxy
// queries with a repeated Shopify parameter, and bodies that are not JSON.
import { afterAll, beforeAll, expect, it } from "vitest";
import { appProxySignature } from "../emulator/signing.ts";
import { API_SECRET, describeDialects, startApp, tableCounts, type TestApp } from "../support/app";
import { customer, order, paid } from "../support/orders";

const SHOP = "door-one.myshopify.com";
const OTHER = "door-two.myshopify.com";

/** A proxy query signed exactly as Shopify signs it, repeated keys included (values joined by ","). */
function signedPairs(pairs: Array<[string, string]>): URLSearchParams {
  const params: Record<string, string[]> = {};
  for (const [k, v] of pairs) (params[k] ??= []).push(v);
  return new URLSearchParams([...pairs, ["signature", appProxySignature(params, API_SECRET)]]);
}
const proxyPairs = (shop: string, ...customerIds: string[]): Array<[string, string]> => [
  ["shop", shop],
  ...customerIds.map((id): [string, string] => ["logged_in_customer_id", id]),
  ["path_prefix", "/apps/loyalty"],
  ["timestamp", String(Math.floor(Date.now() / 1000))],
];

describeDialects("the doors on %s", (dialect) => {
  let app: TestApp;
  const earn = async (shop: string, customerId: number, units: number) => {
    expect(
      (await app.emulator.sendWebhook(shop, "orders/paid", paid(order(units * 100, customer(customerId))).payload)).status,
    ).toBe(200);
    await app.settled();
  };
  const shopRows = async (shop: string) => ({
    shop: await app.db.shop.findUnique({ where: { id: shop }, select: { uninstalledAt: true } }),
    members: await app.db.member.count({ where: { shopId: shop } }),
    entries: await app.db.ledgerEntry.count({ where: { shopId: shop } }),
    sessions: await app.db.session.count({ where: { shop } }),
  });

  beforeAll(async () => {
    app = await startApp(dialect);
    for (const s of [SHOP, OTHER]) {
      app.emulator.addShop(s, s, "USD");
      expect((await app.emulator.install(s)).status).toBe(200);
    }
    await earn(OTHER, 901, 300);
    await earn(SHOP, 902, 700);
  });
  afterAll(() => app?.stop());

  it("refuses a genuine shop/redact or app/uninstalled body replayed under another installed shop's domain", async () => {
    const before = await tableCounts(app.db);
    const intact = await shopRows(OTHER);
    expect(intact).toMatchObject({ shop: { uninstalledAt: null }, members: 1, entries: 1, sessions: 1 });
    // Bodies Shopify signed for SHOP, sent again with OTHER in the header and a fresh webhook id.
    const replays: Array<[string, unknown]> = [
      ["shop/redact", { shop_id: 1, shop_domain: SHOP }],
      ["app/uninstalled", { id: 1, name: SHOP, domain: SHOP, myshopify_domain: SHOP }],
      ["customers/redact", { shop_id: 1, shop_domain: SHOP, customer: { id: 901 }, orders_to_redact: [] }],
      ["customers/data_request", { shop_id: 1, shop_domain: SHOP, customer: { id: 901 }, data_request: { id: 9 } }],
    ];
    for (const [topic, body] of replays) {
      const res = await app.emulator.sendWebhook(OTHER, topic, body);
      expect(res.status, topic).toBe(400);
      expect(await res.json()).toMatchObject({ error: "shop_mismatch" });
    }
    await app.settled();
    expect(await tableCounts(app.db)).toEqual(before);
    expect(await shopRows(OTHER)).toEqual(intact);
  });

  it("lets shop/redact delete nothing while the shop is installed", async () => {
    // The job says so (a warning, on stderr); the test looks for it below too.
    app.expectServerErrors(/shop\/redact (for \S+ )?skipped: the shop is installed/);
    const intact = await shopRows(OTHER);
    const res = await app.emulator.sendWebhook(
      OTHER,
      "shop/redact",
      { shop_id: 2, shop_domain: OTHER },
      { webhookId: "redact-installed" },
    );
    expect(res.status).toBe(200);
    await app.settled();
    expect(await shopRows(OTHER)).toEqual(intact);
    expect(await app.db.webhookJob.findFirstOrThrow({ where: { webhookId: "redact-installed" } })).toMatchObject({
      status: "done",
    });
    // The job thread's notice reaches the pipe a moment after its row says done.
    await expect
      .poll(() =>
        app.server
          .output()
          .split("\n")
          .some(
            (line) => line.includes('"msg":"shop/redact skipped: the shop is installed"') && line.includes(`"shop":"${OTHER}"`),
          ),
      )
      .toBe(true);
  });

  it("keeps a signed body it cannot use as a dead letter under a stable code, answered 200", async () => {
    const before = await tableCounts(app.db);
    const unusable = { id: 1, customer: { id: 903, email: "private.person@example.com" } }; // no subtotal, no dates
    const res = await app.emulator.sendWebhook(SHOP, "orders/paid", unusable, { webhookId: "unusable-1" });
    expect(res.status).toBe(200);
    // app/uninstalled without the shop it is about: not applied, kept.
    const noShop = await app.emulator.sendWebhook(SHOP, "app/uninstalled", { id: 1, domain: SHOP }, { webhookId: "unusable-2" });
    expect(noShop.status).toBe(200);
    // For a shop that never installed, nothing is kept at all.
    expect((await app.emulator.sendWebhook("stranger.myshopify.com", "orders/paid", unusable)).status).toBe(200);
    await app.settled();
    const dead = await app.db.webhookJob.findMany({
      where: { webhookId: { in: ["unusable-1", "unusable-2"] } },
      orderBy: { webhookId: "asc" },
    });
    expect(dead).toMatchObject([
      {
        shopId: SHOP,
        topic: "orders/paid",
        status: "dead",
        lastError: "invalid_payload",
        attempts: 0,
        payload: expect.any(String),
      },
      { shopId: SHOP, topic: "app/uninstalled", status: "dead", lastError: "invalid_payload" },
    ]);
    expect(await tableCounts(app.db)).toEqual({ ...before, jobs: before.jobs + 2 });
    expect(await app.db.shop.findUniqueOrThrow({ where: { id: SHOP } })).toMatchObject({ uninstalledAt: null });
    // The merchant sees it among the dead letters of the System page.
    const { systemStatus } = await import("~/models/dashboard.server");
    expect((await systemStatus(app.db, SHOP)).deadLetters.latest.map((j) => j.lastError)).toContain("invalid_payload");
  });

  it("has no webhook route named after Object's prototype", async () => {
    const before = await tableCounts(app.db);
    for (const topic of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const res = await app.emulator.sendWebhook(SHOP, topic, { shop_domain: SHOP });
      expect(res.status, topic).toBe(404);
      expect(await res.json()).toMatchObject({ error: "unknown_topic" });
    }
    expect(await tableCounts(app.db)).toEqual(before);
  });

  it("refuses a repeated Shopify parameter and a customer id that is not one, even when signed", async () => {
    const before = await tableCounts(app.db);
    const call = (pairs: Array<[string, string]>, path = "me", method = "GET") =>
      fetch(`${app.url}/proxy/${path}?${signedPairs(pairs)}`, {
        method,
        headers: method === "POST" ? { "Content-Type": "application/json" } : {},
        body: method === "POST" ? "{}" : undefined,
      });
    // The shopper's own ?logged_in_customer_id=902 beside the one Shopify adds (903).
    for (const [path, method] of [
      ["me", "GET"],
      ["join", "POST"],
    ]) {
      const res = await call(proxyPairs(SHOP, "902", "903"), path, method);
      expect(res.status, path).toBe(400);
      const body = await res.json();
      expect(body).toMatchObject({ error: "repeated_parameter" });
      expect(JSON.stringify(body)).not.toContain("700");
    }
    for (const repeated of ["path_prefix", "timestamp"]) {
      const pairs = proxyPairs(SHOP, "902");
      pairs.push(pairs.find(([k]) => k === repeated)!);
      expect((await call(pairs)).status, repeated).toBe(400);
    }
    for (const id of ["902,903", "abc", "-1", " 902"]) {
      const res = await call(proxyPairs(SHOP, id), "join", "POST");
      expect(res.status, id).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_customer" });
    }
    expect(await tableCounts(app.db)).toEqual(before);
    // Other repeated parameters are signed joined, as Shopify's library checks them.
    const fine = await call([...proxyPairs(SHOP, "902"), ["utm", "a"], ["utm", "b"]]);
    expect(fine.status).toBe(200);
    expect(await fine.json()).toMatchObject({ customerId: "902", points: { available: 700 } });
  });

  it("takes state-changing storefront calls as JSON only: a simple cross-site post gets 415", async () => {
    const before = await tableCounts(app.db);
    const rewardId = (await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP } })).id;
    const simple: Array<[string, string, string]> = [
      ["join", "text/plain;charset=UTF-8", JSON.stringify({ birthday: "01-02" })],
      ["join", "text/plain", ""],
      ["join", "application/x-www-form-urlencoded", "birthday=01-02"],
      [
        "join",
        "multipart/form-data; boundary=x",
        '--x\r\nContent-Disposition: form-data; name="birthday"\r\n\r\n01-02\r\n--x--\r\n',
      ],
      ["redeem", "text/plain", JSON.stringify({ rewardId, idempotencyKey: "cross-site-0001" })],
      ["redeem", "application/x-www-form-urlencoded", `rewardId=${rewardId}&idempotencyKey=cross-site-0002`],
    ];
    for (const [path, contentType, rawBody] of simple) {
      const res = await app.emulator.proxy(SHOP, path, { customerId: "904", method: "POST", rawBody, contentType });
      expect(res.status, `${path} ${contentType}`).toBe(415);
      expect(await res.json()).toMatchObject({ error: "unsupported_media_type" });
    }
    // A body without any Content-Type is refused too; only a bodiless call needs none.
    const untyped = await app.emulator.proxy(SHOP, "join", {
      customerId: "904",
      method: "POST",
      rawBody: "{}",
      contentType: null,
    });
    expect(untyped.status).toBe(415);
    expect(await tableCounts(app.db)).toEqual(before);

    const bodiless = await app.emulator.proxy(SHOP, "join", { customerId: "904", method: "POST" });
    expect(bodiless.status).toBe(200);
    const withCharset = await app.emulator.proxy(SHOP, "join", {
      customerId: "905",
      method: "POST",
      rawBody: JSON.stringify({ birthday: "03-04" }),
      contentType: "application/json; charset=utf-8",
    });
    expect(withCharset.status).toBe(200);
    expect(await app.db.member.count({ where: { shopId: SHOP, customerId: { in: ["904", "905"] } } })).toBe(2);
  });
});
