// The HTTP server: `npm start` (production build) and `npm run dev` (Vite, NODE_ENV=development).
// Webhooks and the storefront API behind the app proxy are answered by plain handlers ahead of
// Remix (the hot paths, ADRs 0004 and 0007); everything else goes to Remix.
import http from "node:http";
import { createRequestHandler } from "@remix-run/node";
import { createRequestListener } from "@remix-run/node-fetch-server";
import sirv from "sirv";

const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;
const MAX_PROXY_BYTES = 64 * 1024;
const port = Number(process.env.PORT || 3000);
const dev = process.env.NODE_ENV === "development";

let vite;
let loadBuild;
if (dev) {
  const { createServer } = await import("vite");
  vite = await createServer({ server: { middlewareMode: true } });
  loadBuild = () => vite.ssrLoadModule("virtual:remix/server-build");
} else {
  const build = await import("./build/server/index.js");
  loadBuild = async () => build;
}

const initial = await loadBuild();
const background = await initial.entry.module.startBackground({ worker: process.env.LOYALTY_WORKER !== "off" });
const productionHandler = dev ? null : createRequestHandler(initial, "production");
const remix = createRequestListener(async (request) =>
  dev ? createRequestHandler(await loadBuild(), "development")(request) : productionHandler(request),
);
const assets = dev ? null : sirv("build/client", { immutable: true, maxAge: 31_536_000, etag: true });

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(Object.assign(new Error("body too large"), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function webhook(req, res) {
  try {
    const body = await readBody(req, MAX_WEBHOOK_BYTES);
    const path = req.url.split("?")[0];
    const answer = await initial.entry.module.handleWebhook({ path, headers: req.headers, body });
    sendJson(res, answer.status, answer.body);
  } catch (error) {
    if (error.status === 413) return sendJson(res, 413, { error: "body_too_large", message: "webhook body over 5 MB" });
    console.error(`[webhook] ${error.message}`);
    // A server-side failure (e.g. database unreachable): Shopify retries, nothing was stored.
    sendJson(res, 503, { error: "unavailable", message: "try again" });
  }
}

async function proxy(req, res) {
  try {
    const url = new URL(req.url, "http://app");
    const body = req.method === "POST" ? (await readBody(req, MAX_PROXY_BYTES)).toString("utf8") : "";
    const answer = await initial.entry.module.handleProxy({ method: req.method, path: url.pathname.slice("/proxy/".length), query: url.searchParams, body });
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...answer.headers });
    res.end(text);
  } catch (error) {
    if (error.status === 413) return sendJson(res, 413, { error: "body_too_large", message: "body over 64 KB" });
    console.error(`[proxy] ${error.message}`);
    sendJson(res, 503, { error: "unavailable", message: "try again" });
  }
}

const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url.startsWith("/webhooks/")) return void webhook(req, res);
  if (req.url.startsWith("/proxy/")) return void proxy(req, res);
  if (dev) return vite.middlewares(req, res, () => remix(req, res));
  if (req.url.startsWith("/assets/") || req.url === "/favicon.ico") return assets(req, res, () => remix(req, res));
  return remix(req, res);
});
server.keepAliveTimeout = 65_000;

server.listen(port, () => console.log(`Loyalty Club listening on http://localhost:${port}`));

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  server.close();
  await background.stop();
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
