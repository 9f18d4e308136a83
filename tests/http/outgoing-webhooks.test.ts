// Outgoing webhooks over HTTP, on SQLite and PostgreSQL: endpoints created in the admin API (the
// secret shown once), SSRF-refused destinations, events signed Stripe-style and verified here
// with the published algorithm, delivered once after the first 2xx, retried with backoff when the
// receiver fails or is down, redirects not followed, the delivery log and Resend, pausing.
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDialects, startApp, type TestApp, adminFetch } from "../support/app";
import { customer, order, paid } from "../support/orders";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver on loopback whose answer each test sets. */
async function receiver() {
  const received: Received[] = [];
  let answer: (r: Received) => number = () => 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const r: Received = {
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        answered: 0,
      };
      r.answered = answer(r);
      received.push(r);
      res.writeHead(r.answered, r.answered === 302 ? { Location: "/elsewhere" } : {}).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answer: (fn: (r: Received) => number) => (answer = fn),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const adminFor =
  (app: TestApp, shop: string) =>
  (path: string, init: RequestInit = {}) =>
    adminFetch(app.url, shop, "88004")(path, init);

describeDialects("outgoing webhooks on %s", (dialect) => {
  let app: TestApp;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let nextCustomer = 64_000 + (dialect === "sqlite" ? 0 : 500);
  beforeAll(async () => {
    app = await startApp(dialect, { LOYALTY_WEBHOOKS_ALLOW_PRIVATE: "1" });
    hook = await receiver();
  });
  afterAll(async () => {
    await hook?.close();
    await app?.stop();
  });

  const eventsTo = (path: string) => hook.received.filter((r) => r.path === path);
  const earn = async (shop: string, units: number) => {
    const c = customer(nextCustomer++);
    await app.emulator.sendWebhook(shop, "orders/paid", paid(order(units * 100, c)).payload);
    return c;
  };

  it("signs each event with the endpoint's secret and delivers it once after a 2xx", async () => {
    const shop = await app.installShop("hooks-sign");
    const admin = adminFor(app, shop);
    const created = await admin("/app/api/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({ url: `${hook.url}/sign`, events: ["points.earned"] }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const endpoint = await created.json();
    expect(endpoint).toMatchObject({ url: `${hook.url}/sign`, events: ["points.earned"] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = await (await admin("/app/api/webhook-endpoints")).json();
    expect(listed.endpoints).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);

    const c = await earn(shop, 80);
    await expect.poll(() => eventsTo("/sign").length, { timeout: 15_000 }).toBe(1);
    const [r] = eventsTo("/sign");
    const body = JSON.parse(r!.body);
    expect(body).toMatchObject({ type: "points.earned", shop, data: { customerId: String(c.id), points: 80, balance: 80 } });
    expect(r!.headers["loyalty-event-id"]).toBe(body.id);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r!.headers["loyalty-signature"]))!;
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(30);
    expect(v1).toBe(createHmac("sha256", endpoint.secret).update(`${t}.${r!.body}`).digest("hex"));

    // A later event delivered proves the first was not sent again meanwhile.
    await earn(shop, 10);
    await expect.poll(() => eventsTo("/sign").length, { timeout: 15_000 }).toBe(2);
    expect(eventsTo("/sign").filter((x) => x.headers["loyalty-event-id"] === body.id)).toHaveLength(1);
    // The log says delivered once the receiver's 2xx is back (just after the receiver saw the request).
    const log = async () =>
      (
        (await (await admin(`/app/api/webhook-deliveries?endpointId=${endpoint.id}`)).json()).deliveries as Array<{
          status: string;
          attempts: number;
        }>
      ).map((d) => [d.status, d.attempts]);
    await expect.poll(log, { timeout: 10_000 }).toEqual([
      ["delivered", 1],
      ["delivered", 1],
    ]);
  });

  it("retries a receiver that fails or redirects, with the same id and body, and stops after the first 2xx", async () => {
    const shop = await app.installShop("hooks-retry");
    const admin = adminFor(app, shop);
    const endpoint = await (
      await admin("/app/api/webhook-endpoints", {
        method: "POST",
        body: JSON.stringify({ url: `${hook.url}/retry`, events: ["*"] }),
      })
    ).json();
    let answers = [500, 302];
    hook.answer((r) => (r.path === "/retry" ? (answers.shift() ?? 200) : 200));
    await earn(shop, 20); // member.joined and points.earned
    await expect.poll(() => eventsTo("/retry").length, { timeout: 15_000 }).toBe(2);
    const failed = await app.db.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, orderBy: { id: "asc" } });
    expect(failed.map((d) => [d.status, d.attempts, d.lastStatus]).sort()).toEqual([
      ["pending", 1, 302],
      ["pending", 1, 500],
    ]);
    expect(failed.find((d) => d.lastStatus === 302)!.lastError).toBe("redirect not followed");
    expect(eventsTo("/elsewhere")).toHaveLength(0);
    // The first retry is due within a minute.
    for (const d of failed) expect(d.nextAttemptAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);

    // Time passes (the retry is due now): both go again, are answered 200, and are done.
    await app.db.webhookDelivery.updateMany({ where: { endpointId: endpoint.id }, data: { nextAttemptAt: new Date() } });
    await expect
      .poll(async () => (await app.db.webhookDelivery.findMany({ where: { endpointId: endpoint.id } })).map((d) => d.status), {
        timeout: 15_000,
      })
      .toEqual(["delivered", "delivered"]);
    const got = eventsTo("/retry");
    expect(got).toHaveLength(4);
    for (const first of got.slice(0, 2)) {
      const again = got.filter((g) => g.headers["loyalty-event-id"] === first.headers["loyalty-event-id"]);
      expect(again.map((g) => g.body)).toEqual([first.body, first.body]);
      expect(again.filter((g) => g.answered === 200)).toHaveLength(1);
    }

    // Resend: the merchant asks for one again.
    const [one] = (await (await admin(`/app/api/webhook-deliveries?endpointId=${endpoint.id}`)).json()).deliveries;
    expect((await admin(`/app/api/webhook-deliveries/${one.id}/resend`, { method: "POST" })).status).toBe(200);
    await expect.poll(() => eventsTo("/retry").length, { timeout: 15_000 }).toBe(5);
    expect(eventsTo("/retry")[4]!.headers["loyalty-event-id"]).toBe(one.eventId);
    answers = [];
  });

  it("retries a receiver that is down, and pauses an endpoint failing for a day", async () => {
    app.expectServerErrors(/webhook endpoint paused after failing for a day/);
    const shop = await app.installShop("hooks-down");
    const admin = adminFor(app, shop);
    const down = await receiver();
    const url = `${down.url}/down`;
    await down.close();
    const endpoint = await (
      await admin("/app/api/webhook-endpoints", { method: "POST", body: JSON.stringify({ url, events: ["member.joined"] }) })
    ).json();
    // It has been failing for a day already.
    await app.db.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { failingSince: new Date(Date.now() - 25 * 3_600_000) },
    });
    await earn(shop, 5);
    await expect
      .poll(async () => (await app.db.webhookDelivery.findFirst({ where: { endpointId: endpoint.id } }))?.attempts ?? 0, {
        timeout: 15_000,
      })
      .toBe(1);
    const d = await app.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
    expect(d).toMatchObject({ status: "pending", lastStatus: null });
    expect(d.lastError).toMatch(/ECONNREFUSED/);
    const listed = (await (await admin("/app/api/webhook-endpoints")).json()).endpoints;
    expect(listed[0]).toMatchObject({ id: endpoint.id, paused: true });
    // Removing it drops what waits for it.
    expect((await admin(`/app/api/webhook-endpoints/${endpoint.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await app.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } })).status).toBe("failed");
    expect((await admin(`/app/api/webhook-endpoints/${endpoint.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses bad input with 422 and never shows another shop's endpoints", async () => {
    const shop = await app.installShop("hooks-input");
    const other = await app.installShop("hooks-other");
    const admin = adminFor(app, shop);
    for (const body of [
      { url: hook.url, events: [] },
      { url: hook.url, events: ["nope"] },
      { url: "", events: ["*"] },
      { url: hook.url, events: ["*", "points.earned"] },
    ]) {
      const res = await admin("/app/api/webhook-endpoints", { method: "POST", body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await res.json()).errors.length).toBeGreaterThan(0);
    }
    await adminFor(app, other)("/app/api/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({ url: hook.url, events: ["*"] }),
    });
    expect((await (await admin("/app/api/webhook-endpoints")).json()).endpoints).toEqual([]);
    expect((await fetch(`${app.url}/app/api/webhook-endpoints`)).status).toBe(401);
  });
});

describeDialects("outgoing webhook destinations (SSRF) on %s", (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp(dialect);
  });
  afterAll(() => app?.stop());

  it("accepts only https to public addresses without LOYALTY_WEBHOOKS_ALLOW_PRIVATE", async () => {
    const shop = await app.installShop("hooks-ssrf");
    const admin = adminFor(app, shop);
    for (const url of [
      "http://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://localhost/x",
      "https://10.0.0.8/x",
      "https://169.254.169.254/latest/meta-data/",
      "https://[::1]/x",
    ]) {
      const res = await admin("/app/api/webhook-endpoints", { method: "POST", body: JSON.stringify({ url, events: ["*"] }) });
      expect(res.status, url).toBe(422);
      expect((await res.json()).errors[0].path).toBe("url");
    }
    expect(await app.db.webhookEndpoint.count({ where: { shopId: shop } })).toBe(0);
  });
});
