// Contract §5 over HTTP: the checkout and customer-account extensions' API, authenticated by
// session tokens signed as Shopify signs them, on SQLite and (when it answers) PostgreSQL.
import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkoutSessionToken, signJwt } from "../emulator/signing.ts";
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
import { createDraw } from "~/models/draws.server";
import { surveySummary } from "~/models/survey.server";

const SURFACES = ["checkout", "customer-account"] as const;
const SANDBOX = "https://extensions.shopifycdn.com";

describeDialects("checkout and customer-account API on %s", (dialect) => {
  let app: TestApp;
  let shop = "";
  let rewardId = "";

  const token = (customerId: string | null, extra: { secret?: string; ttl?: number; shop?: string } = {}) =>
    checkoutSessionToken(extra.shop ?? shop, API_KEY, extra.secret ?? API_SECRET, customerId, extra.ttl ?? 300);
  const call = (surface: string, path: string, bearer: string | null, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${app.url}/api/${surface}/${path}`, {
      method: init.method ?? "GET",
      headers: {
        Origin: SANDBOX,
        ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
        ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  const earn = async (customerId: number, units: number) => {
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(units * 100, customer(customerId))).payload);
    await app.settled();
  };
  const member = (customerId: number) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: shop, customerId: String(customerId) } } });

  beforeAll(async () => {
    app = await startApp(dialect);
    shop = await app.installShop("checkout-api");
    rewardId = (await app.db.reward.findFirstOrThrow({ where: { shopId: shop } })).id;
  });
  afterAll(() => app?.stop());

  it("answers a preflight with CORS for the extension sandbox", async () => {
    for (const surface of SURFACES) {
      const res = await fetch(`${app.url}/api/${surface}/redeem`, {
        method: "OPTIONS",
        headers: { Origin: SANDBOX, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization" },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type");
    }
  });

  it("answers a member with the proxy's body, from the token's customer only", async () => {
    await earn(8101, 620);
    for (const surface of SURFACES) {
      const res = await call(surface, "me?logged_in_customer_id=8102&customerId=8102", token("8101"));
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      const body = await res.json();
      const proxy = await (await app.emulator.proxy(shop, "me", { customerId: "8101" })).json();
      expect(body).toEqual(proxy);
      expect(body).toMatchObject({ loggedIn: true, enrolled: true, customerId: "8101", points: { available: 620 } });
    }
  });

  it("pages the token's customer's history with the proxy's cursor, as the proxy does", async () => {
    for (let i = 0; i < 27; i++) await earn(8191, 10 + i);
    const me = await (await call("customer-account", "me", token("8191"))).json();
    expect(me.history).toHaveLength(25);
    expect(me.historyNextCursor).toEqual(expect.any(String));
    const cursor = encodeURIComponent(me.historyNextCursor);
    for (const surface of SURFACES) {
      const res = await call(surface, `history?cursor=${cursor}`, token("8191"));
      expect(res.status).toBe(200);
      const page = await res.json();
      expect(page).toEqual(await (await app.emulator.proxy(shop, `history?cursor=${cursor}`, { customerId: "8191" })).json());
      expect(page.history).toHaveLength(2);
      expect(page.nextCursor).toBeNull();
    }
    // The customer comes from the token: without one, nothing to page.
    const guest = await call("customer-account", `history?cursor=${cursor}`, token(null));
    expect([guest.status, (await guest.json()).error]).toEqual([401, "not_logged_in"]);
  });

  it("answers a buyer who is not logged in with the program, and what the order would earn", async () => {
    const foreign = await (await call("checkout", "me?subtotal=42.90&currency=EUR", token(null))).json();
    expect(foreign.estimate).toBeUndefined();
    const res = await call("checkout", "me?subtotal=42.90&currency=USD", token(null));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      loggedIn: false,
      enrolled: false,
      rewards: [{ id: rewardId, pointsCost: 500 }],
      estimate: { points: 42, pendingDays: 0 },
    });
  });

  it("refuses a wrong secret, an expired token, another app's token, alg none and a foreign customer claim", async () => {
    await earn(8111, 600);
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: `https://${shop}/admin`, dest: shop, aud: API_KEY, sub: "gid://shopify/Customer/8111", iat: now };
    const unsigned = (payload: object) =>
      `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
    const hs256WithOtherHeader = (() => {
      // A valid HMAC over a header that names another algorithm: still refused (alg must be HS256).
      const head = Buffer.from(JSON.stringify({ alg: "HS512", typ: "JWT" })).toString("base64url");
      const body = Buffer.from(JSON.stringify({ ...claims, exp: now + 300 })).toString("base64url");
      return `${head}.${body}.${createHmac("sha256", API_SECRET).update(`${head}.${body}`).digest("base64url")}`;
    })();
    const bad = {
      "wrong secret": token("8111", { secret: "not-the-secret-0123456789" }),
      expired: token("8111", { ttl: -60 }),
      "foreign audience": signJwt({ ...claims, aud: "another-app", exp: now + 300 }, API_SECRET),
      "alg none": unsigned({ ...claims, exp: now + 300 }),
      "alg none with a signature": `${unsigned({ ...claims, exp: now + 300 })}${"A".repeat(43)}`,
      "another algorithm named": hs256WithOtherHeader,
      "no expiry": signJwt(claims, API_SECRET),
      "sub not a customer": signJwt({ ...claims, sub: "8111", exp: now + 300 }, API_SECRET),
      garbage: "not.a.token",
    };
    const before = await tableCounts(app.db);
    for (const surface of SURFACES) {
      for (const [label, bearer] of Object.entries(bad)) {
        for (const [path, method] of [
          ["me", "GET"],
          ["redeem", "POST"],
        ] as const) {
          const res = await call(surface, path, bearer, {
            method,
            body: method === "POST" ? { rewardId, idempotencyKey: randomUUID() } : undefined,
          });
          expect(res.status, `${surface} ${path} ${label}`).toBe(401);
          expect(await res.json()).toEqual({ error: "invalid_session_token", message: expect.any(String) });
        }
      }
      expect((await call(surface, "me", null)).status).toBe(401);
    }
    expect(await tableCounts(app.db)).toEqual(before);
    expect((await member(8111)).available).toBe(600);
  });

  it("redeems for the token's customer, ignoring a customer named in the body", async () => {
    await earn(8121, 500);
    await earn(8122, 500);
    const res = await call("checkout", "redeem", token("8121"), {
      method: "POST",
      body: { rewardId, idempotencyKey: randomUUID(), customerId: "8122", logged_in_customer_id: "8122" },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      redemption: { code: expect.stringMatching(/^LC-/), pointsSpent: 500 },
      points: { available: 0 },
    });
    // Until an order uses it, the code stays in the member's account.
    const me = await (await call("customer-account", "me", token("8121"))).json();
    expect(me.codes).toEqual([expect.objectContaining({ code: body.redemption.code, name: "5 off" })]);
    expect((await member(8121)).available).toBe(0);
    expect((await member(8122)).available).toBe(500);
    const redemption = await app.db.redemption.findUniqueOrThrow({ where: { id: body.redemption.id } });
    expect(redemption.memberId).toBe((await member(8121)).id);
    // The code Shopify created is for that customer alone.
    const discount = app.emulator.shop(shop).discountCodes.get(body.redemption.code);
    expect(JSON.stringify(discount)).toContain('"add":["gid://shopify/Customer/8121"]');
  });

  it("answers a redemption without a customer 401 and an unknown reward 404, with the proxy's codes", async () => {
    const loggedOut = await call("customer-account", "redeem", token(null), {
      method: "POST",
      body: { rewardId, idempotencyKey: randomUUID() },
    });
    expect(loggedOut.status).toBe(401);
    expect(await loggedOut.json()).toMatchObject({ error: "not_logged_in" });
    await earn(8131, 500);
    const unknown = await call("customer-account", "redeem", token("8131"), {
      method: "POST",
      body: { rewardId: "nope", idempotencyKey: randomUUID() },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "reward_not_found" });
    const text = await fetch(`${app.url}/api/checkout/redeem`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token("8131")}`, "Content-Type": "text/plain" },
      body: JSON.stringify({ rewardId, idempotencyKey: randomUUID() }),
    });
    expect(text.status).toBe(415);
    expect((await member(8131)).available).toBe(500);
  });

  it("spends one reward's worth of points once under 5 concurrent redemptions", async () => {
    await earn(8141, 500);
    for (const surface of SURFACES) {
      const bearer = token("8141");
      if (surface === "customer-account") await earn(8141, 500);
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map(() =>
          call(surface, "redeem", bearer, { method: "POST", body: { rewardId, idempotencyKey: randomUUID() } }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses, surface).toEqual([200, 409, 409, 409, 409]);
      const refused = await Promise.all(answers.filter((a) => a.status === 409).map((a) => a.json()));
      expect(refused.every((b) => b.error === "insufficient_points")).toBe(true);
      expect((await member(8141)).available).toBe(0);
    }
    expect(await app.db.redemption.count({ where: { shopId: shop, memberId: (await member(8141)).id } })).toBe(2);
    await assertLedgerConsistent(app.db);
  });

  it("the same key answers the same redemption, from either surface", async () => {
    await earn(8151, 1000);
    const key = randomUUID();
    const first = await (
      await call("checkout", "redeem", token("8151"), { method: "POST", body: { rewardId, idempotencyKey: key } })
    ).json();
    const again = await call("customer-account", "redeem", token("8151"), {
      method: "POST",
      body: { rewardId, idempotencyKey: key },
    });
    expect(again.status).toBe(200);
    expect((await again.json()).redemption).toEqual(first.redemption);
    expect((await member(8151)).available).toBe(500);
  });

  it("stores one survey answer per order and shows it, and what the order earned, on the thank-you page", async () => {
    const o = order(7300, customer(8161));
    await app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload);
    await app.settled();
    const gid = `gid://shopify/OrderIdentity/${o.id}`;
    const first = await call("checkout", "survey", token("8161"), { method: "POST", body: { orderId: gid, score: 9 } });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ answer: { orderId: String(o.id), score: 9 } });
    const second = await call("checkout", "survey", token("8161"), { method: "POST", body: { orderId: gid, score: 2 } });
    expect((await second.json()).answer.score).toBe(9);
    for (const bad of [{ orderId: gid, score: 11 }, { orderId: gid, score: 4.5 }, { orderId: "x", score: 5 }, {}]) {
      const res = await call("checkout", "survey", token("8161"), { method: "POST", body: bad });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_body" });
    }
    expect(await app.db.surveyAnswer.count({ where: { shopId: shop } })).toBe(1);
    const me = await (await call("checkout", `me?order=${encodeURIComponent(gid)}`, token("8161"))).json();
    expect(me).toMatchObject({
      points: { available: 73 },
      order: { id: String(o.id), earned: { points: 73, status: "available" }, survey: { score: 9 } },
    });
    // Another customer's token sees no earnings of that order.
    const other = await (await call("checkout", `me?order=${o.id}`, token("8162"))).json();
    expect(other.order).toMatchObject({ earned: null });
    // The order status page (customer accounts) asks the same question of the same order: still one answer.
    const fromAccount = await call("customer-account", "survey", token("8161"), {
      method: "POST",
      body: { orderId: String(o.id), score: 5 },
    });
    expect((await fromAccount.json()).answer.score).toBe(9);
  });

  it("summarises a period's answers for the merchant: responses, mean, NPS", async () => {
    const own = await app.installShop("survey-figures");
    const before = new Date(Date.now() - 1000);
    for (const [orderId, score] of [
      ["9100001", 10],
      ["9100002", 9],
      ["9100003", 3],
    ] as const) {
      const res = await call("checkout", "survey", token(null, { shop: own }), { method: "POST", body: { orderId, score } });
      expect(res.status).toBe(200);
    }
    const after = new Date(Date.now() + 1000);
    expect(await surveySummary(app.db, own, before, after)).toEqual({
      responses: 3,
      promoters: 2,
      passives: 0,
      detractors: 1,
      mean: 7.3,
      nps: 33,
    });
    expect((await surveySummary(app.db, own, new Date(0), before)).responses).toBe(0);
    expect(await app.db.surveyAnswer.count({ where: { shopId: own, customerId: { not: null } } })).toBe(0); // guests
  });

  it("customers/redact unlinks the customer's survey answers and keeps the score", async () => {
    const o = order(1000, customer(8171));
    await app.emulator.sendWebhook(shop, "orders/paid", paid(o).payload);
    await app.settled();
    await call("checkout", "survey", token("8171"), { method: "POST", body: { orderId: String(o.id), score: 3 } });
    expect(await app.db.surveyAnswer.findFirst({ where: { shopId: shop, customerId: "8171" } })).not.toBeNull();
    await app.emulator.sendWebhook(shop, "customers/redact", {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: 8171, email: "c8171@example.com", phone: null },
      orders_to_redact: [o.id],
    });
    await app.settled();
    expect(await app.db.surveyAnswer.count({ where: { shopId: shop, customerId: "8171" } })).toBe(0);
    expect(
      await app.db.surveyAnswer.findUnique({ where: { shopId_orderId: { shopId: shop, orderId: String(o.id) } } }),
    ).toMatchObject({
      customerId: null,
      score: 3,
    });
  });

  it("lists the draws in the customer account and enters them with the proxy's rules; the checkout has no draws", async () => {
    await earn(8201, 350);
    const draw = await createDraw(app.db, shop, "test", {
      name: "Account giveaway",
      endsAt: new Date(Date.now() + 3_600_000),
      pointsPerEntry: 100,
      maxEntriesPerCustomer: 3,
      winners: 1,
    });
    const listed = await call("customer-account", "draws", token("8201"));
    expect(listed.status).toBe(200);
    expect(listed.headers.get("access-control-allow-origin")).toBe("*");
    const body = await listed.json();
    expect(body).toEqual(await (await app.emulator.proxy(shop, "draws", { customerId: "8201" })).json());
    expect(body.draws).toEqual([
      expect.objectContaining({ id: draw.id, myEntries: 0, freeEntryUsed: false, acceptingEntries: true }),
    ]);
    const paidKey = randomUUID();
    const enter = () =>
      call("customer-account", `draws/${draw.id}/enter`, token("8201"), {
        method: "POST",
        body: { entries: 2, idempotencyKey: paidKey },
      });
    const first = await enter();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ myEntries: 2, points: { available: 150 } });
    expect(await (await enter()).json()).toMatchObject({ myEntries: 2, points: { available: 150 } }); // the same key: once
    const free = await call("customer-account", `draws/${draw.id}/enter`, token("8201"), {
      method: "POST",
      body: { free: true, idempotencyKey: randomUUID() },
    });
    expect(await free.json()).toMatchObject({ myEntries: 3, points: { available: 150 } });
    const over = await call("customer-account", `draws/${draw.id}/enter`, token("8201"), {
      method: "POST",
      body: { entries: 1, idempotencyKey: randomUUID() },
    });
    expect([over.status, (await over.json()).error]).toEqual([422, "entry_limit"]);
    expect((await member(8201)).available).toBe(150);
    const guest = await call("customer-account", `draws/${draw.id}/enter`, token(null), {
      method: "POST",
      body: { free: true, idempotencyKey: randomUUID() },
    });
    expect(guest.status).toBe(401);
    const checkout = await call("checkout", "draws", token("8201"));
    expect([checkout.status, (await checkout.json()).error]).toEqual([404, "not_found"]);
    await assertLedgerConsistent(app.db);
  });

  it("answers a shop that never installed 404 and writes nothing", async () => {
    const before = await tableCounts(app.db);
    const res = await call("checkout", "me", token("8181", { shop: "never-installed.myshopify.com" }));
    expect(res.status).toBe(404);
    expect(await tableCounts(app.db)).toEqual(before);
  });
});
