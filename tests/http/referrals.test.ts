// Referrals and bonuses over HTTP (and the birthday job against the same database). Each test
// runs in a shop of its own, with referrals and bonuses turned on, so it needs no other test.
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { awardBirthdays } from "~/models/bonuses.server";
import { orderPayload } from "../emulator/payloads.ts";
import { describeDialects, startApp, type TestApp } from "../support/app";
import { customer, order } from "../support/orders";

describeDialects("referrals and bonuses on %s", (dialect) => {
  let app: TestApp;
  const member = (shop: string, id: number) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: shop, customerId: String(id) } } });
  const pay = async (shop: string, id: number, email: string, address1: string, codes: string[] = []) => {
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
    await app.emulator.sendWebhook(shop, "orders/paid", payload);
    await app.settled();
  };
  /** A shop whose merchant turned on referrals and bonuses: a new program version. */
  const referralShop = async (name: string) => {
    const shop = await app.installShop(name);
    await app.db.programVersion.create({
      data: { shopId: shop, version: 2, signupBonus: 50, birthdayBonus: 200, referrerPoints: 100, refereePercent: 15 },
    });
    await app.db.shop.update({ where: { id: shop }, data: { programVersion: 2, timezone: "Asia/Tehran" } });
    return shop;
  };

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  // Every Admin GraphQL document a test made the app send is one Shopify's schema accepts.
  let callsBefore = 0;
  beforeEach(() => {
    callsBefore = app.emulator.graphqlCalls.length;
  });
  afterEach(() => {
    expect(app.emulator.graphqlCalls.slice(callsBefore).filter((c) => c.errors)).toEqual([]);
  });

  it("pays the signup bonus once", async () => {
    const shop = await referralShop("signup-bonus");
    for (let i = 0; i < 3; i++) {
      expect(
        (await app.emulator.proxy(shop, "join", { customerId: "500", method: "POST", body: { birthday: "07-14" } })).status,
      ).toBe(200);
    }
    expect(await member(shop, 500)).toMatchObject({ available: 50, birthdayMonth: 7, birthdayDay: 14 });
    expect(await app.db.ledgerEntry.count({ where: { memberId: (await member(shop, 500)).id, kind: "bonus" } })).toBe(1);
  });

  it("pays the birthday bonus once a year on the shop's local date", async () => {
    // awardBirthdays runs over every shop: no other test here has a member born on 21 March.
    const shop = await referralShop("birthday-bonus");
    expect(
      (await app.emulator.proxy(shop, "join", { customerId: "501", method: "POST", body: { birthday: "03-21" } })).status,
    ).toBe(200);
    expect(await member(shop, 501)).toMatchObject({ available: 50 });
    // 20 March 21:00 UTC is already 21 March in Tehran.
    const now = new Date("2027-03-20T21:00:00Z");
    expect(await awardBirthdays(app.db, now)).toBe(1);
    expect(await awardBirthdays(app.db, now)).toBe(0);
    expect(await awardBirthdays(app.db, new Date("2027-03-20T12:00:00Z"))).toBe(0);
    expect(await member(shop, 501)).toMatchObject({ available: 250 });
  });

  it("creates the friend's discount when a friend arrives with a referral link", async () => {
    const shop = await referralShop("referral-link");
    await pay(shop, 510, "jane.doe@gmail.com", "1 Referrer Road");
    const code = (await member(shop, 510)).referralCode!;
    const res = await app.emulator.proxy(shop, `referral?code=${code}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code, percent: 15 });
    expect(app.emulator.shop(shop).discountCodes.get(code)).toMatchObject({
      input: { context: { all: "ALL" }, appliesOncePerCustomer: true },
    });
    expect((await app.emulator.proxy(shop, "referral?code=NOPE1234")).status).toBe(404);
    expect((await app.emulator.proxy(shop, "referral?code=x")).status).toBe(400);
  });

  it("rewards the referrer once per friend, and never for themself", async () => {
    const shop = await referralShop("referrer-reward");
    await pay(shop, 510, "jane.doe@gmail.com", "1 Referrer Road");
    const code = (await member(shop, 510)).referralCode!;
    const before = (await member(shop, 510)).available;
    await pay(shop, 511, "friend@example.com", "99 Friend Street", [code]); // a real friend
    await pay(shop, 511, "friend@example.com", "99 Friend Street", [code]); // the same friend again
    await pay(shop, 512, "janedoe+deals@gmail.com", "5 Other Lane", [code]); // the referrer's email, folded
    await pay(shop, 513, "someone@example.com", "1 referrer road", [code]); // the referrer's address
    await pay(shop, 510, "jane.doe@gmail.com", "1 Referrer Road", [code]); // the referrer's own code
    expect((await member(shop, 510)).available - before).toBe(100 + 50); // one referral + their own order's 50 points
    const referrals = await app.db.referral.findMany({ where: { shopId: shop }, orderBy: { refereeCustomerId: "asc" } });
    expect(referrals.map((r) => [r.refereeCustomerId, r.status, r.reason])).toEqual([
      ["510", "rejected", "self_referral_customer"],
      ["511", "rewarded", null],
      ["512", "rejected", "self_referral_email"],
      ["513", "rejected", "self_referral_address"],
    ]);
    const entries = await app.db.ledgerEntry.findMany({ where: { memberId: (await member(shop, 510)).id, kind: "referral" } });
    expect(entries).toHaveLength(1);
  });

  it("refuses a friend who had ordered before", async () => {
    const shop = await referralShop("not-first-order");
    await pay(shop, 510, "jane.doe@gmail.com", "1 Referrer Road");
    const code = (await member(shop, 510)).referralCode!;
    await pay(shop, 520, "early@example.com", "7 Early Ave");
    await pay(shop, 520, "early@example.com", "7 Early Ave", [code]);
    expect(
      await app.db.referral.findUniqueOrThrow({
        where: { shopId_refereeCustomerId: { shopId: shop, refereeCustomerId: "520" } },
      }),
    ).toMatchObject({ status: "rejected", reason: "not_first_order" });
    expect(await app.db.ledgerEntry.count({ where: { memberId: (await member(shop, 510)).id, kind: "referral" } })).toBe(0);
  });
});
