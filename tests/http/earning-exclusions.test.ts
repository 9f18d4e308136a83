// What earns, over HTTP on SQLite and PostgreSQL: gift-card lines never (the contract's default
// program), and products the merchant excludes by tag in the program. The app learns product
// tags from products/* webhooks and, when the excluded tags change, by listing the tagged
// products through Admin GraphQL (the emulator answers from the store's products, validated
// against the real schema); refunds take back in proportion to the part that earned; a missed
// orders/paid found by reconciliation reads the order's lines the same way.
import type { ProgramDocumentInput } from "~/domain/program-document";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { adminIdToken } from "../emulator/signing.ts";
import { BROWSER_UA } from "../emulator/server.ts";
import type { Order } from "../emulator/payloads.ts";
import {
  API_KEY,
  API_SECRET,
  assertLedgerConsistent,
  describeDialects,
  startApp,
  type TestApp,
  adminFetch,
} from "../support/app";
import { customer, order, paid, refund, refunded } from "../support/orders";

describeDialects("earning exclusions on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  const call = (path: string, init: RequestInit = {}) => adminFetch(app.url, SHOP, "77010")(path, init);
  const program = async (change: (doc: ProgramDocumentInput) => void) => {
    const doc = await (await call("/app/api/program")).json();
    change(doc);
    const res = await call("/app/api/program", { method: "PUT", body: JSON.stringify(doc) });
    return { status: res.status, body: await res.json() };
  };
  const balance = async (id: number) =>
    (await app.db.member.findUnique({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } }))?.available ??
    null;
  const send = async (event: { topic: string; payload: unknown }) => {
    expect((await app.emulator.sendWebhook(SHOP, event.topic, event.payload)).status).toBe(200);
    await app.settled();
  };
  /** An order of the given lines: [amount in minor units, product id, gift card?]. */
  const orderOf = (who: number, lines: Array<[number, number, boolean?]>, extra: Partial<Order> = {}) => {
    const o = order(
      lines.map(([amount]) => amount),
      customer(who),
      extra,
    );
    lines.forEach(([, product, giftCard], i) =>
      Object.assign(o.lines[i]!, { product_id: product, gift_card: giftCard ?? false }),
    );
    return o;
  };
  const excludedRows = () => app.db.excludedProduct.findMany({ where: { shopId: SHOP }, orderBy: { productId: "asc" } });
  const until = async <T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}\n${app.server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  beforeEach(async () => {
    SHOP = await app.installShop("gift-corner");
  });
  afterEach(() => assertLedgerConsistent(app.db));

  it("never earns on a gift card, and refunding one takes nothing back", async () => {
    // 30.00 of merchandise and a 50.00 gift card, with a 5.00 code: Shopify's subtotal is 75.00,
    // of which 25.00 earns (the code is allocated to the merchandise; discounts never touch gift cards).
    const o = orderOf(
      501,
      [
        [3_000, 11],
        [5_000, 90, true],
      ],
      { discountCode: "WELCOME5", discountMinor: 500 },
    );
    await send(paid(o));
    expect(await balance(501)).toBe(25);
    const fact = await app.db.orderFact.findUniqueOrThrow({ where: { shopId_orderId: { shopId: SHOP, orderId: String(o.id) } } });
    expect(fact).toMatchObject({ subtotalMinor: 7_500, earnSubtotalMinor: 2_500, earnedPoints: 25 });

    await send(refunded(refund(o, [1])));
    expect(await balance(501)).toBe(25);
    await send(refunded(refund(o, [0])));
    expect(await balance(501)).toBe(0);
    expect(
      await app.db.orderFact.findUniqueOrThrow({ where: { shopId_orderId: { shopId: SHOP, orderId: String(o.id) } } }),
    ).toMatchObject({
      refundedMinor: 7_500,
      refundedEarnMinor: 2_500,
      reversedPoints: 25,
    });
  });

  it("validates the excluded tags: 422 with the field and nothing saved", async () => {
    const before = await app.db.programVersion.count({ where: { shopId: SHOP } });
    for (const tags of [["ok", ""], ["a,b"], Array.from({ length: 51 }, (_, i) => `t${i}`)]) {
      const res = await program((doc) => void (doc.earning = { ...doc.earning, excludedProductTags: tags }));
      expect(res.status).toBe(422);
      expect(res.body.errors[0].path).toMatch(/^earning\.excludedProductTags/);
    }
    expect(await app.db.programVersion.count({ where: { shopId: SHOP } })).toBe(before);
  });

  it("excludes products by tag: listed when the tags are saved, then kept from products/* webhooks", async () => {
    // Tags set before the program excluded them: no webhook tells the app, the listing does.
    await app.emulator.tagProduct(SHOP, 21, ["Clearance", "summer"], { deliver: false });
    await app.emulator.tagProduct(SHOP, 22, ["new"], { deliver: false });
    const saved = await program((doc) => void (doc.earning = { ...doc.earning, excludedProductTags: [" clearance ", "Sample"] }));
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.earning.excludedProductTags).toEqual(["clearance", "sample"]);
    // The listing is done once the shop says for which tags it filled the table.
    await until(
      () => app.db.shop.findUniqueOrThrow({ where: { id: SHOP } }),
      (shop) => shop.productTagsSynced === "clearance,sample",
      "the tagged products listed",
    );
    expect((await excludedRows()).map((r) => r.productId)).toEqual(["21"]);

    await send(
      paid(
        orderOf(601, [
          [4_000, 21],
          [1_500, 22],
        ]),
      ),
    );
    expect(await balance(601)).toBe(15);

    // The merchant tags product 22 as a sample and takes clearance off product 21: the webhooks say so.
    expect((await app.emulator.tagProduct(SHOP, 22, ["new", "SAMPLE"]))!.status).toBe(200);
    expect((await app.emulator.tagProduct(SHOP, 21, ["summer"]))!.status).toBe(200);
    await app.settled();
    expect((await excludedRows()).map((r) => r.productId)).toEqual(["22"]);
    await send(
      paid(
        orderOf(602, [
          [4_000, 21],
          [1_500, 22],
        ]),
      ),
    );
    expect(await balance(602)).toBe(40);

    // A deleted product is forgotten.
    expect((await app.emulator.sendWebhook(SHOP, "products/delete", { id: 22 })).status).toBe(200);
    await app.settled();
    expect(await excludedRows()).toEqual([]);

    // No excluded tags any more: the table empties, everything but gift cards earns.
    await app.emulator.tagProduct(SHOP, 23, ["sample"]);
    await app.settled();
    expect((await excludedRows()).map((r) => r.productId)).toEqual(["23"]);
    expect((await program((doc) => void (doc.earning = { ...doc.earning, excludedProductTags: [] }))).status).toBe(200);
    await until(excludedRows, (rows) => rows.length === 0, "the table emptied");
  });

  it("refunds an excluded line without taking points back", async () => {
    await app.emulator.tagProduct(SHOP, 31, ["sample"], { deliver: false });
    expect((await program((doc) => void (doc.earning = { ...doc.earning, excludedProductTags: ["sample"] }))).status).toBe(200);
    await until(excludedRows, (rows) => rows.length === 1, "the tagged products listed");
    const o = orderOf(701, [
      [2_000, 31],
      [6_000, 32],
    ]);
    await send(paid(o));
    expect(await balance(701)).toBe(60);
    await send(refunded(refund(o, [0])));
    expect(await balance(701)).toBe(60);
    await send(refunded(refund(o, [1])));
    expect(await balance(701)).toBe(0);
  });

  it("a product webhook with an unusable body is kept as a dead letter and changes nothing", async () => {
    await app.emulator.tagProduct(SHOP, 51, ["sample"], { deliver: false });
    expect((await program((doc) => void (doc.earning = { ...doc.earning, excludedProductTags: ["sample"] }))).status).toBe(200);
    await until(excludedRows, (rows) => rows.length === 1, "the tagged products listed");
    // Shopify is told 200 (its retries would bring the same body); the inbox keeps it under its code.
    const res = await app.emulator.sendWebhook(SHOP, "products/update", { id: "not-a-number", tags: "" });
    expect(res.status).toBe(200);
    await app.settled();
    expect(await app.db.webhookJob.findMany({ where: { shopId: SHOP, topic: "products/update" } })).toMatchObject([
      { status: "dead", lastError: "invalid_payload" },
    ]);
    expect((await excludedRows()).map((r) => r.productId)).toEqual(["51"]);
  });

  it("reconciliation reads a missed order's lines: its gift card earns nothing", async () => {
    const o = orderOf(801, [
      [2_500, 41],
      [10_000, 91, true],
    ]);
    app.emulator.recordOrder(SHOP, o); // Shopify has it; its orders/paid never arrives
    const res = await fetch(`${app.url}/app/api/reconcile`, {
      method: "POST",
      headers: { Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET)}`, "User-Agent": BROWSER_UA },
    });
    expect(res.status, app.server.output()).toBe(200);
    expect((await res.json()).report).toMatchObject({ missedPaid: 1, pointsCredited: 25 });
    expect(await balance(801)).toBe(25);
  });
});
