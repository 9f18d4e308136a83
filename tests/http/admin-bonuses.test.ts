// What the merchant sets in the program and the engine then does: anniversary bonuses (once a
// year from the first anniversary), birthday and referral bonuses held back while the club is a
// draft or a pilot (as orders are), and double-points campaigns whose rate the entry keeps. The
// program is set through PUT /app/api/program, as the admin's pages do; the yearly job runs
// against the same database.
import type { ProgramDocumentInput } from "~/domain/program-document";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { awardAnniversaries, awardBirthdays } from "~/models/bonuses.server";
import { assertLedgerConsistent, describeDialects, startApp, type TestApp, adminFetch } from "../support/app";
import { customer, customerEvent, order, paid, refund, refunded } from "../support/orders";

const DAY = 86_400_000;

describeDialects("program bonuses and campaigns on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  const call = (path: string, init: RequestInit = {}) => adminFetch(app.url, SHOP, "77003")(path, init);
  const program = async (change: (doc: ProgramDocumentInput) => void) => {
    const doc = await (await call("/app/api/program")).json();
    change(doc);
    const res = await call("/app/api/program", { method: "PUT", body: JSON.stringify(doc) });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };
  const member = (id: number) =>
    app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } });
  const send = async (event: { topic: string; payload: unknown }) => {
    expect((await app.emulator.sendWebhook(SHOP, event.topic, event.payload)).status).toBe(200);
    await app.settled();
  };
  const bonuses = async (source: string) =>
    (await app.db.ledgerEntry.findMany({ where: { shopId: SHOP, sourceType: source } })).map((e) => e.idempotencyKey).sort();

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  beforeEach(async () => {
    SHOP = await app.installShop("orchard-row");
    // Dates below are the shop's local dates: the shop keeps UTC (the emulator's shops are in New York).
    await app.db.shop.update({ where: { id: SHOP }, data: { timezone: "UTC" } });
  });
  afterEach(() => assertLedgerConsistent(app.db));

  it("validates the new program fields: 422 with the field, nothing saved", async () => {
    const doc = await (await call("/app/api/program")).json();
    expect(doc).toMatchObject({ bonuses: { anniversary: 0 }, campaigns: [] });
    for (const [change, path] of [
      [{ bonuses: { ...doc.bonuses, anniversary: -1 } }, "bonuses.anniversary"],
      [{ campaigns: [{ name: "x", startsAt: "2026-12-01T00:00:00Z", endsAt: "2026-11-01T00:00:00Z" }] }, "campaigns.0.endsAt"],
      [{ campaigns: [{ name: "x", startsAt: "soon", endsAt: "2026-11-01T00:00:00Z" }] }, "campaigns.0.startsAt"],
      [
        { campaigns: [{ name: "x", startsAt: "2026-10-01T00:00:00Z", endsAt: "2026-11-01T00:00:00Z", multiplierPct: 100 }] },
        "campaigns.0.multiplierPct",
      ],
    ] as const) {
      const res = await call("/app/api/program", { method: "PUT", body: JSON.stringify({ ...doc, ...change }) });
      expect(res.status).toBe(422);
      expect((await res.json()).errors).toEqual([expect.objectContaining({ path })]);
    }
    expect((await (await call("/app/api/program")).json()).version).toBe(doc.version);
  });

  it("lists program versions newest first, with who saved each, when, and what changed", async () => {
    const first = await (await call("/app/api/program")).json();
    await program((d) => {
      d.earning.points = 2;
      d.rewards[0]!.pointsCost = 400;
      d.tiers = [{ name: "Gold", thresholdPoints: 1000, earnMultiplierPct: 150 }];
    });
    await program((d) => {
      d.bonuses.anniversary = 50;
      d.rewards = [];
    });
    const res = await call("/app/api/program/versions");
    expect(res.status).toBe(200);
    const { versions } = await res.json();
    expect(versions.map((v: { version: number }) => v.version)).toEqual([first.version + 2, first.version + 1, first.version]);
    expect(versions[0]).toMatchObject({ createdBy: "77003", createdAt: expect.any(String) });
    expect(versions[0].changes.map((c: { text: string }) => c.text)).toEqual([
      "Anniversary bonus: 0 → 50",
      `Reward removed: ${first.rewards[0].name}`,
    ]);
    expect(versions[1].changes.map((c: { text: string }) => c.text)).toEqual([
      "Points earned: 1 → 2",
      `Reward ${first.rewards[0].name}: pointsCost ${first.rewards[0].pointsCost} → 400`,
      "Tier added: Gold",
    ]);
    expect(versions[2]).toMatchObject({ createdBy: "system", changes: [] });
    expect((await fetch(`${app.url}/app/api/program/versions`)).status).toBe(401);
  });

  it("pays the anniversary bonus once a year from the first anniversary, only to customers the club is open to", async () => {
    await program((d) => (d.bonuses.anniversary = 75));
    const vip = customer(6100, { tags: "vip" });
    await send(customerEvent(vip, "customers/create"));
    await send(paid(order(1_000, vip)));
    await send(paid(order(1_000, customer(6101))));
    await send(paid(order(1_000, customer(6102))));
    const joined = (await member(6100)).enrolledAt;
    const on = (years: number) =>
      new Date(Date.UTC(joined.getUTCFullYear() + years, joined.getUTCMonth(), joined.getUTCDate(), 12));

    await awardAnniversaries(app.db, on(0)); // the day they joined: no anniversary yet
    await awardAnniversaries(app.db, new Date(on(1).getTime() - DAY)); // the day before the first
    expect(await bonuses("anniversary")).toEqual([]);

    // First anniversary in a pilot for "vip", with 6102 excluded by the merchant: only 6100.
    await program((d) => (d.launch = { state: "pilot", pilotTag: "VIP" }));
    expect(
      (await call("/app/api/members/6102/exclusion", { method: "PUT", body: JSON.stringify({ excluded: true }) })).status,
    ).toBe(200);
    await awardAnniversaries(app.db, on(1));
    await awardAnniversaries(app.db, on(1)); // again the same day: once
    const a = (await member(6100)).id;
    expect(await bonuses("anniversary")).toEqual([`anniversary:${a}:${joined.getUTCFullYear() + 1}`]);
    expect((await member(6100)).available).toBe(10 + 75);

    // A draft pays nobody; live again, everyone the club is open to (not the excluded one).
    await program((d) => (d.launch = { state: "draft", pilotTag: "" }));
    await awardAnniversaries(app.db, on(2));
    expect(await bonuses("anniversary")).toHaveLength(1);
    await program((d) => (d.launch = { state: "live", pilotTag: "" }));
    await awardAnniversaries(app.db, on(2));
    const b = (await member(6101)).id;
    const year2 = joined.getUTCFullYear() + 2;
    expect(await bonuses("anniversary")).toEqual(
      [`anniversary:${a}:${joined.getUTCFullYear() + 1}`, `anniversary:${a}:${year2}`, `anniversary:${b}:${year2}`].sort(),
    );
    const entry = await app.db.ledgerEntry.findFirstOrThrow({
      where: { shopId: SHOP, idempotencyKey: `anniversary:${b}:${year2}` },
    });
    expect(entry).toMatchObject({ kind: "bonus", points: 75, reason: "2 years in the club", actor: "system:anniversary" });
    expect((await member(6102)).available).toBe(10);
  });

  it("holds back birthday and referral bonuses in a pilot for customers without the tag, and in a draft for all", async () => {
    await program((d) => {
      d.bonuses.birthday = 200;
      d.referrals.referrerPoints = 100;
    });
    const today = new Date();
    const birthday = `${String(today.getUTCMonth() + 1).padStart(2, "0")}-${String(today.getUTCDate()).padStart(2, "0")}`;
    for (const id of ["6200", "6201"])
      expect((await app.emulator.proxy(SHOP, "join", { customerId: id, method: "POST", body: { birthday } })).status).toBe(200);
    await send(customerEvent(customer(6200, { tags: "vip, early" })));
    await send(customerEvent(customer(6201, { tags: "" })));
    await program((d) => (d.launch = { state: "pilot", pilotTag: "vip" }));

    await awardBirthdays(app.db, today);
    expect(await bonuses("birthday")).toEqual([`birthday:${(await member(6200)).id}:${today.getUTCFullYear()}`]);
    // A friend uses each one's referral code on a first order: only the tagged referrer is paid.
    await send(paid(order(5_000, customer(6210), { discountCode: (await member(6201)).referralCode! })));
    await send(paid(order(5_000, customer(6211), { discountCode: (await member(6200)).referralCode! })));
    expect(await bonuses("referral")).toEqual(["referral:6211"]);
    expect((await member(6201)).available).toBe(0);

    // In a draft nobody gets a birthday bonus (next year) or a referral.
    await program((d) => (d.launch = { state: "draft", pilotTag: "" }));
    await awardBirthdays(app.db, new Date(Date.UTC(today.getUTCFullYear() + 1, today.getUTCMonth(), today.getUTCDate(), 12)));
    await send(paid(order(5_000, customer(6212), { discountCode: (await member(6200)).referralCode! })));
    expect(await bonuses("birthday")).toHaveLength(1);
    expect(await bonuses("referral")).toHaveLength(1);
  });

  it("earns at a campaign's multiplier while it runs, and a refund after it ended takes back at the rate used", async () => {
    const now = Date.now();
    await program((d) => {
      d.campaigns = [
        {
          name: "Double points weekend",
          startsAt: new Date(now - 3_600_000).toISOString(),
          endsAt: new Date(now + 3_600_000).toISOString(),
          multiplierPct: 200,
        },
      ];
    });
    const ada = customer(6300);
    const during = order([4_000, 6_000], ada);
    const before = order(10_000, ada, { created_at: new Date(now - 2 * 3_600_000).toISOString() });
    await send(paid(during));
    await send(paid(before));
    const earn = (o: { id: number }) =>
      app.db.ledgerEntry.findFirstOrThrow({ where: { shopId: SHOP, idempotencyKey: `order:${o.id}:earn` } });
    expect(await earn(during)).toMatchObject({ points: 200, rateNum: 1 * 100 * 200, rateDen: 1 * 10_000 });
    expect(await earn(before)).toMatchObject({ points: 100, rateNum: 100, rateDen: 100 });

    // The campaign is over (the merchant removed it); a refund of the 40.00 line takes back 40% of 200.
    await program((d) => (d.campaigns = []));
    await send(refunded(refund(during, [0])));
    const reversal = await app.db.ledgerEntry.findFirstOrThrow({ where: { shopId: SHOP, sourceType: "refund" } });
    expect(reversal).toMatchObject({ points: -80, rateNum: 20_000, rateDen: 10_000 });
    expect((await member(6300)).available).toBe(200 + 100 - 80);
  });
});
