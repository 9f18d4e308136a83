// The developer API over HTTP, on SQLite and PostgreSQL: keys created in the admin API (shown
// once, stored hashed), read and write access, revocation, a key reaching only its own shop, and
// the per-key rate limit (429 with Retry-After), counted in the database.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDialects, startApp, type TestApp, adminFetch } from "../support/app";
import { customer, order, paid } from "../support/orders";

describeDialects("developer API on %s", (dialect) => {
  let app: TestApp;
  let nextCustomer = 66_000 + (dialect === "sqlite" ? 0 : 500);
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  const admin =
    (shop: string) =>
    (path: string, init: RequestInit = {}) =>
      adminFetch(app.url, shop, "88005")(path, init);
  const api = (key: string | null, path: string, init: RequestInit = {}) =>
    fetch(`${app.url}/api/v1${path}`, {
      ...init,
      headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), "Content-Type": "application/json" },
    });
  const newKey = async (shop: string, name: string, access: string) => {
    const res = await admin(shop)("/app/api/api-keys", { method: "POST", body: JSON.stringify({ name, access }) });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; name: string; access: string; key: string };
  };
  const memberOf = async (shop: string, units: number) => {
    const c = customer(nextCustomer++);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(units * 100, c)).payload);
    await app.settled();
    return c;
  };

  it("reads members and adjusts points with a write key, the key's name as actor", async () => {
    const shop = await app.installShop("api-rw");
    const c = await memberOf(shop, 120);
    const key = await newKey(shop, "Acme CRM", "write");
    expect(key).toMatchObject({ name: "Acme CRM", access: "write" });
    // Stored hashed: the key itself is nowhere in the database.
    const stored = await app.db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored.keyHash).toBe(createHash("sha256").update(key.key).digest("hex"));
    expect(JSON.stringify(await (await admin(shop)("/app/api/api-keys")).json())).not.toContain(key.key);

    const list = await (await api(key.key, "/members")).json();
    expect(list.members.map((m: { customerId: string }) => m.customerId)).toEqual([String(c.id)]);
    const one = await api(key.key, `/members/${c.id}`);
    expect(one.status).toBe(200);
    expect((await one.json()).member).toMatchObject({
      customerId: String(c.id),
      points: { available: 120 },
      history: [{ type: "earn" }],
    });

    const body = JSON.stringify({ points: 30, reason: "CRM goodwill", idempotencyKey: randomUUID() });
    const adjusted = await api(key.key, `/members/${c.id}/adjustments`, { method: "POST", body });
    expect(adjusted.status, await adjusted.clone().text()).toBe(200);
    expect((await adjusted.json()).entry).toMatchObject({
      type: "adjustment",
      points: 30,
      reason: "CRM goodwill",
      actor: "Acme CRM",
    });
    expect((await api(key.key, `/members/${c.id}/adjustments`, { method: "POST", body })).status).toBe(200);
    expect((await app.db.member.findFirstOrThrow({ where: { shopId: shop, customerId: String(c.id) } })).available).toBe(150);
    const bad = await api(key.key, `/members/${c.id}/adjustments`, { method: "POST", body: JSON.stringify({ points: 5 }) });
    expect(bad.status).toBe(422);
  });

  it("answers 401 without a valid key, 403 for a read key on a write route, 404 for another shop's customer", async () => {
    const shop = await app.installShop("api-access");
    const other = await app.installShop("api-access-other");
    const c = await memberOf(other, 50);
    const read = await newKey(shop, "Reader", "read");
    expect((await api(null, "/members")).status).toBe(401);
    expect((await api("lc_not-a-key", "/members")).status).toBe(401);
    const forbidden = await api(read.key, `/members/${c.id}/adjustments`, {
      method: "POST",
      body: JSON.stringify({ points: 5, reason: "x", idempotencyKey: randomUUID() }),
    });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toBe("forbidden");
    const foreign = await api(read.key, `/members/${c.id}`);
    expect(foreign.status).toBe(404);
    expect((await (await api(read.key, "/members")).json()).members).toEqual([]);

    // Revoked: refused at once.
    expect((await admin(shop)(`/app/api/api-keys/${read.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(read.key, "/members")).status).toBe(401);
    const listed = (await (await admin(shop)("/app/api/api-keys")).json()).keys;
    expect(listed).toEqual([expect.objectContaining({ id: read.id, revoked: true, lastUsedAt: expect.any(String) })]);
    expect((await admin(other)(`/app/api/api-keys/${read.id}`, { method: "DELETE" })).status).toBe(404);
    expect(
      (await admin(shop)("/app/api/api-keys", { method: "POST", body: JSON.stringify({ name: "", access: "all" }) })).status,
    ).toBe(422);
  });

  it("limits a key to 10 requests a second: 429 with Retry-After", async () => {
    const shop = await app.installShop("api-rate");
    const key = await newKey(shop, "Burst", "read");
    // 40 at once. The server counts per key per second (of its clock, inside this test's span):
    // whatever the requests took, no more than 10 are answered in any one second.
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, () => api(key.key, "/members")));
    const ended = Date.now();
    const seconds = Math.floor(ended / 1000) - Math.floor(started / 1000) + 1;
    const ok = answers.filter((r) => r.status === 200).length;
    const limited = answers.filter((r) => r.status === 429);
    expect(ok + limited.length).toBe(40);
    expect(ok).toBeLessThanOrEqual(10 * seconds);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.headers.get("Retry-After")).toBe("1");
    expect((await limited[0]!.json()).error).toBe("rate_limited");
  });
});
