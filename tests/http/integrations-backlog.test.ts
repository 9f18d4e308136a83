// Points before integrations: while the job thread drains a backlog of orders, Flow hears nothing
// (the outbox holds the events); once the backlog is credited, every trigger goes out. PostgreSQL
// only: on SQLite the job thread's one connection already queues the channels' statements behind
// the order batches, so a Flow pass barely moves during a drain with or without giving way (tried:
// the test passed there with giving way switched off), and it could not tell the two apart.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDialects, startApp, type TestApp } from "../support/app";
import { customer, order, paid } from "../support/orders";

/** enough that the drain outlasts the channels' first turns */
const ORDERS = 8_000;
/** a job thread's claim; up to two claims (two batch loops) may still be in flight when integrations resume */
const BATCH = 200;

describeDialects(
  "integrations give way to a backlog of orders on %s",
  (dialect) => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(dialect, { LOYALTY_WORKER: "off" });
    });
    afterAll(() => app?.stop());

    it("credits the backlog before Flow hears of it, then fires every trigger", async () => {
      const shop = await app.installShop("backlog-first");
      const shoppers = Array.from({ length: 50 }, (_, i) => customer(74_000 + i));
      const orders = Array.from({ length: ORDERS }, (_, i) => order(1_000 + (i % 9) * 700, shoppers[i % shoppers.length]!));
      const answers = await app.emulator.deliverAll(shop, orders.map(paid), { copies: 1, concurrency: 16 });
      expect(answers.every((a) => a.status === 200)).toBe(true);

      await app.restart({});
      const started = Date.now();
      const samples: Array<{ credited: number; triggers: number }> = [];
      for (;;) {
        const credited = await app.db.orderFact.count({ where: { shopId: shop, earnVersion: { not: null } } });
        samples.push({ credited, triggers: app.emulator.shop(shop).flowTriggers.length });
        if (credited === ORDERS) break;
        if (Date.now() - started > 120_000) throw new Error(`${credited} of ${ORDERS} credited after 2 minutes`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The drain outlasted the channels' first turns (every 1 s), so they had the chance to compete.
      expect(Date.now() - started).toBeGreaterThan(2_000);
      const firstTrigger = samples.find((s) => s.triggers > 0);
      if (firstTrigger) expect(firstTrigger.credited).toBeGreaterThanOrEqual(ORDERS - 2 * BATCH);

      // Then Flow catches up: a member.joined per shopper and a points.earned per order.
      await expect
        .poll(() => app.emulator.shop(shop).flowTriggers.filter((t) => t.handle === "loyalty-points-earned").length, {
          timeout: 180_000,
          interval: 250,
        })
        .toBe(ORDERS);
      expect(app.emulator.shop(shop).flowTriggers.filter((t) => t.handle === "loyalty-member-joined")).toHaveLength(
        shoppers.length,
      );
    }, 300_000);
  },
  // PostgreSQL only (above): on SQLite the test could not fail.
  ["postgresql"],
);
