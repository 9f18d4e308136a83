// The HTTP door's limits against the production server: bodies too large (announced or not),
// too slow or too many at once get a real answer instead of a cut connection; a cross-origin post
// to a path the app does not serve is a 404; SIGTERM lets requests in flight finish; a weakening
// configuration is refused at start. None of it depends on the database, so SQLite only.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookHmac } from "../emulator/signing.ts";
import { spawnAppServer } from "../emulator/app-process.ts";
import { API_SECRET, startApp, type TestApp } from "../support/app";
import { customer, order, paid } from "../support/orders";

const SHOP = "door-limits.myshopify.com";

interface Raw {
  socket: net.Socket;
  /** everything the server sent, once it closed the connection */
  answer: Promise<string>;
  write(data: string | Buffer): void;
}

/** A request written by hand, so a test decides exactly what is sent and when. */
function raw(url: string, head: string): Promise<Raw> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      socket.write(head);
      resolve({ socket, answer, write: (data) => socket.write(data) });
    });
    let received = "";
    socket.on("data", (d) => (received += d));
    const answer = new Promise<string>((done) => socket.on("close", () => done(received)));
    socket.on("error", reject);
  });
}

const webhookHead = (body: string, webhookId = String(Math.random())) =>
  `POST /webhooks/orders/paid HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\n` +
  `X-Shopify-Topic: orders/paid\r\nX-Shopify-Shop-Domain: ${SHOP}\r\nX-Shopify-Webhook-Id: ${webhookId}\r\n` +
  `X-Shopify-Hmac-Sha256: ${webhookHmac(body, API_SECRET)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);

describe("the door's limits", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startApp("sqlite");
    app.emulator.addShop(SHOP, SHOP, "USD");
    expect((await app.emulator.install(SHOP)).status).toBe(200);
  });
  afterAll(() => app?.stop());

  it("answers a body announced over the limit with 413 at once, before any of it is sent", async () => {
    for (const path of ["/webhooks/orders/paid", "/proxy/redeem"]) {
      const started = Date.now();
      const r = await raw(
        app.url,
        `POST ${path} HTTP/1.1\r\nHost: app\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n`,
      );
      const answer = await r.answer;
      expect(Date.now() - started).toBeLessThan(1000);
      expect(statusOf(answer), path).toBe(413);
      expect(answer).toMatch(/connection: close/i);
      expect(answer).toContain('"error":"body_too_large"');
    }
  });

  it("answers a body that grows past the limit with a real 413, not a cut connection", async () => {
    const stream = (chunks: number, size: number) =>
      new ReadableStream({
        start(c) {
          for (let i = 0; i < chunks; i++) c.enqueue(new Uint8Array(size).fill(32));
          c.close();
        },
      });
    // No Content-Length (chunked): 6 MB to the webhook door, 2 MB to the storefront API.
    for (const [path, chunks] of [
      ["/webhooks/orders/paid", 96],
      ["/proxy/redeem", 32],
    ] as const) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const res = await fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: stream(chunks, 64 * 1024),
          duplex: "half",
        } as RequestInit);
        expect(res.status, path).toBe(413);
        expect(await res.json()).toMatchObject({ error: "body_too_large" });
      }
    }
    // With a Content-Length, as Shopify sends it: refused before the upload.
    const big = await fetch(`${app.url}/webhooks/orders/paid`, { method: "POST", body: Buffer.alloc(6 * 1024 * 1024, 32) });
    expect(big.status).toBe(413);
    const redeem = await fetch(`${app.url}/proxy/redeem`, { method: "POST", body: Buffer.alloc(2 * 1024 * 1024, 32) });
    expect(redeem.status).toBe(413);
  });

  it("answers Expect: 100-continue with 413 instead of inviting an oversized body", async () => {
    const r = await raw(
      app.url,
      `POST /webhooks/orders/paid HTTP/1.1\r\nHost: app\r\nContent-Length: 9000000\r\nExpect: 100-continue\r\n\r\n`,
    );
    const answer = await r.answer;
    expect(answer).not.toContain("100 Continue");
    expect(statusOf(answer)).toBe(413);
  });

  it("caps the bodies being read at once, with 503 and Retry-After beyond the cap", async () => {
    const body = JSON.stringify(paid(order(1_000, customer(1))).payload);
    const slow = await Promise.all(Array.from({ length: 64 }, () => raw(app.url, webhookHead(body))));
    await new Promise((r) => setTimeout(r, 300));
    const extra = await raw(app.url, webhookHead(body));
    const answer = await extra.answer;
    expect(statusOf(answer)).toBe(503);
    expect(answer).toMatch(/retry-after: \d+/i);
    expect(answer).toContain('"error":"busy"');
    for (const s of slow) s.socket.destroy();
    // Once the server has seen them go, uploads are taken again.
    await expect
      .poll(async () => (await app.emulator.sendWebhook(SHOP, "orders/paid", paid(order(1_000, customer(2))).payload)).status, {
        timeout: 5_000,
      })
      .toBe(200);
  });

  it("answers an upload that stalls with 408 within the body deadline", async () => {
    const body = JSON.stringify(paid(order(1_000, customer(3))).payload);
    const started = Date.now();
    const r = await raw(app.url, webhookHead(body));
    r.write(body.slice(0, 20));
    const answer = await r.answer;
    expect(statusOf(answer)).toBe(408);
    expect(answer).toContain('"error":"request_timeout"');
    expect(Date.now() - started).toBeLessThan(12_000);
  }, 20_000);

  it("answers a cross-origin post to a path the app does not serve with 404, and never an empty 500", async () => {
    for (const origin of ["https://evil.example", "null"]) {
      const res = await fetch(`${app.url}/api/anything`, { method: "POST", headers: { Origin: origin }, body: "x=1" });
      expect(res.status, origin).toBe(404);
      expect(await res.json()).toMatchObject({ error: "not_found" });
    }
    // A path the app serves: refused as cross-origin, with a body saying so.
    const admin = await fetch(`${app.url}/app`, { method: "POST", headers: { Origin: "https://evil.example" }, body: "x=1" });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ error: "cross_origin" });
  });

  it("finishes the requests in flight on SIGTERM, takes no new ones, and exits 0", async () => {
    try {
      await sigtermWhileUploading();
    } finally {
      await app.restart(); // a server again for whichever test runs next
    }
  });

  async function sigtermWhileUploading() {
    const o = order(4_400, customer(4));
    const body = JSON.stringify(paid(o).payload);
    const inFlight = await raw(app.url, webhookHead(body, "in-flight-at-sigterm"));
    inFlight.write(body.slice(0, 100));
    // An idle keep-alive connection must not hold the shutdown up.
    const idle = await fetch(`${app.url}/proxy/program`);
    expect(idle.status).toBe(400); // unsigned
    expect(await idle.json()).toMatchObject({ error: "invalid_signature" });
    const exited = new Promise<number | null>((resolve) => app.server.child.once("exit", (code) => resolve(code)));
    app.server.child.kill("SIGTERM");
    // It says so as it stops listening (server.mjs: the message, then server.close, in one turn).
    await expect.poll(() => app.server.output(), { timeout: 5_000 }).toContain("stopping (SIGTERM)");
    await expect(fetch(`${app.url}/proxy/program`)).rejects.toThrow();
    inFlight.write(body.slice(100));
    const answer = await inFlight.answer;
    expect(statusOf(answer)).toBe(200);
    const started = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Stored before the answer, and the job thread was stopped only after it.
    expect(await app.db.webhookJob.count({ where: { shopId: SHOP, webhookId: "in-flight-at-sigterm" } })).toBe(1);
  }
});

describe("start-up configuration", () => {
  const env = (extra: Record<string, string>) => ({
    NODE_ENV: "production",
    PORT: "1", // never reached
    DATABASE_URL: "file:/nonexistent/never-opened.sqlite",
    SHOPIFY_API_KEY: "k",
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: "https://app.example.com",
    STORE_EMULATOR_URL: "http://127.0.0.1:9",
    ...extra,
  });

  it("refuses, in production, the offline stand-ins and an empty secret, naming each", async () => {
    const refusal = (extra: Record<string, string>) =>
      spawnAppServer(env(extra)).then(
        () => "started",
        (e: Error) => e.message,
      );
    const standIns = await refusal({
      APP_BRIDGE_URL: "http://x/app-bridge.js",
      FRAME_ANCESTORS_EXTRA: "http://x",
      SHOP_CUSTOM_DOMAIN: "x.com",
    });
    expect(standIns).toContain("server exited with 1");
    for (const name of ["APP_BRIDGE_URL", "FRAME_ANCESTORS_EXTRA", "SHOP_CUSTOM_DOMAIN"])
      expect(standIns).toContain(`${name} is set`);
    expect(standIns).not.toMatch(/\n\s+at /); // a message, not a stack trace
    const noSecret = await refusal({ SHOPIFY_API_SECRET: "", LOYALTY_DEMO: "1" });
    expect(noSecret).toContain("server exited with 1");
    expect(noSecret).toContain("SHOPIFY_API_SECRET is empty");
  });
});
