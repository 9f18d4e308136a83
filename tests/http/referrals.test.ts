// Referrals and bonuses over HTTP (and the birthday job against the same database).
import { afterAll, beforeAll, expect, it } from "vitest";
import { awardBirthdays } from "~/models/bonuses.server";
import { orderPayload } from "../emulator/payloads.ts";
import { startApp, describeDialects, type TestApp } from "../support/app";
import { customer, order } from "../support/orders";

const SHOP = "maple-goods.myshopify.com";

describeDialects("referrals and bonuses on %s", (dialect) => {
  let app: TestApp;
  const member = (id: number) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } });
  const pay = async (id: number, email: string, address1: string, codes: string[] = []) => {
    const o = order(5_000, customer(id, { email }), { discountCode: codes[0] ?? null });
    const payload = {
      ...orderPayload(o),
      email,
      shipping_address: {
        address1,
        address2: null,
        zip: "10001",
        country_code: "US",
        city: "New York",
        first_name: "A",
        last_name: "B",
      },
    };
    await app.emulator.sendWebhook(SHOP, "orders/paid", payload);
    await app.settled();
  };

  beforeAll(async () => {
    app = await startApp(dialect);
    app.emulator.addShop(SHOP, "Maple Goods", "USD");
    expect((await app.emulator.install(SHOP)).status).toBe(200);
    // The merchant turns on referrals and bonuses: a new program version.
    await app.db.programVersion.create({
      data: { shopId: SHOP, version: 2, signupBonus: 50, birthdayBonus: 200, referrerPoints: 100, refereePercent: 15 },
    });
    await app.db.shop.update({ where: { id: SHOP }, data: { programVersion: 2, timezone: "Asia/Tehran" } });
  });
  afterAll(() => app?.stop());

  it("pays the signup bonus once", async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await app.emulator.proxy(SHOP, "join", { customerId: "500", method: "POST", body: { birthday: "03-21" } })).status,
      ).toBe(200);
    }
    expect(await member(500)).toMatchObject({ available: 50 });
  });

  it("pays the birthday bonus once a year on the shop's local date", async () => {
    // 20 March 21:00 UTC is already 21 March in Tehran.
    const now = new Date("2027-03-20T21:00:00Z");
    expect(await awardBirthdays(app.db, now)).toBe(1);
    expect(await awardBirthdays(app.db, now)).toBe(0);
    expect(await awardBirthdays(app.db, new Date("2027-03-20T12:00:00Z"))).toBe(0);
    expect(await member(500)).toMatchObject({ available: 250 });
  });

  it("creates the friend's discount when a friend arrives with a referral link", async () => {
    await pay(510, "jane.doe@gmail.com", "1 Referrer Road");
    const code = (await member(510)).referralCode!;
    const res = await app.emulator.proxy(SHOP, `referral?code=${code}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code, percent: 15 });
    expect(app.emulator.shop(SHOP).discountCodes.get(code)).toMatchObject({
      input: { context: { all: "ALL" }, appliesOncePerCustomer: true },
    });
    expect((await app.emulator.proxy(SHOP, "referral?code=NOPE1234")).status).toBe(404);
    expect((await app.emulator.proxy(SHOP, "referral?code=x")).status).toBe(400);
  });

  it("rewards the referrer once per friend, and never for themself", async () => {
    const code = (await member(510)).referralCode!;
    const before = (await member(510)).available;
    await pay(511, "friend@example.com", "99 Friend Street", [code]); // a real friend
    await pay(511, "friend@example.com", "99 Friend Street", [code]); // the same friend again
    await pay(512, "janedoe+deals@gmail.com", "5 Other Lane", [code]); // the referrer's email, folded
    await pay(513, "someone@example.com", "1 referrer road", [code]); // the referrer's address
    await pay(510, "jane.doe@gmail.com", "1 Referrer Road", [code]); // the referrer's own code
    expect((await member(510)).available - before).toBe(100 + 50); // one referral + their own order's 50 points
    const referrals = await app.db.referral.findMany({ where: { shopId: SHOP }, orderBy: { refereeCustomerId: "asc" } });
    expect(referrals.map((r) => [r.refereeCustomerId, r.status, r.reason])).toEqual([
      ["510", "rejected", "self_referral_customer"],
      ["511", "rewarded", null],
      ["512", "rejected", "self_referral_email"],
      ["513", "rejected", "self_referral_address"],
    ]);
    const entries = await app.db.ledgerEntry.findMany({ where: { memberId: (await member(510)).id, kind: "referral" } });
    expect(entries).toHaveLength(1);
  });

  it("refuses a friend who had ordered before", async () => {
    const code = (await member(510)).referralCode!;
    await pay(520, "early@example.com", "7 Early Ave");
    await pay(520, "early@example.com", "7 Early Ave", [code]);
    expect(
      await app.db.referral.findUniqueOrThrow({
        where: { shopId_refereeCustomerId: { shopId: SHOP, refereeCustomerId: "520" } },
      }),
    ).toMatchObject({ status: "rejected", reason: "not_first_order" });
  });

  it("sent only Admin GraphQL the real schema accepts", () => {
    expect(app.emulator.graphqlCalls.filter((c) => c.errors)).toEqual([]);
  });
});
