// The HTTP server: `npm start` (production build) and `npm run dev` (Vite, NODE_ENV=development).
// Webhooks and the storefront API behind the app proxy are answered by plain handlers ahead of
// Remix (the hot paths, ADRs 0004 and 0007); everything else goes to Remix. The limits this door
// keeps (body sizes, deadlines, concurrent uploads, shutdown) are described in docs/http-door.md.
import http from "node:http";
import { createRequestHandler } from "@remix-run/node";
import { createRequestListener } from "@remix-run/node-fetch-server";
import { matchRoutes } from "@remix-run/react";
import sirv from "sirv";

const LIMITS = {
  webhook: { bytes: 5 * 1024 * 1024, label: "5 MB" },
  proxy: { bytes: 64 * 1024, label: "64 KB" },
  // Remix reads its own bodies (admin forms, a few hundred bytes); a larger announced one is refused.
  remix: { bytes: 1024 * 1024, label: "1 MB" },
};
/** A webhook or storefront body must arrive within this (Shopify itself waits 5 s for an answer). */
const BODY_TIMEOUT_MS = 10_000;
/** Bodies being read into memory at once; beyond this, 503 and Retry-After. */
const MAX_UPLOADS = 64;
/** After a refusal, how long to read and discard what the client is still sending. */
const LINGER_MS = 2_000;
/** SIGTERM: how long in-flight requests may take before their connections are cut. */
const DRAIN_MS = 10_000;
/**
 * SIGTERM: how long the job thread may take to finish its batch and periodic work. Past it the
 * process exits anyway: what it had claimed goes back to the queue when its lease runs out, as
 * after a crash (the kill tests prove nothing is lost or doubled).
 */
const STOP_MS = Number(process.env.LOYALTY_STOP_MS ?? 20_000);
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const port = Number(process.env.PORT || 3000);
const dev = process.env.NODE_ENV === "development";

let vite;
let loadBuild;
let initial;
try {
  if (dev) {
    const { createServer } = await import("vite");
    vite = await createServer({ server: { middlewareMode: true } });
    loadBuild = () => vite.ssrLoadModule("virtual:remix/server-build");
  } else {
    const build = await import("./build/server/index.js");
    loadBuild = async () => build;
  }
  initial = await loadBuild();
} catch (error) {
  // The build checks its configuration as it loads (app/config.server.ts): say why, without a trace.
  if (error?.name !== "StartupConfigError") throw error;
  console.error(error.message);
  await vite?.close();
  process.exit(1);
}

const background = await initial.entry.module.startBackground({ worker: process.env.LOYALTY_WORKER !== "off" });
const productionHandler = dev ? null : createRequestHandler(initial, "production");
const remix = createRequestListener(async (request) =>
  dev ? createRequestHandler(await loadBuild(), "development")(request) : productionHandler(request),
);
// The build precompressed the assets (scripts/compress-assets.mjs): a browser that accepts br or
// gzip gets those files, with Content-Encoding and Vary: Accept-Encoding.
const assets = dev ? null : sirv("build/client", { immutable: true, maxAge: 31_536_000, etag: true, brotli: true, gzip: true });

// Remix's route tree, to tell a path the app serves from one it does not.
const routeTree = (function tree(parentId) {
  return Object.values(initial.routes)
    .filter((route) => route.parentId === parentId)
    .map((route) => {
      const children = tree(route.id);
      return children.length ? { ...route, children } : route;
    });
})(undefined);

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers without reading the rest of the body and closes the connection. The close is staged
 * (RFC 9112 §9.6): our side ends, and what the client is still sending is read and discarded for
 * a moment, because closing on unread data resets the connection and the client would see that
 * reset instead of this answer.
 */
function refuse(req, res, status, body, headers = {}) {
  if (res.headersSent) return void req.socket.destroy();
  const socket = req.socket;
  socket.destroySoon = function lingeringClose() {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    this.once("close", () => clearTimeout(timer));
  };
  req.resume();
  sendJson(res, status, body, { Connection: "close", ...headers });
}

let uploads = 0;

/** Reads a body within the limits; resolves null when it has answered the request itself. */
function readBody(req, res, limit) {
  const tooLarge = () => refuse(req, res, 413, { error: "body_too_large", message: `body over ${limit.label}` });
  // Refused before any of it is uploaded when it says how large it is.
  if (Number(req.headers["content-length"]) > limit.bytes) {
    tooLarge();
    return Promise.resolve(null);
  }
  if (uploads >= MAX_UPLOADS) {
    refuse(req, res, 503, { error: "busy", message: "too many uploads at once, try again" }, { "Retry-After": "2" });
    return Promise.resolve(null);
  }
  uploads++;
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    let settled = false;
    const settle = (value) => {
      if (settled) return false;
      settled = true;
      uploads--;
      clearTimeout(timer);
      resolve(value);
      return true;
    };
    const timer = setTimeout(() => {
      if (settle(null)) refuse(req, res, 408, { error: "request_timeout", message: "the body took too long to arrive" });
    }, BODY_TIMEOUT_MS);
    req.on("data", (chunk) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit.bytes) {
        if (settle(null)) tooLarge();
      } else chunks.push(chunk);
    });
    req.on("end", () => settle(Buffer.concat(chunks)));
    // The client went away: there is no one to answer.
    req.on("error", () => settle(null));
    req.on("close", () => settle(null));
  });
}

async function webhook(req, res) {
  try {
    const body = await readBody(req, res, LIMITS.webhook);
    if (body === null) return;
    const path = req.url.split("?")[0];
    const answer = await initial.entry.module.handleWebhook({ path, headers: req.headers, body });
    sendJson(res, answer.status, answer.body);
  } catch (error) {
    console.error(`[webhook] ${error.message}`);
    // A server-side failure (e.g. database unreachable): Shopify retries, nothing was stored.
    sendJson(res, 503, { error: "unavailable", message: "try again" });
  }
}

async function proxy(req, res) {
  try {
    const url = new URL(req.url, "http://app");
    const body = req.method === "POST" ? await readBody(req, res, LIMITS.proxy) : Buffer.alloc(0);
    if (body === null) return;
    const answer = await initial.entry.module.handleProxy({
      method: req.method,
      path: url.pathname.slice("/proxy/".length),
      query: url.searchParams,
      contentType: req.headers["content-type"],
      body: body.toString("utf8"),
    });
    sendJson(res, answer.status, answer.body, answer.headers);
  } catch (error) {
    console.error(`[proxy] ${error.message}`);
    sendJson(res, 503, { error: "unavailable", message: "try again" });
  }
}

/** The checkout and customer-account extensions' API (contract §5): token-authenticated, cross-origin by design. */
async function extensionApi(req, res) {
  try {
    const url = new URL(req.url, "http://app");
    const body = req.method === "POST" ? await readBody(req, res, LIMITS.proxy) : Buffer.alloc(0);
    if (body === null) return;
    const answer = await initial.entry.module.handleExtensionApi({
      method: req.method,
      path: url.pathname.slice("/api/".length),
      query: url.searchParams,
      contentType: req.headers["content-type"],
      body: body.toString("utf8"),
      authorization: req.headers.authorization,
      origin: req.headers.origin,
    });
    if (answer.body === null) {
      res.writeHead(answer.status, answer.headers);
      return void res.end();
    }
    sendJson(res, answer.status, answer.body, answer.headers);
  } catch (error) {
    console.error(`[extension-api] ${error.message}`);
    sendJson(res, 503, { error: "unavailable", message: "try again" }, { "Access-Control-Allow-Origin": "*" });
  }
}

/**
 * Whether a mutating request comes from another origin, decided as Remix decides it (Origin
 * against X-Forwarded-Host, else Host). Remix refuses such a request before it matches a route and
 * answers an empty 500; the door answers it instead, with a 4xx a client can act on.
 */
function foreignOrigin(req) {
  const origin = req.headers.origin;
  if (!origin) return false;
  const host = req.headers["x-forwarded-host"]?.split(",")[0]?.trim() || req.headers.host;
  try {
    return origin === "null" || !host || new URL(origin).host !== host;
  } catch {
    return true;
  }
}

function remixServes(pathname) {
  // Single-fetch data requests name the route with a .data suffix.
  const path = pathname === "/_root.data" ? "/" : pathname.replace(/\.data$/, "");
  return matchRoutes(routeTree, path) !== null;
}

let closing = false;

const OPS_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

async function operations(req, res) {
  try {
    const answer = await initial.entry.module.handleOperations({
      path: req.url.split("?")[0],
      authorization: req.headers.authorization,
      remoteAddress: req.socket.remoteAddress,
      shuttingDown: closing,
    });
    res.writeHead(answer.status, { "Content-Type": answer.contentType, "Cache-Control": "no-store" });
    res.end(answer.body);
  } catch {
    sendJson(res, 503, { error: "unavailable" });
  }
}

const server = http.createServer({ connectionsCheckingInterval: 2_000 }, (req, res) => {
  // While shutting down, every answer ends its connection, so that draining finishes.
  if (closing) res.setHeader("Connection", "close");
  if (req.method === "POST" && req.url.startsWith("/webhooks/")) return void webhook(req, res);
  if (req.method === "GET" && OPS_PATHS.has(req.url.split("?")[0])) return void operations(req, res);
  if (req.url.startsWith("/proxy/")) return void proxy(req, res);
  if (req.url.startsWith("/api/checkout/") || req.url.startsWith("/api/customer-account/")) return void extensionApi(req, res);
  if (dev) return vite.middlewares(req, res, () => remix(req, res));
  if (req.url.startsWith("/assets/") || req.url === "/favicon.ico") return assets(req, res, () => remix(req, res));
  if (MUTATING.has(req.method) && foreignOrigin(req)) {
    const pathname = new URL(req.url, "http://app").pathname;
    return remixServes(pathname)
      ? refuse(req, res, 403, { error: "cross_origin", message: "this request comes from another origin" })
      : refuse(req, res, 404, { error: "not_found", message: "no such page" });
  }
  if (Number(req.headers["content-length"]) > LIMITS.remix.bytes) {
    return refuse(req, res, 413, { error: "body_too_large", message: `body over ${LIMITS.remix.label}` });
  }
  return remix(req, res);
});
server.keepAliveTimeout = 65_000;
// A client that is slow to send its headers, or its whole request, is answered 408 by Node.
server.headersTimeout = 15_000;
server.requestTimeout = 30_000;
// Expect: 100-continue: refuse an oversized body before the client sends it.
server.on("checkContinue", (req, res) => {
  const limit = req.url.startsWith("/webhooks/")
    ? LIMITS.webhook
    : req.url.startsWith("/proxy/") || req.url.startsWith("/api/")
      ? LIMITS.proxy
      : LIMITS.remix;
  if (Number(req.headers["content-length"]) > limit.bytes) {
    return refuse(req, res, 413, { error: "body_too_large", message: `body over ${limit.label}` });
  }
  res.writeContinue();
  server.emit("request", req, res);
});

server.listen(port, () => console.log(`Loyalty Club listening on http://localhost:${port}`));

/**
 * SIGTERM (a deploy, a container stop): take no new connections, let the requests in flight
 * finish (at most DRAIN_MS), then stop the job thread and close the inbox and database.
 */
async function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`Loyalty Club stopping (${signal}): finishing requests in flight`);
  const drained = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  // A keep-alive connection becomes idle once its answer is sent (with Connection: close).
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)));
  await Promise.race([drained, timeout]);
  clearTimeout(timer);
  clearInterval(sweep);
  server.closeAllConnections();
  try {
    let stopTimer;
    const stopped = await Promise.race([
      background.stop().then(() => true),
      new Promise((resolve) => (stopTimer = setTimeout(() => resolve(false), STOP_MS))),
    ]);
    clearTimeout(stopTimer);
    if (!stopped) {
      console.log(
        JSON.stringify({
          level: "warn",
          msg: "background work did not stop in time; exiting (claimed jobs return when their lease ends)",
          stopMs: STOP_MS,
        }),
      );
      process.exit(1);
    }
    await vite?.close();
  } catch (error) {
    console.error(`[shutdown] ${error.message}`);
    process.exit(1);
  }
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
