// The storefront read path under load: GET /proxy/me, signed as Shopify's app proxy signs it,
// for a shop with 100,000 members and 2,000,000 ledger entries. Seeds the database directly
// (the webhook pipeline would take too long for a benchmark's setup).
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "../migrate.mjs";
import { signedProxyQuery } from "../../tests/emulator/signing.ts";

export const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
export const ENTRIES_PER_MEMBER = Number(process.env.BENCH_ENTRIES_PER_MEMBER ?? 20);

export async function seedShopper(dialect, url, shop) {
  const started = performance.now();
  if (dialect === "sqlite") {
    const db = new Database(sqlitePath(url));
    db.pragma("journal_mode = WAL");
    const now = Date.now();
    const iso = (ms) => new Date(ms).toISOString().replace("Z", "+00:00");
    const member = db.prepare(
      `INSERT INTO "Member" ("id","shopId","customerId","state","enrolledAt","available","pending","lifetimeEarned","referralCode","tags","addressHashes") VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const entry = db.prepare(
      `INSERT INTO "LedgerEntry" ("id","shopId","memberId","kind","points","status","availableAt","idempotencyKey","sourceType","sourceId","programVersion","rateNum","rateDen","actor","reason","occurredAt","createdAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const batch = db.transaction((from, to) => {
      for (let m = from; m < to; m++) {
        member.run(
          `bm_${m}`,
          shop,
          String(100_000 + m),
          "active",
          iso(now),
          50 * ENTRIES_PER_MEMBER,
          0,
          50 * ENTRIES_PER_MEMBER,
          `R${m}`,
          "",
          "",
        );
        for (let j = 0; j < ENTRIES_PER_MEMBER; j++) {
          const at = iso(now - (ENTRIES_PER_MEMBER - j) * 86_400_000);
          entry.run(
            `ble_${m}_${j}`,
            shop,
            `bm_${m}`,
            "earn",
            50,
            "available",
            at,
            `seed:${m}:${j}`,
            "order",
            String(m * 100 + j),
            1,
            100,
            100,
            "bench",
            `Order #${m * 100 + j}`,
            at,
            at,
          );
        }
      }
    });
    for (let m = 0; m < MEMBERS; m += 5000) batch(m, Math.min(MEMBERS, m + 5000));
    db.exec("ANALYZE");
    db.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO "Member" ("id","shopId","customerId","state","enrolledAt","available","pending","lifetimeEarned","referralCode","tags","addressHashes")
       SELECT 'bm_' || g, $1, (100000 + g)::text, 'active', now(), 50 * $3::int, 0, 50 * $3::int, 'R' || g, '', '' FROM generate_series(0, $2::int - 1) g`,
      [shop, MEMBERS, ENTRIES_PER_MEMBER],
    );
    await client.query(
      `INSERT INTO "LedgerEntry" ("id","shopId","memberId","kind","points","status","availableAt","idempotencyKey","sourceType","sourceId","programVersion","rateNum","rateDen","actor","reason","occurredAt","createdAt")
       SELECT 'ble_' || m || '_' || j, $1, 'bm_' || m, 'earn', 50, 'available', ts, 'seed:' || m || ':' || j, 'order', (m * 100 + j)::text, 1, 100, 100, 'bench', 'Order #' || (m * 100 + j), ts, ts
       FROM generate_series(0, $2::int - 1) m, generate_series(0, $3::int - 1) j, LATERAL (SELECT (now() at time zone 'utc') - (($3::int - j) || ' days')::interval AS ts) t`,
      [shop, MEMBERS, ENTRIES_PER_MEMBER],
    );
    await client.query("ANALYZE");
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

/** Signed GET /proxy/me requests for random seeded members; timestamps must be fresh (±90 s). */
export function proxyRequests(shop, secret, count, seed = 7) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const customer = String(100_000 + Math.floor(next() * MEMBERS));
    return {
      method: "GET",
      path: `/proxy/me?${signedProxyQuery(shop, customer, secret)}`,
      headers: { accept: "application/json" },
    };
  });
}
