// Seasonal draws over HTTP (docs/http.md "Seasonal draws"), on SQLite and PostgreSQL: the admin
// creates, runs and cancels with session tokens; shoppers enter through the signed app proxy;
// the public proof recomputes with scripts/verify-draw.mjs; 20 concurrent requests never overspend
// nor pass the limit or the free entry.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { verifyDraw } from "../../scripts/verify-draw.mjs";
import { adminIdToken } from "../emulator/signing.ts";
import { API_KEY, API_SECRET, assertLedgerConsistent, describeDialects, startApp, type TestApp } from "../support/app";
import { customer, order, paid } from "../support/orders";

describeDialects("seasonal draws on %s", (dialect) => {
  let app: TestApp;
  let SHOP = "";
  let OTHER = "";

  const admin = (path: string, init: RequestInit & { shop?: string } = {}) =>
    fetch(`${app.url}/app/api/draws${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${adminIdToken(init.shop ?? SHOP, API_KEY, API_SECRET, "77001")}`,
        "Content-Type": "application/json",
      },
    });
  const proxy = (customerId: number | null, path: string, body?: unknown, shop = SHOP) =>
    app.emulator.proxy(shop, path, {
      customerId: customerId === null ? null : String(customerId),
      method: body === undefined ? "GET" : "POST",
      body,
    });
  const enter = (customerId: number, drawId: string, body: Record<string, unknown>) =>
    proxy(customerId, `draws/${drawId}/enter`, { idempotencyKey: randomUUID(), ...body });
  /** Members with `units` points each, by a paid order each. */
  const members = async (ids: number[], units: number, shop = SHOP) => {
    await app.emulator.deliverAll(
      shop,
      ids.map((id) => paid(order(units * 100, customer(id)))),
    );
    await app.settled();
  };
  const available = async (id: number) =>
    (await app.db.member.findUniqueOrThrow({ where: { shopId_customerId: { shopId: SHOP, customerId: String(id) } } })).available;
  const create = async (over: Record<string, unknown> = {}) => {
    const res = await admin("", {
      method: "POST",
      body: JSON.stringify({
        name: "Winter draw",
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        pointsPerEntry: 10,
        maxEntriesPerCustomer: 5,
        winners: 2,
        ...over,
      }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; commitment: string; state: string };
  };
  /** The draw's end moved into the past, as if its time had come. */
  const end = (id: string) => app.db.draw.update({ where: { id }, data: { endsAt: new Date(Date.now() - 1000) } });

  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());
  let callsBefore = 0;
  beforeEach(async () => {
    SHOP = await app.installShop("snow-peak");
    OTHER = await app.installShop("sand-dune");
    callsBefore = app.emulator.graphqlCalls.length;
  });
  afterEach(async () => {
    await assertLedgerConsistent(app.db);
    expect(app.emulator.graphqlCalls.slice(callsBefore).filter((c) => c.errors)).toEqual([]);
  });

  it("creates a draw committed to a secret seed; validates; answers only its own shop", async () => {
    const draw = await create();
    expect(draw).toMatchObject({ name: "Winter draw", pointsPerEntry: 10, maxEntriesPerCustomer: 5, winners: 2, state: "open" });
    expect(draw.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(draw)).not.toContain((await app.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).seed);

    const bad = await admin("", {
      method: "POST",
      body: JSON.stringify({ name: "", endsAt: "soon", pointsPerEntry: 0, winners: 1.5 }),
    });
    expect(bad.status).toBe(422);
    const { errors } = await bad.json();
    expect(errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ["endsAt", "maxEntriesPerCustomer", "name", "pointsPerEntry", "winners"].sort(),
    );
    const past = await admin("", {
      method: "POST",
      body: JSON.stringify({
        name: "x",
        endsAt: "2020-01-01T00:00:00Z",
        pointsPerEntry: 1,
        maxEntriesPerCustomer: 1,
        winners: 1,
      }),
    });
    expect(past.status).toBe(422);
    const prize = await admin("", {
      method: "POST",
      body: JSON.stringify({
        name: "x",
        endsAt: "2099-01-01T00:00:00Z",
        pointsPerEntry: 1,
        maxEntriesPerCustomer: 1,
        winners: 1,
        prizeRewardId: "nope",
      }),
    });
    expect((await prize.json()).errors).toEqual([{ path: "prizeRewardId", message: "no such reward in this program" }]);

    // Another shop's token sees none of it, and cannot run, cancel or read it; no token → 401.
    expect((await (await admin("", { shop: OTHER })).json()).draws).toEqual([]);
    for (const path of [`/${draw.id}/run`, `/${draw.id}/cancel`]) {
      const res = await admin(path, { method: "POST", shop: OTHER });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "draw_not_found" });
    }
    expect((await admin(`/${draw.id}`, { shop: OTHER })).status).toBe(404);
    expect((await fetch(`${app.url}/app/api/draws`)).status).toBe(401);
    expect((await proxy(null, "draws", undefined, OTHER).then((r) => r.json())).draws).toEqual([]);
    expect((await app.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).state).toBe("open");
  });

  it("enters with points and once for free; replays a key; answers refusals in the contract's order", async () => {
    await members([4101], 45);
    await members([4102], 25);
    const draw = await create({ maxEntriesPerCustomer: 4 });
    const key = randomUUID();
    const first = await proxy(4101, `draws/${draw.id}/enter`, { entries: 2, idempotencyKey: key });
    expect(first.status).toBe(200);
    const answer = await first.json();
    expect(answer).toEqual({ myEntries: 2, points: { available: 25, pending: 0, lifetime: 45 } });
    // The same key: the same answer, nothing more; with another request → 422.
    const again = await proxy(4101, `draws/${draw.id}/enter`, { entries: 2, idempotencyKey: key });
    expect(await again.json()).toEqual(answer);
    const reused = await proxy(4101, `draws/${draw.id}/enter`, { entries: 1, idempotencyKey: key });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: "idempotency_key_reused" });
    expect(await available(4101)).toBe(25);

    const free = await enter(4101, draw.id, { free: true });
    expect(await free.json()).toEqual({ myEntries: 3, points: { available: 25, pending: 0, lifetime: 45 } });
    const refusal = async (body: Record<string, unknown>, customerId = 4101) => {
      const res = await enter(customerId, draw.id, body);
      return [res.status, (await res.json()).error];
    };
    // free used and over the limit → free_entry_used first; over the limit and short → entry_limit first.
    expect(await refusal({ free: true })).toEqual([409, "free_entry_used"]);
    expect(await refusal({ entries: 3 })).toEqual([422, "entry_limit"]);
    expect(await refusal({ entries: 5 }, 4102)).toEqual([422, "entry_limit"]);
    expect(await refusal({ entries: 1 }, 4102).then(() => refusal({ entries: 4 }, 4102))).toEqual([422, "entry_limit"]);
    expect(await refusal({ entries: 3 }, 4102)).toEqual([409, "insufficient_points"]);
    expect(await refusal({ entries: 0 })).toEqual([400, "invalid_body"]);
    expect(await refusal({ entries: 1, free: true })).toEqual([400, "invalid_body"]);
    expect((await proxy(null, `draws/${draw.id}/enter`, { entries: 1, idempotencyKey: randomUUID() })).status).toBe(401);
    expect((await enter(4101, "dr_nope", { entries: 1 })).status).toBe(404);
    // Another shop's shopper cannot reach this shop's draw.
    await members([4101], 100, OTHER);
    expect((await proxy(4101, `draws/${draw.id}/enter`, { entries: 1, idempotencyKey: randomUUID() }, OTHER)).status).toBe(404);

    // After the end (and once drawn) every request is draw_closed, whatever else would apply.
    await end(draw.id);
    expect(await refusal({ free: true })).toEqual([409, "draw_closed"]);
    expect(await refusal({ entries: 99 })).toEqual([409, "draw_closed"]);
    // A key accepted before still answers as it did.
    expect(await (await proxy(4101, `draws/${draw.id}/enter`, { entries: 2, idempotencyKey: key })).json()).toEqual(answer);

    const listed = await (await proxy(4101, "draws")).json();
    expect(listed.draws).toEqual([
      expect.objectContaining({
        id: draw.id,
        myEntries: 3,
        freeEntryUsed: true,
        won: null,
        seed: null,
        commitment: draw.commitment,
      }),
    ]);
    const history = (await (await proxy(4101, "me")).json()).history;
    expect(history[0]).toMatchObject({ type: "draw_entry", points: -20 });
  });

  it("shows and takes entries only where the club is open: a pilot's outsiders and an excluded member see no draws", async () => {
    await members([4151, 4152], 30);
    await app.db.member.updateMany({ where: { shopId: SHOP, customerId: "4152" }, data: { tags: "Pilot" } });
    const draw = await create();
    const listed = async (customerId: number | null) =>
      ((await (await proxy(customerId, "draws")).json()) as { draws: Array<{ id: string }> }).draws.map((d) => d.id);
    expect(await listed(4151)).toEqual([draw.id]);
    expect(await listed(null)).toEqual([draw.id]); // a guest sees the live club's draws

    // A pilot to the "Pilot" tag: only the tagged member sees the draw (the storefront's program
    // cache may answer for up to 5 s).
    const headers = {
      Authorization: `Bearer ${adminIdToken(SHOP, API_KEY, API_SECRET, "77001")}`,
      "Content-Type": "application/json",
    };
    const doc = await (await fetch(`${app.url}/app/api/program`, { headers })).json();
    const put = await fetch(`${app.url}/app/api/program`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ ...doc, launch: { state: "pilot", pilotTag: "Pilot" } }),
    });
    expect(put.status).toBe(200);
    await expect.poll(() => listed(4151), { timeout: 7_000, interval: 250 }).toEqual([]);
    expect(await listed(null)).toEqual([]);
    expect(await listed(4152)).toEqual([draw.id]);
    const outsider = await enter(4151, draw.id, { free: true });
    expect([outsider.status, (await outsider.json()).error]).toEqual([403, "club_closed"]);
    expect((await enter(4152, draw.id, { free: true })).status).toBe(200);

    // Excluded by the merchant: nothing, even inside the pilot.
    await app.db.member.updateMany({ where: { shopId: SHOP, customerId: "4152" }, data: { excludedAt: new Date() } });
    expect(await listed(4152)).toEqual([]);
    const excluded = await enter(4152, draw.id, { entries: 1 });
    expect([excluded.status, (await excluded.json()).error]).toEqual([403, "club_closed"]);
    expect(await available(4152)).toBe(30);
  });

  it("20 concurrent requests never pass the limit, the free entry, the balance or a key", async () => {
    await members([4201, 4202, 4203, 4204], 1000);
    const limited = await create({ maxEntriesPerCustomer: 3, pointsPerEntry: 1 });
    const costly = await create({ maxEntriesPerCustomer: 100, pointsPerEntry: 240 });
    const twenty = <T>(fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: 20 }, (_, i) => fn(i)));
    const codes = async (responses: Response[]) =>
      (await Promise.all(responses.map((r) => r.json()))).map((b) => b.error ?? "ok");
    const count = (list: string[]) => list.reduce<Record<string, number>>((m, c) => ({ ...m, [c]: (m[c] ?? 0) + 1 }), {});

    expect(count(await codes(await twenty(() => enter(4201, limited.id, { entries: 1 }))))).toEqual({ ok: 3, entry_limit: 17 });
    expect(count(await codes(await twenty(() => enter(4202, limited.id, { free: true }))))).toEqual({
      ok: 1,
      free_entry_used: 19,
    });
    // 1000 points buy four entries of 240.
    expect(count(await codes(await twenty(() => enter(4203, costly.id, { entries: 1 }))))).toEqual({
      ok: 4,
      insufficient_points: 16,
    });
    expect(await available(4203)).toBe(40);
    const key = randomUUID();
    const same = await twenty(() => proxy(4204, `draws/${costly.id}/enter`, { entries: 2, idempotencyKey: key }));
    const bodies = await Promise.all(same.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0]).toEqual({ myEntries: 2, points: { available: 520, pending: 0, lifetime: 1000 } });

    // Tickets: 0..N-1 once each, in acceptance order, and each entrant's count is their entries.
    for (const [draw, n] of [
      [limited, 4],
      [costly, 6],
    ] as const) {
      const rows = await app.db.drawEntry.findMany({ where: { drawId: draw.id }, orderBy: { firstTicket: "asc" } });
      expect(rows.flatMap((r) => Array.from({ length: r.lastTicket - r.firstTicket + 1 }, (_, i) => r.firstTicket + i))).toEqual(
        Array.from({ length: n }, (_, i) => i),
      );
      for (const e of await app.db.drawEntrant.findMany({ where: { drawId: draw.id } }))
        expect(rows.filter((r) => r.memberId === e.memberId).reduce((s, r) => s + r.entries, 0)).toBe(e.entries);
    }
    expect(await app.db.ledgerEntry.count({ where: { shopId: SHOP, kind: "draw_entry" } })).toBe(3 + 4 + 1);
  });

  it("runs only after the end: winners the proof recomputes, prizes as codes, the same answer every time", async () => {
    const prizeId = (await app.db.reward.findFirstOrThrow({ where: { shopId: SHOP } })).id;
    const ids = [4301, 4302, 4303, 4304, 4305];
    await members(ids, 100);
    const draw = await create({ winners: 3, prizeRewardId: prizeId });
    for (const [i, id] of ids.entries()) expect((await enter(id, draw.id, { entries: 1 + (i % 3) })).status).toBe(200);
    expect((await enter(4301, draw.id, { free: true })).status).toBe(200);

    const early = await admin(`/${draw.id}/run`, { method: "POST" });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: "draw_not_ended" });
    expect((await proxy(4301, `draws/${draw.id}/proof`)).status).toBe(409);

    await end(draw.id);
    const res = await admin(`/${draw.id}/run`, { method: "POST" });
    expect(res.status).toBe(200);
    const run = await res.json();
    expect(run.state).toBe("drawn");
    expect(createHash("sha256").update(run.seed).digest("hex")).toBe(draw.commitment);
    expect(run.commitment).toBe(draw.commitment);
    expect(run.tickets).toEqual([
      { customerId: "4301", from: 0, to: 0 },
      { customerId: "4302", from: 1, to: 2 },
      { customerId: "4303", from: 3, to: 5 },
      { customerId: "4304", from: 6, to: 6 },
      { customerId: "4305", from: 7, to: 8 },
      { customerId: "4301", from: 9, to: 9 },
    ]);
    expect(run.winners).toHaveLength(3);
    expect(new Set(run.winners.map((w: { customerId: string }) => w.customerId)).size).toBe(3);
    // The same answer every time after.
    expect(await (await admin(`/${draw.id}/run`, { method: "POST" })).json()).toEqual(run);

    // The public proof (logged out too) recomputes to the same winners, with opaque entrants.
    const proof = await (await proxy(4302, `draws/${draw.id}/proof`)).json();
    expect(verifyDraw(proof).problems).toEqual([]);
    // No customer id anywhere (as a whole number: the seed's and commitment's hex may hold the digits).
    expect(JSON.stringify(proof)).not.toMatch(/\b430[1-5]\b/);
    expect(proof.tickets.map((t: { from: number; to: number }) => [t.from, t.to])).toEqual(
      run.tickets.map((t: { from: number; to: number }) => [t.from, t.to]),
    );
    expect(proof.tickets[1].entrant).toBe(proof.myEntrant);
    expect(proof.tickets[0].entrant).toBe(proof.tickets[5].entrant);
    const byEntrant = new Map(proof.tickets.map((t: { entrant: string }, i: number) => [t.entrant, run.tickets[i].customerId]));
    expect(proof.winners.map((w: { entrant: string }) => byEntrant.get(w.entrant))).toEqual(
      run.winners.map((w: { customerId: string }) => w.customerId),
    );
    expect((await proxy(null, `draws/${draw.id}/proof`).then((r) => r.json())).myEntrant).toBeNull();
    // A tampered proof is caught.
    expect(verifyDraw({ ...proof, winners: [...proof.winners].reverse() }).problems).not.toEqual([]);

    // Each winner has a code for the prize, created in Shopify for them alone; the list says so.
    for (const w of run.winners) {
      const member = await app.db.member.findFirstOrThrow({ where: { shopId: SHOP, customerId: w.customerId } });
      const codes = await app.db.redemption.findMany({ where: { shopId: SHOP, memberId: member.id } });
      expect(codes).toEqual([expect.objectContaining({ source: "draw", status: "issued", pointsSpent: 0, rewardId: prizeId })]);
      const listed = (await (await proxy(Number(w.customerId), "draws")).json()).draws[0];
      expect(listed).toMatchObject({ won: true, seed: run.seed, prizeCode: { code: codes[0]!.code, status: "issued" } });
    }
    const loser = ids.find((id) => !run.winners.some((w: { customerId: string }) => w.customerId === String(id)))!;
    expect((await (await proxy(loser, "draws")).json()).draws[0]).toMatchObject({ won: false, prizeCode: null });
    expect(await app.db.redemption.count({ where: { shopId: SHOP } })).toBe(3);
    // Shopify Flow hears of each win once (loyalty-draw-won), whatever the repeated runs.
    const won = () =>
      app.emulator
        .shop(SHOP)
        .flowTriggers.filter((t) => t.handle === "loyalty-draw-won" && ids.includes(Number(t.payload.customer_id)))
        .map((t) => String(t.payload.customer_id))
        .sort();
    await expect.poll(won, { timeout: 15_000 }).toHaveLength(3);
    expect(won()).toEqual(run.winners.map((w: { customerId: string }) => w.customerId).sort());
    expect(app.emulator.shop(SHOP).flowTriggers.find((t) => t.handle === "loyalty-draw-won")!.payload.Reward).toBeTruthy();

    expect(await (await enter(4301, draw.id, { entries: 1 })).json()).toMatchObject({ error: "draw_closed" });
    const cancel = await admin(`/${draw.id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(409);
    expect(await cancel.json()).toMatchObject({ error: "draw_drawn" });
  });

  it("cancelling gives every paid entry back exactly once, even cancelled twice at once", async () => {
    await members([4401, 4402], 100);
    const draw = await create({ pointsPerEntry: 15 });
    await enter(4401, draw.id, { entries: 2 });
    await enter(4401, draw.id, { entries: 1 });
    await enter(4401, draw.id, { free: true });
    await enter(4402, draw.id, { entries: 4 });
    expect([await available(4401), await available(4402)]).toEqual([55, 40]);
    const [a, b] = await Promise.all([
      admin(`/${draw.id}/cancel`, { method: "POST" }),
      admin(`/${draw.id}/cancel`, { method: "POST" }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toMatchObject({ state: "cancelled", refundedEntries: 3 });
    expect([await available(4401), await available(4402)]).toEqual([100, 100]);
    expect(await app.db.ledgerEntry.count({ where: { shopId: SHOP, kind: "draw_refund" } })).toBe(3);
    expect((await (await proxy(4401, "me")).json()).history[0]).toMatchObject({ type: "draw_refund" });
    expect(await (await enter(4401, draw.id, { free: true })).json()).toMatchObject({ error: "draw_closed" });
    await end(draw.id);
    expect(await (await admin(`/${draw.id}/run`, { method: "POST" })).json()).toMatchObject({ error: "draw_cancelled" });
  });

  it("an erased entrant shows as redacted in the run's answer; the proof is unchanged", async () => {
    await members([4501, 4502], 100);
    const draw = await create({ winners: 2 });
    await enter(4501, draw.id, { entries: 3 });
    await enter(4502, draw.id, { entries: 1 });
    await end(draw.id);
    const before = await (await admin(`/${draw.id}/run`, { method: "POST" })).json();
    const proofBefore = await (await proxy(null, `draws/${draw.id}/proof`)).json();
    expect(
      (
        await app.emulator.sendWebhook(SHOP, "customers/redact", {
          shop_id: 1,
          shop_domain: SHOP,
          customer: { id: 4501, email: "shopper4501@example.com", phone: null },
          orders_to_redact: [],
        })
      ).status,
    ).toBe(200);
    await app.settled();
    const after = await (await admin(`/${draw.id}/run`, { method: "POST" })).json();
    const redact = (id: string) => (id === "4501" ? "redacted" : id);
    expect(after.tickets).toEqual(
      before.tickets.map((t: { customerId: string }) => ({ ...t, customerId: redact(t.customerId) })),
    );
    expect(after.winners).toEqual(
      before.winners.map((w: { customerId: string }) => ({ ...w, customerId: redact(w.customerId) })),
    );
    expect(after.winners.map((w: { customerId: string }) => w.customerId).sort()).toEqual(["4502", "redacted"]);
    const detail = await (await admin(`/${draw.id}`)).json();
    expect(detail.draw.entries.map((e: { customerId: string }) => e.customerId).sort()).toEqual(["4502", "redacted"]);
    expect(await (await proxy(null, `draws/${draw.id}/proof`)).json()).toEqual(proofBefore);
  });
});
