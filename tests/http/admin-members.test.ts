// The merchant's member list (search by name, email and id; filters; every sort in keyset pages)
// and excluding a member from the club and back, over HTTP with signed session tokens, on SQLite
// and PostgreSQL.
import { randomUUID } from "node:crypto";
import type { ProgramDocumentInput } from "~/domain/program-document";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { adminIdToken } from "../emulator/signing.ts";
import {
  API_KEY,
  API_SECRET,
  assertLedgerConsistent,
  describeDialects,
  startApp,
  tableCounts,
  type TestApp,
} from "../support/app";
import { customer, customerEvent, order, paid } from "../support/orders";

const STAFF = "77002";

interface ListedMember {
  customerId: string;
  name: string | null;
  email: string | null;
  points: { available: number; pending: number; lifetime: number };
  tier: string | null;
  enrolledAt: string;
  lastActivityAt: string | null;
  excluded: { at: string; by: string } | null;
}

describeDialects("admin members on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  let OTHER = "";
  const call = (path: string, init: RequestInit & { shop?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${adminIdToken(init.shop ?? SHOP, API_KEY, API_SECRET, STAFF)}`);
    if (init.body) headers.set("Content-Type", "application/json");
    return fetch(`${app.url}${path}`, { ...init, headers });
  };
  const list = async (query: string, shop = SHOP) => {
    const res = await call(`/app/api/members?${query}`, { shop });
    expect(res.status).toBe(200);
    return (await res.json()) as { members: ListedMember[]; nextCursor: string | null };
  };
  /** Every member the list gives for a query, page by page (`limit` a page). */
  const all = async (query: string, limit = 2) => {
    const ids: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = await list(`${query}&limit=${limit}&cursor=${cursor}`);
      expect(page.members.length).toBeLessThanOrEqual(limit);
      ids.push(...page.members.map((m) => m.customerId));
      cursor = page.nextCursor;
      expect(ids.length, "pages never end").toBeLessThan(100);
    }
    return ids;
  };
  const send = async (event: { topic: string; payload: unknown }, shop = SHOP) => {
    expect((await app.emulator.sendWebhook(shop, event.topic, event.payload)).status).toBe(200);
    await app.settled();
  };
  const putProgram = async (change: (doc: ProgramDocumentInput) => void) => {
    const doc = await (await call("/app/api/program")).json();
    change(doc);
    const res = await call("/app/api/program", { method: "PUT", body: JSON.stringify(doc) });
    expect(res.status).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  beforeEach(async () => {
    SHOP = await app.installShop("harbour-lights");
    OTHER = await app.installShop("quay-side");
  });
  afterEach(() => assertLedgerConsistent(app.db));

  const PEOPLE = [
    { id: 4400, first: "Ada", last: "Lovelace", amount: 3_000, tags: "vip" },
    { id: 4401, first: "Alan", last: "Turing", amount: 12_000, tags: "" },
    { id: 4402, first: "Grace", last: "Hopper", amount: 3_000, tags: "early, VIP" },
    { id: 4403, first: "Edsger", last: "Dijkstra", amount: 50_000, tags: "vipvip" },
    { id: 4404, first: "Barbara", last: "Liskov", amount: 700, tags: "vip-old, other" },
  ];
  const enrolPeople = async () => {
    for (const p of PEOPLE) {
      const c = customer(p.id, { first_name: p.first, last_name: p.last, tags: p.tags });
      await send(customerEvent(c, "customers/create"));
      await send(paid(order(p.amount, c)));
      // Shopify updates the customer after an order: the member learns their name from it.
      await send(customerEvent(c));
    }
    // One member who joined on the storefront and has done nothing since (no last activity).
    expect((await app.emulator.proxy(SHOP, "join", { customerId: "4409", method: "POST" })).status).toBe(200);
  };

  it("searches by name, last name, email and customer id, and never another shop's", async () => {
    await enrolPeople();
    const ids = async (q: string) => (await list(`query=${encodeURIComponent(q)}`)).members.map((m) => m.customerId);
    expect(await ids("ada")).toEqual(["4400"]);
    expect(await ids("ADA LOVE")).toEqual(["4400"]);
    expect(await ids("hopp")).toEqual(["4402"]);
    expect((await ids("a")).sort()).toEqual(["4400", "4401"]);
    expect(await ids("shopper4403@")).toEqual(["4403"]);
    expect(await ids("4404")).toEqual(["4404"]);
    expect(await ids("nobody")).toEqual([]);
    const [ada] = (await list("query=lovelace")).members;
    expect(ada).toMatchObject({
      customerId: "4400",
      name: "Ada Lovelace",
      email: "shopper4400@example.com",
      points: { available: 30, pending: 0, lifetime: 30 },
      excluded: null,
      lastActivityAt: expect.any(String),
    });
    expect((await list("query=ada", OTHER)).members).toEqual([]);
  });

  it("sorts by balance, lifetime, last activity and joining date, in keyset pages that agree with the database", async () => {
    await enrolPeople();
    const rows = await app.db.member.findMany({ where: { shopId: SHOP } });
    // What each sort must give: by the value (never active = the oldest), then by id.
    const expected = (key: (m: (typeof rows)[number]) => number | null, direction: "asc" | "desc") =>
      [...rows]
        .sort((a, b) => {
          const va = key(a) ?? -Infinity;
          const vb = key(b) ?? -Infinity;
          const by = va === vb ? (a.id < b.id ? -1 : 1) : va < vb ? -1 : 1;
          return direction === "asc" ? by : -by;
        })
        .map((m) => m.customerId!);
    const sorts = {
      balance: (m: (typeof rows)[number]) => m.available,
      lifetime: (m: (typeof rows)[number]) => m.lifetimeEarned,
      joined: (m: (typeof rows)[number]) => m.enrolledAt.getTime(),
      last_activity: (m: (typeof rows)[number]) => m.lastActivityAt?.getTime() ?? null,
    };
    for (const [sort, key] of Object.entries(sorts)) {
      for (const direction of ["asc", "desc"] as const) {
        expect(await all(`sort=${sort}&direction=${direction}`), `${sort} ${direction}`).toEqual(expected(key, direction));
      }
    }
    // Ties (4400 and 4402 both have 30 points) are broken by id, so a page boundary between them loses no one.
    expect(await all("sort=balance&direction=desc", 1)).toEqual(expected(sorts.balance, "desc"));
    // Default: newest members first.
    expect(await all("")).toEqual(expected(sorts.joined, "desc"));
  });

  it("filters by tier, balance, last activity, pilot tag and exclusion", async () => {
    await enrolPeople();
    const doc = await putProgram((d) => {
      d.tiers = [
        { name: "Silver", thresholdPoints: 100, earnMultiplierPct: 100 },
        { name: "Gold", thresholdPoints: 400, earnMultiplierPct: 150 },
      ];
      d.launch = { state: "pilot", pilotTag: "VIP" };
    });
    const silver = doc.tiers.find((t: { name: string }) => t.name === "Silver").id;
    const gold = doc.tiers.find((t: { name: string }) => t.name === "Gold").id;
    const ids = async (q: string) => (await all(q, 3)).sort();
    expect(await ids(`tier=${silver}`)).toEqual(["4401"]);
    expect(await ids(`tier=${gold}`)).toEqual(["4403"]);
    expect(await ids("tier=none")).toEqual(["4400", "4402", "4404", "4409"]);
    expect(await ids("balanceMin=30&balanceMax=120")).toEqual(["4400", "4401", "4402"]);
    expect(await ids("balanceMax=0")).toEqual(["4409"]);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await ids(`activeSince=${today}`)).toEqual(["4400", "4401", "4402", "4403", "4404"]);
    expect(await ids(`inactiveSince=${today}`)).toEqual(["4409"]);
    expect(await ids(`inactiveSince=${tomorrow}`)).toEqual(["4400", "4401", "4402", "4403", "4404", "4409"]);
    // The pilot tag matched as Shopify matches tags: whole tags, ignoring case ("vipvip", "vip-old" are others).
    expect(await ids("pilot=1")).toEqual(["4400", "4402"]);
    expect(await ids("pilot=1&balanceMin=31")).toEqual([]);
    expect(
      (await call("/app/api/members/4401/exclusion", { method: "PUT", body: JSON.stringify({ excluded: true }) })).status,
    ).toBe(200);
    expect(await ids("excluded=1")).toEqual(["4401"]);
    expect(await ids("excluded=0")).toEqual(["4400", "4402", "4403", "4404", "4409"]);

    for (const [query, path] of [
      ["sort=name", "sort"],
      ["direction=up", "direction"],
      ["balanceMin=50&balanceMax=10", "balanceMax"],
      ["balanceMin=lots", "balanceMin"],
      ["activeSince=2026-13-40", "activeSince"],
      ["tier=no-such-tier", "tier"],
      ["limit=1000", "limit"],
    ]) {
      const res = await call(`/app/api/members?${query}`);
      expect(res.status, query).toBe(422);
      expect((await res.json()).errors, query).toEqual([expect.objectContaining({ path })]);
    }
    // A cursor from another sort starts the list over rather than failing.
    const page = await list("sort=balance&limit=2");
    expect((await list(`sort=joined&limit=2&cursor=${page.nextCursor}`)).members).toHaveLength(2);
  });

  it("excludes a member from the club and lets them back in: no earning, joining or redeeming meanwhile", async () => {
    const ada = customer(4500, { first_name: "Ada", last_name: "Byron" });
    await send(paid(order(60_000, ada)));
    await send(customerEvent(ada));
    const program = await (await call("/app/api/program")).json();
    const rewardId = program.rewards[0].id;
    const exclude = (excluded: unknown, customerId = "4500", shop = SHOP) =>
      call(`/app/api/members/${customerId}/exclusion`, { method: "PUT", body: JSON.stringify({ excluded }), shop });

    const before = await tableCounts(app.db);
    for (const bad of ["yes", null, 1]) {
      const res = await exclude(bad);
      expect(res.status).toBe(422);
      expect((await res.json()).errors).toEqual([expect.objectContaining({ path: "excluded" })]);
    }
    expect((await exclude(true, "999999")).status).toBe(404);
    // Another shop's token does not reach this shop's member.
    expect((await exclude(true, "4500", OTHER)).status).toBe(404);
    expect(await tableCounts(app.db)).toEqual(before);
    expect((await app.db.member.findFirst({ where: { shopId: SHOP, customerId: "4500" } }))!.excludedAt).toBeNull();

    const res = await exclude(true);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ excluded: { at: expect.any(String), by: STAFF } });
    // Again: the same state, nothing changes.
    const first = (await app.db.member.findFirst({ where: { shopId: SHOP, customerId: "4500" } }))!.excludedAt;
    await exclude(true);
    expect((await app.db.member.findFirst({ where: { shopId: SHOP, customerId: "4500" } }))!.excludedAt).toEqual(first);
    const detail = await (await call("/app/api/members/4500")).json();
    expect(detail.member).toMatchObject({ name: "Ada Byron", excluded: { by: STAFF }, points: { available: 600 } });

    // Meanwhile: an order earns nothing (decided as such, for good), the storefront says nothing, no redemption.
    const during = order(20_000, ada);
    await send(paid(during));
    const fact = await app.db.orderFact.findUnique({ where: { shopId_orderId: { shopId: SHOP, orderId: String(during.id) } } });
    expect(fact).toMatchObject({ earnedPoints: 0, earnVersion: expect.any(Number) });
    const me = await (await app.emulator.proxy(SHOP, "me", { customerId: "4500" })).json();
    expect(me).toMatchObject({ loggedIn: true, enrolled: false, club: "closed" });
    expect(me.points).toBeUndefined();
    const joined = await app.emulator.proxy(SHOP, "join", { customerId: "4500", method: "POST" });
    expect(joined.status).toBe(403);
    const redeemed = await app.emulator.proxy(SHOP, "redeem", {
      customerId: "4500",
      method: "POST",
      body: { rewardId, idempotencyKey: randomUUID() },
    });
    expect(redeemed.status).toBe(403);
    expect(await redeemed.json()).toMatchObject({ error: "club_closed" });
    expect(await app.db.redemption.count({ where: { shopId: SHOP } })).toBe(0);
    // customers/update does not undo the merchant's decision.
    await send(customerEvent(ada));
    expect((await app.db.member.findFirst({ where: { shopId: SHOP, customerId: "4500" } }))!.excludedAt).toEqual(first);

    // Back in: the balance is as it was, and the next order earns.
    expect(await (await exclude(false)).json()).toEqual({ excluded: null });
    await send(paid(order(5_000, ada)));
    const after = await app.db.member.findFirst({ where: { shopId: SHOP, customerId: "4500" } });
    expect(after).toMatchObject({ available: 650, excludedAt: null, excludedBy: null });
    expect((await (await app.emulator.proxy(SHOP, "me", { customerId: "4500" })).json()).points.available).toBe(650);
  });
});
