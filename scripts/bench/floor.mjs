// The floor to compare against: bare node:http, the HMAC check, one better-sqlite3 insert per
// request (WAL, synchronous=NORMAL, the same settings the app uses). Usage: node floor.mjs <port> <db> <secret>
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import Database from "better-sqlite3";

const [port, file, secret] = process.argv.slice(2);
const db = new Database(file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.exec(`CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, shop TEXT, topic TEXT, webhook_id TEXT UNIQUE, body TEXT)`);
const insert = db.prepare(`INSERT INTO inbox (shop, topic, webhook_id, body) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`);

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const expected = createHmac("sha256", secret).update(body).digest();
      const given = Buffer.from(String(req.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        return;
      }
      insert.run(
        req.headers["x-shopify-shop-domain"],
        req.headers["x-shopify-topic"],
        req.headers["x-shopify-webhook-id"],
        body.toString("utf8"),
      );
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    });
  })
  .listen(Number(port), "127.0.0.1", () => console.log("floor listening"));
