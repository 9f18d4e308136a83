// The birthday gift the merchant chooses, over HTTP on SQLite and PostgreSQL: set in the program
// document, issued as a code N days before the birthday (shop's local date), once per birthday,
// listed with the shopper's codes.
import { afterAll, beforeAll, expect, it } from "vitest";
import { giveBirthdayGifts } from "~/models/bonuses.server";
import { adminIdToken } from "../emulator/signing.ts";
import { API_KEY, API_SECRET, describeDialects, startApp, type TestApp } from "../support/app";

describeDialects("birthday gift on %s", (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  const admin = (shop: string, path: string, init: RequestInit = {}) =>
    fetch(`${app.url}/app/api${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${adminIdToken(shop, API_KEY, API_SECRET, "1")}`, "Content-Type": "application/json" },
    });
  // What the app's job thread uses, here straight to the store emulator with the shop's token.
  const graphqlFor = async (shop: string) => {
    const token = [...app.emulator.shop(shop).accessTokens][0]!;
    return async (query: string, variables?: Record<string, unknown>) =>
      (
        await fetch(`${app.emulator.url}/${shop}/admin/api/2026-10/graphql.json`, {
          method: "POST",
          headers: { "X-Shopify-Access-Token": token, "Content-Type": "application/json" },
          body: JSON.stringify({ query, variables }),
        })
      ).json();
  };

  it("is chosen in the program document: a reward of the program, days before", async () => {
    const shop = await app.installShop("gift-setting");
    const doc = await (await admin(shop, "/program")).json();
    expect(doc.bonuses.birthdayGift).toBeNull();
    const bad = await admin(shop, "/program", {
      method: "PUT",
      body: JSON.stringify({ ...doc, bonuses: { ...doc.bonuses, birthdayGift: { rewardId: "not-a-reward", daysBefore: 3 } } }),
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors).toEqual([expect.objectContaining({ path: "bonuses.birthdayGift.rewardId" })]);
    const gift = { rewardId: doc.rewards[0].id, daysBefore: 61 };
    expect(
      (
        await admin(shop, "/program", {
          method: "PUT",
          body: JSON.stringify({ ...doc, bonuses: { ...doc.bonuses, birthdayGift: gift } }),
        })
      ).status,
    ).toBe(422);
    const ok = await admin(shop, "/program", {
      method: "PUT",
      body: JSON.stringify({ ...doc, bonuses: { ...doc.bonuses, birthdayGift: { ...gift, daysBefore: 7 } } }),
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()).bonuses.birthdayGift).toEqual({ rewardId: doc.rewards[0].id, daysBefore: 7 });
  });

  it("issues the code days before the birthday, once a year, and lists it with the shopper's codes", async () => {
    const shop = await app.installShop("gift-issue");
    const doc = await (await admin(shop, "/program")).json();
    const rewardId = doc.rewards[0].id;
    const put = await admin(shop, "/program", {
      method: "PUT",
      body: JSON.stringify({ ...doc, bonuses: { ...doc.bonuses, birthdayGift: { rewardId, daysBefore: 3 } } }),
    });
    expect(put.status).toBe(200);
    // Born on 11 August (no other test here has a member born then).
    expect(
      (await app.emulator.proxy(shop, "join", { customerId: "620", method: "POST", body: { birthday: "08-11" } })).status,
    ).toBe(200);
    expect(
      (await app.emulator.proxy(shop, "join", { customerId: "621", method: "POST", body: { birthday: "08-12" } })).status,
    ).toBe(200);

    expect(await giveBirthdayGifts(app.db, graphqlFor, new Date("2027-08-07T12:00:00Z"))).toBe(0);
    const day = new Date("2027-08-08T12:00:00Z");
    expect(await giveBirthdayGifts(app.db, graphqlFor, day)).toBe(1);
    expect(await giveBirthdayGifts(app.db, graphqlFor, day)).toBe(0);
    const member = await app.db.member.findFirstOrThrow({ where: { shopId: shop, customerId: "620" } });
    const codes = await app.db.redemption.findMany({ where: { shopId: shop, memberId: member.id } });
    expect(codes).toEqual([expect.objectContaining({ source: "birthday", status: "issued", pointsSpent: 0, rewardId })]);
    expect(app.emulator.shop(shop).discountCodes.get(codes[0]!.code)).toBeDefined();
    expect(member.available).toBe(0); // a gift costs no points

    // The shopper finds it among their codes ("My rewards").
    const listed = await (await app.emulator.proxy(shop, "me", { customerId: "620" })).json();
    expect(listed.codes).toEqual([expect.objectContaining({ code: codes[0]!.code, name: "5 off", source: "birthday" })]);

    // Next year: one more.
    expect(await giveBirthdayGifts(app.db, graphqlFor, new Date("2028-08-08T12:00:00Z"))).toBe(1);
    expect(await app.db.redemption.count({ where: { shopId: shop, memberId: member.id, source: "birthday" } })).toBe(2);
  });
});
