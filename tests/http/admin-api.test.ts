// Contract §6 over HTTP: the admin API with real signed session tokens (as App Bridge sends them),
// on SQLite and (when it answers) PostgreSQL.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { adminIdToken, signJwt } from "../emulator/signing.ts";
import {
  API_KEY,
  API_SECRET,
  assertLedgerConsistent,
  startApp,
  tableCounts,
  describeDialects,
  type TestApp,
} from "../support/app";
import { customer, customerEvent, order, paid, refund, refunded } from "../support/orders";

const STAFF = "77001";

describeDialects("admin API on %s", (dialect) => {
  let app: TestApp;
  // Every test gets two new shops: SHOP, whose merchant it plays, and OTHER, to show that
  // nothing crosses from one shop to another. Whatever a test needs (members, tiers, program
  // versions) it makes itself, so it can run first, last or alone.
  let SHOP = "";
  let OTHER = "";
  const token = (shop = SHOP, sub = STAFF) => adminIdToken(shop, API_KEY, API_SECRET, sub);
  const call = (path: string, init: RequestInit & { shop?: string; auth?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const auth = init.auth === undefined ? `Bearer ${token(init.shop)}` : init.auth;
    if (auth) headers.set("Authorization", auth);
    if (init.body && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    return fetch(`${app.url}${path}`, { ...init, headers });
  };
  const getProgram = async (shop = SHOP) => (await call("/app/api/program", { shop })).json();
  const putProgram = (doc: unknown, shop = SHOP) => call("/app/api/program", { method: "PUT", body: JSON.stringify(doc), shop });
  const member = (id: number, shop = SHOP) =>
    app.db.member.findUnique({ where: { shopId_customerId: { shopId: shop, customerId: String(id) } } });
  const send = async (event: { topic: string; payload: unknown }, shop = SHOP) => {
    expect((await app.emulator.sendWebhook(shop, event.topic, event.payload)).status).toBe(200);
    await app.settled();
  };
  const counts = () => tableCounts(app.db);

  /** Members 3300 + i of `shop` (shopper3300@example.com, …), each with an order of 10 + i units. */
  const enrol = async (ids: number[], shop = SHOP) => {
    for (const id of ids) await send(customerEvent(customer(id), "customers/create"), shop);
    await app.emulator.deliverAll(
      shop,
      ids.map((id) => paid(order(1_000 + (id - 3300) * 100, customer(id)))),
    );
    await app.settled();
    // Shopify updates the customer after an order: the member learns their name from it.
    for (const id of ids) await send(customerEvent(customer(id)), shop);
  };

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  let callsBefore = 0;
  beforeEach(async () => {
    SHOP = await app.installShop("lake-house");
    OTHER = await app.installShop("river-bend");
    callsBefore = app.emulator.graphqlCalls.length;
  });
  // After every test: the books add up, and Shopify's schema accepted every document it sent.
  afterEach(async () => {
    await assertLedgerConsistent(app.db);
    expect(app.emulator.graphqlCalls.slice(callsBefore).filter((c) => c.errors)).toEqual([]);
  });

  it("refuses requests without a valid session token, with 401 and no data", async () => {
    const expired = signJwt(
      { iss: `https://${SHOP}/admin`, dest: `https://${SHOP}`, aud: API_KEY, sub: STAFF, exp: 1, nbf: 0, iat: 0 },
      API_SECRET,
    );
    const forged = adminIdToken(SHOP, API_KEY, "not-the-secret");
    const otherApp = adminIdToken(SHOP, "another-app", API_SECRET);
    for (const auth of [null, "Bearer", `Bearer ${expired}`, `Bearer ${forged}`, `Bearer ${otherApp}`, `Basic ${token()}`]) {
      for (const [path, method] of [
        ["/app/api/program", "GET"],
        ["/app/api/program", "PUT"],
        ["/app/api/members", "GET"],
        ["/app/api/members/1/adjustments", "POST"],
        ["/app/export/members.csv", "GET"],
        ["/app/export/program.json", "GET"],
        ["/app/import/members", "POST"],
        ["/app/import/program", "POST"],
      ] as const) {
        const res = await call(path, { method, auth, body: method === "GET" ? undefined : "{}" });
        expect(res.status, `${method} ${path} with ${auth?.slice(0, 12)}`).toBe(401);
        const text = await res.text();
        expect(text).not.toContain("points");
      }
    }
  });

  it("answers the default program of a new shop", async () => {
    const doc = await getProgram();
    expect(doc).toMatchObject({
      version: 1,
      currency: "USD",
      earning: { points: 1, per: 1, autoEnroll: true },
      pendingDays: 0,
      expiry: { inactiveDays: null },
      launch: { state: "live", pilotTag: "" },
      rewards: [{ id: expect.any(String), name: "5 off", type: "fixed_amount", pointsCost: 500, valueMinor: 500 }],
      tiers: [],
    });
    // Answered to a user agent that bot filters would turn away.
    const res = await call("/app/api/program", { headers: { "User-Agent": "curl/8.5.0" } });
    expect(res.status).toBe(200);
  });

  it("refuses an invalid document with 422 and field paths, saving nothing", async () => {
    const doc = await getProgram();
    const before = await counts();
    const cases: Array<[unknown, string]> = [
      [{ ...doc, earning: { ...doc.earning, points: -1 } }, "earning.points"],
      [{ ...doc, pendingDays: 1000 }, "pendingDays"],
      [{ ...doc, launch: { state: "pilot", pilotTag: "" } }, "launch.pilotTag"],
      [{ ...doc, launch: { state: "beta", pilotTag: "" } }, "launch.state"],
      [{ ...doc, rewards: [{ name: "Broken", type: "percentage", pointsCost: 100, percent: 0 }] }, "rewards.0.percent"],
      [{ ...doc, rewards: [{ name: "", type: "free_shipping", pointsCost: 100 }] }, "rewards.0.name"],
      [
        {
          ...doc,
          tiers: [
            { name: "A", thresholdPoints: 10 },
            { name: "B", thresholdPoints: 10 },
          ],
        },
        "tiers.1.thresholdPoints",
      ],
      [{ ...doc, version: undefined }, "version"],
    ];
    for (const [body, path] of cases) {
      const res = await putProgram(body);
      expect(res.status, path).toBe(422);
      const answer = await res.json();
      expect(answer.errors).toEqual(expect.arrayContaining([{ path, message: expect.any(String) }]));
    }
    const notJson = await call("/app/api/program", { method: "PUT", body: "{nope" });
    expect(notJson.status).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it("saves a new version, archives what the document leaves out, and refuses a stale version", async () => {
    const doc = await getProgram();
    const fiveOff = doc.rewards[0];
    const saved = await putProgram({
      ...doc,
      earning: { ...doc.earning, points: 2 },
      bonuses: { signup: 25, birthday: 0 },
      rewards: [
        { ...fiveOff, pointsCost: 450 },
        { name: "Free shipping", type: "free_shipping", pointsCost: 300 },
      ],
      tiers: [
        { name: "Silver", thresholdPoints: 1000, earnMultiplierPct: 110 },
        { name: "Gold", thresholdPoints: 5000, earnMultiplierPct: 125 },
      ],
    });
    expect(saved.status).toBe(200);
    const v2 = await saved.json();
    expect(v2).toMatchObject({ version: 2, earning: { points: 2 }, bonuses: { signup: 25 } });
    expect(v2.rewards.map((r: { id: string; name: string; pointsCost: number }) => [r.name, r.pointsCost])).toEqual([
      ["5 off", 450],
      ["Free shipping", 300],
    ]);
    expect(v2.rewards[0].id).toBe(fiveOff.id);
    // What the storefront shows now, and keeps for a few seconds.
    const shown = await (await app.emulator.proxy(SHOP, "program")).json();
    expect(shown.rewards.map((r: { name: string }) => r.name)).toEqual(["5 off", "Free shipping"]);
    expect(await app.db.programVersion.findUnique({ where: { shopId_version: { shopId: SHOP, version: 2 } } })).toMatchObject({
      earnRateNum: 2,
      createdBy: STAFF,
    });

    // The same stale document again: 409, nothing saved.
    const before = await counts();
    const stale = await putProgram({ ...doc, earning: { ...doc.earning, points: 9 } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ error: "version_conflict" });
    expect(await counts()).toEqual(before);

    // Leaving Gold and Free shipping out archives them; the storefront no longer offers them.
    const v3 = await (await putProgram({ ...v2, rewards: [v2.rewards[0]], tiers: [v2.tiers[0]] })).json();
    expect(v3.version).toBe(3);
    expect(v3.rewards).toHaveLength(1);
    expect(v3.tiers.map((t: { name: string }) => t.name)).toEqual(["Silver"]);
    const archived = await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP, name: "Free shipping" } });
    expect(archived.active).toBe(false);
    // The storefront keeps the program it read (of version 2) for 5 s, then shows version 3.
    const storefrontProgram = async () => {
      const program = await (await app.emulator.proxy(SHOP, "program")).json();
      return {
        rewards: program.rewards.map((r: { name: string }) => r.name),
        tiers: program.tiers.map((t: { name: string }) => t.name),
      };
    };
    await expect.poll(storefrontProgram, { timeout: 7_000, interval: 250 }).toEqual({ rewards: ["5 off"], tiers: ["Silver"] });
    expect(app.emulator.shop(SHOP).appMetafields.get("loyalty.program")).toEqual({ num: 2, den: 1, version: 3, open: true });

    // A further save numbers on.
    const v4 = await (
      await putProgram({ ...v3, earning: { ...v3.earning, points: 1 }, bonuses: { signup: 0, birthday: 0 } })
    ).json();
    expect(v4.version).toBe(4);
  });

  it("keeps an order's points and rate across a rate change: a refund reverses at the rate it earned", async () => {
    const o = order([6_000, 4_000], customer(3001));
    await send(paid(o));
    expect(await member(3001)).toMatchObject({ available: 100 });
    const doc = await getProgram();
    expect((await putProgram({ ...doc, earning: { ...doc.earning, points: 5 } })).status).toBe(200);
    await send(refunded(refund(o, [1])));
    // 40% refunded of an order that earned 100 at the old rate: 40 back, not 5 × 40.
    expect(await member(3001)).toMatchObject({ available: 60 });
    const earn = await app.db.ledgerEntry.findFirstOrThrow({ where: { shopId: SHOP, idempotencyKey: `order:${o.id}:earn` } });
    expect(earn.programVersion).toBe(doc.version);
  });

  it("runs a pilot: only tagged customers earn, join and redeem; going live opens the club", async () => {
    const doc = await getProgram();
    expect((await app.emulator.proxy(SHOP, "program")).status).toBe(200); // the storefront has read it: open
    expect((await putProgram({ ...doc, launch: { state: "pilot", pilotTag: "Pilot" } })).status).toBe(200);
    // Within the storefront's 5 s cache, the club closes to everyone outside the pilot.
    await expect
      .poll(async () => (await (await app.emulator.proxy(SHOP, "program")).json()).club, { timeout: 7_000, interval: 250 })
      .toBe("closed");
    await send(paid(order(5_000, customer(3101))));
    await send(paid(order(5_000, customer(3102, { tags: "vip, pilot" }))));
    expect(await member(3101)).toBeNull();
    expect(await member(3102)).toMatchObject({ available: 50 });

    // The storefront says nothing to others.
    const outsider = await (await app.emulator.proxy(SHOP, "me", { customerId: "3101" })).json();
    expect(outsider).toEqual({ loggedIn: true, enrolled: false, club: "closed", currency: "USD" });
    expect(await (await app.emulator.proxy(SHOP, "me")).json()).toEqual({
      loggedIn: false,
      enrolled: false,
      club: "closed",
      currency: "USD",
    });
    expect(await (await app.emulator.proxy(SHOP, "program")).json()).toMatchObject({ club: "closed" });
    const join = await app.emulator.proxy(SHOP, "join", { customerId: "3101", method: "POST", body: {} });
    expect(join.status).toBe(403);
    expect(await join.json()).toMatchObject({ error: "club_closed" });
    expect(await member(3101)).toBeNull();
    // A tagged customer the app has not seen yet is asked about in Shopify, and may join.
    app.emulator.shop(SHOP).customers.set(3103, customer(3103, { tags: "pilot" }));
    const tagged = await app.emulator.proxy(SHOP, "join", { customerId: "3103", method: "POST", body: {} });
    expect(tagged.status).toBe(200);
    expect(await tagged.json()).toMatchObject({ enrolled: true, club: "open" });
    const insider = await (await app.emulator.proxy(SHOP, "me", { customerId: "3102" })).json();
    expect(insider).toMatchObject({ enrolled: true, points: { available: 50 } });

    // A member whose tag is removed is kept out of redeeming until launch.
    await send(customerEvent(customer(3102, { tags: "vip" })));
    const rewardId = (await getProgram()).rewards[0].id;
    const redeem = await app.emulator.proxy(SHOP, "redeem", {
      customerId: "3102",
      method: "POST",
      body: { rewardId, idempotencyKey: randomUUID() },
    });
    expect(redeem.status).toBe(403);

    // Live: everyone. The untagged customer's next order earns; the pilot-era order stays decided.
    const live = await getProgram();
    expect((await putProgram({ ...live, launch: { state: "live", pilotTag: "pilot" } })).status).toBe(200);
    await send(paid(order(2_000, customer(3101))));
    expect(await member(3101)).toMatchObject({ available: 20 });
  });

  it("keeps nobody in while in draft", async () => {
    const doc = await getProgram();
    expect((await putProgram({ ...doc, launch: { state: "draft", pilotTag: "pilot" } })).status).toBe(200);
    await send(paid(order(5_000, customer(3201, { tags: "pilot" }))));
    expect(await member(3201)).toBeNull();
  });

  it("moves a program between shops, keeping the target's ids", async () => {
    const source = await getProgram();
    const withTiers = await putProgram({
      ...source,
      rewards: [...source.rewards, { name: "Free shipping", type: "free_shipping", pointsCost: 300 }],
      tiers: [{ name: "Silver", thresholdPoints: 1000, earnMultiplierPct: 110 }],
    });
    expect(withTiers.status).toBe(200);
    const exported = await (await call("/app/export/program.json")).json();
    const target = await getProgram(OTHER);
    const res = await call("/app/import/program", { method: "POST", body: JSON.stringify(exported), shop: OTHER });
    expect(res.status).toBe(200);
    const imported = await res.json();
    expect(imported.version).toBe(target.version + 1);
    expect(imported.rewards.map((r: { name: string }) => r.name)).toEqual(exported.rewards.map((r: { name: string }) => r.name));
    // "5 off" existed in the target: same id as before, not the source's.
    expect(imported.rewards.map((r: { name: string }) => r.name)).toEqual(["5 off", "Free shipping"]);
    expect(imported.rewards[0].id).toBe(target.rewards[0].id);
    expect(imported.tiers.map((t: { name: string }) => t.name)).toEqual(["Silver"]);
    expect(imported.tiers[0].id).not.toBe(exported.tiers[0].id);
    // The source shop is untouched.
    expect((await getProgram()).version).toBe(exported.version);
  });

  it("lists and searches members with cursor pages, and never another shop's", async () => {
    await enrol([3300, 3301, 3302, 3303, 3304, 3305, 3306]);
    await send(paid(order(1_000, customer(3300, { email: "Same.Person@Example.com" }))), OTHER);
    await app.settled();
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { members: Array<{ customerId: string }>; nextCursor: string | null } = await (
        await call(`/app/api/members?limit=3&cursor=${cursor}`)
      ).json();
      expect(page.members.length).toBeLessThanOrEqual(3);
      seen.push(...page.members.map((m) => m.customerId));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(["3300", "3301", "3302", "3303", "3304", "3305", "3306"]);
    const total = await app.db.member.count({ where: { shopId: SHOP, customerId: { not: null } } });
    expect(seen).toHaveLength(total);

    const found = await (await call("/app/api/members?query=SHOPPER3303@")).json();
    expect(found).toEqual({
      members: [
        {
          customerId: "3303",
          email: "shopper3303@example.com",
          name: "Sam Shopper3303",
          state: "active",
          points: { available: 13, pending: 0, lifetime: 13 },
          tier: null,
          enrolledAt: expect.any(String),
          lastActivityAt: expect.any(String),
          excluded: null,
        },
      ],
      nextCursor: null,
    });
    expect(
      (await (await call("/app/api/members?query=3304")).json()).members.map((m: { customerId: string }) => m.customerId),
    ).toEqual(["3304"]);
    // The other shop's member with customer id 3300 is not this shop's.
    const other = await (await call("/app/api/members?query=same.person", { shop: OTHER })).json();
    expect(other.members).toHaveLength(1);
    expect((await (await call("/app/api/members?query=same.person")).json()).members).toEqual([]);
  });

  it("adjusts points once per key, with the staff member as actor", async () => {
    await enrol([3300, 3301]);
    await enrol([3300], OTHER); // the same customer id in another shop
    const body = { points: 250, reason: "Goodwill for a late parcel", idempotencyKey: `adj-${randomUUID()}` };
    const first = await call("/app/api/members/3300/adjustments", { method: "POST", body: JSON.stringify(body) });
    expect(first.status).toBe(200);
    const { entry } = await first.json();
    expect(entry).toEqual({ id: expect.any(String), type: "adjustment", points: 250, reason: body.reason, actor: STAFF });
    const again = await call("/app/api/members/3300/adjustments", { method: "POST", body: JSON.stringify(body) });
    expect(await again.json()).toEqual({ entry });
    expect(await member(3300)).toMatchObject({ available: 10 + 250 });
    expect((await member(3300, OTHER))?.available).toBe(10);

    const before = await counts();
    for (const [bad, path] of [
      [{ ...body, idempotencyKey: "k-1", reason: "" }, "reason"],
      [{ ...body, idempotencyKey: "k-2", points: 0 }, "points"],
      [{ ...body, idempotencyKey: "k-3", points: 1.5 }, "points"],
      [{ points: 5, reason: "x" }, "idempotencyKey"],
      [{ ...body, points: 999 }, "idempotencyKey"], // the same key for another adjustment
    ] as const) {
      const res = await call("/app/api/members/3300/adjustments", { method: "POST", body: JSON.stringify(bad) });
      expect(res.status, path).toBe(422);
      expect((await res.json()).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    const missing = await call("/app/api/members/999999/adjustments", { method: "POST", body: JSON.stringify(body) });
    expect(missing.status).toBe(404);
    // Another shop's token cannot adjust this shop's member (it names its own member 3300).
    const foreign = await call("/app/api/members/3301/adjustments", {
      method: "POST",
      body: JSON.stringify({ ...body, idempotencyKey: "foreign" }),
      shop: OTHER,
    });
    expect(foreign.status).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it("exports members as CSV, formulas defused", async () => {
    await enrol([3300, 3301, 3302]);
    await send(paid(order(1_000, customer(3300, { email: "Same.Person@Example.com" }))), OTHER);
    const adjusted = await call("/app/api/members/3300/adjustments", {
      method: "POST",
      body: JSON.stringify({ points: 250, reason: "Goodwill", idempotencyKey: `adj-${randomUUID()}` }),
    });
    expect(adjusted.status).toBe(200);
    await send(customerEvent(customer(3300, { email: "=cmd|calc@example.com" })));
    const res = await call("/app/export/members.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("customer_id,email,points_available,points_pending,points_lifetime,tier,enrolled_at");
    const row = lines.find((l) => l.startsWith("3300,"))!;
    expect(row).toMatch(/^3300,'=cmd\|calc@example\.com,260,0,\d+,,\d{4}-/);
    expect(lines).toHaveLength(1 + 3);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",")[0])
        .sort(),
    ).toEqual(["3300", "3301", "3302"]);
    expect(lines.some((l) => l.includes("same.person"))).toBe(false);
  });

  it("imports a members file: dry run first, then once per file", async () => {
    await enrol([3301, 3302, 3303, 3304]);
    const doc = await getProgram();
    expect((await putProgram({ ...doc, tiers: [{ name: "Silver", thresholdPoints: 1000 }] })).status).toBe(200);
    app.emulator.shop(SHOP).customers.set(3400, customer(3400, { email: "new.face@example.com" }));
    const csv =
      "\uFEFFemail,points,customer_id,tier\r\n" +
      "shopper3301@example.com,100,,\r\n" + // a member, by email
      '"new.face@example.com",50,,Silver\r\n' + // a Shopify customer the app has not seen
      ",-5,3302,\r\n" + // by customer id, negative
      '"nobody@example.com",10,,\r\n' + // no such customer
      "shopper3301@example.com,7,,\r\n" + // the same customer twice
      "bad-email,10,,\r\n" +
      'shopper3303@example.com,"1,000",,\r\n' + // a quoted comma: not a whole number
      "shopper3304@example.com,10,,Diamond\r\n"; // no such tier
    const before = await counts();
    const dry = await call("/app/import/members?dryRun=1", {
      method: "POST",
      body: csv,
      headers: { "Content-Type": "text/csv" },
    });
    expect(dry.status).toBe(200);
    const report = await dry.json();
    expect(report).toMatchObject({ rows: 8, valid: 3 });
    expect(report.errors.map((e: { row: number }) => e.row)).toEqual([4, 5, 6, 7, 8]);
    expect(report.errors[1].message).toContain("row 1");
    expect(await counts()).toEqual(before);

    const balances = async () => [(await member(3301))!.available, (await member(3302))!.available];
    const [a, b] = await balances();
    const apply = await call("/app/import/members", { method: "POST", body: csv, headers: { "Content-Type": "text/csv" } });
    expect(await apply.json()).toMatchObject({ rows: 8, valid: 3, applied: 3 });
    expect(await balances()).toEqual([a! + 100, b! - 5]);
    expect(await member(3400)).toMatchObject({ available: 50, email: "new.face@example.com" });
    // The same file again (even saved with LF line ends): nothing more.
    const again = await call("/app/import/members", {
      method: "POST",
      body: csv.replace(/\r\n/g, "\n"),
      headers: { "Content-Type": "text/csv" },
    });
    expect(await again.json()).toMatchObject({ valid: 3, applied: 0 });
    expect(await balances()).toEqual([a! + 100, b! - 5]);
    // A new file with the same line credits again.
    const next = await call("/app/import/members", {
      method: "POST",
      body: "email,points\nshopper3301@example.com,100\n",
      headers: { "Content-Type": "text/csv" },
    });
    expect(await next.json()).toMatchObject({ valid: 1, applied: 1 });
    expect((await member(3301))!.available).toBe(a! + 200);
    const entry = await app.db.ledgerEntry.findFirstOrThrow({ where: { shopId: SHOP, kind: "import" } });
    expect(entry.actor).toBe(STAFF);
  });

  it("refuses an unusable file with 422, changing nothing", async () => {
    const before = await counts();
    for (const [body, type] of [
      ["name,balance\nx,1\n", "text/csv"],
      ["email,points\na@b.co,1\n", "application/json"],
      ["email,points\n" + "a@b.co,1\n".repeat(50_001), "text/csv"],
    ] as Array<[string, string]>) {
      const res = await call("/app/import/members", { method: "POST", body, headers: { "Content-Type": type } });
      expect(res.status).toBe(422);
      expect((await res.json()).errors[0]).toMatchObject({ path: expect.any(String), message: expect.any(String) });
    }
    expect(await counts()).toEqual(before);
  });

  it("handles 50,000 rows", async () => {
    await enrol([3300, 3301, 3302, 3303, 3304]);
    const lines = ["email,points,customer_id"];
    // Five members by id, then repeats of them, unknown emails and bad rows; 100 ids Shopify does not know.
    for (let i = 0; i < 50_000; i++) {
      if (i < 5) lines.push(`,${i + 1},${3300 + i}`);
      else if (i < 105) lines.push(`,1,${9_000_000 + i}`);
      else if (i % 3 === 0) lines.push(`,2,${3300 + (i % 5)}`);
      else if (i % 3 === 1) lines.push(`"x${i}@example.org",3,`);
      else lines.push(`bad-${i},3,`);
    }
    const started = Date.now();
    const res = await call("/app/import/members?dryRun=1", {
      method: "POST",
      body: lines.join("\n"),
      headers: { "Content-Type": "text/csv" },
    });
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report.rows).toBe(50_000);
    expect(report.valid).toBe(5); // five members by id; the rest repeat them or are unknown
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
