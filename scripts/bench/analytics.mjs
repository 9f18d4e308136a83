// The Analytics page and GET /app/api/metrics at size: one shop with 100,000 customers and
// 1,000,000 orders over two years (members, a 5% holdout, guests, refunds, cancellations, ledger
// entries, redemptions, referrals), seeded straight into the database with the triggers on (the
// pipeline would take too long for a benchmark's setup), folded by the app's own job. Each route
// is timed with a session token, one request at a time, beside a naive full scan of the same
// figures (the base tables, no pre-aggregates) on the same database.
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "../migrate.mjs";
import { adminIdToken } from "../../tests/emulator/signing.ts";

export const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
export const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const DAYS = 730;
const DAY = 86_400_000;

/** A small deterministic generator (the same data on both databases). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms) => new Date(ms).toISOString().replace("Z", "+00:00");
const isHoldout = (c) => c % 20 === 0;

/** Rows to insert, in batches: orders (and their earn entries), members, redemptions, referrals. */
function* rows(shop, now) {
  const rnd = rng(42);
  const start = now - DAYS * DAY;
  const firstOrder = new Map();
  for (let i = 0; i < ORDERS; i++) {
    const paidAt = Math.floor(start + (i / ORDERS) * DAYS * DAY + rnd() * 60_000);
    const guest = rnd() < 0.08;
    const c = guest ? null : Math.floor(rnd() * CUSTOMERS);
    const member = c !== null && !isHoldout(c);
    const subtotal = 1_000 + Math.floor(rnd() * 20_000);
    const cancelled = rnd() < 0.02;
    const refunded = !cancelled && rnd() < 0.05 ? Math.floor(subtotal / 2) : 0;
    const earned = member ? Math.floor(subtotal / 100) : 0;
    if (c !== null && !firstOrder.has(c)) firstOrder.set(c, paidAt);
    yield {
      table: "order",
      v: [
        shop,
        String(9_000_000_000 + i),
        `#${i}`,
        c === null ? null : String(200_000 + c),
        member ? `bm_${c}` : null,
        "USD",
        subtotal,
        1,
        paidAt,
        cancelled ? 1 : 0,
        paidAt,
        refunded,
        earned,
        0,
        member ? 1 : null,
        paidAt,
      ],
    };
    if (earned > 0)
      yield {
        table: "entry",
        v: [
          `be_${i}`,
          shop,
          `bm_${c}`,
          "earn",
          earned,
          "available",
          paidAt,
          `order:${9_000_000_000 + i}:earn`,
          "order",
          String(9_000_000_000 + i),
          1,
          1,
          1,
          "bench",
          `Order #${i}`,
          paidAt,
          paidAt,
        ],
      };
  }
  for (const [c, at] of firstOrder) {
    if (isHoldout(c)) yield { table: "holdout", v: [shop, String(200_000 + c)] };
    else yield { table: "member", v: [`bm_${c}`, shop, String(200_000 + c), "active", at, 0, 0, 0, `R${c}`, "", ""] };
  }
  const members = [...firstOrder.keys()].filter((c) => !isHoldout(c));
  for (let r = 0; r < 20_000; r++) {
    const c = members[Math.floor(rnd() * members.length)];
    const at = Math.floor(now - rnd() * DAYS * DAY);
    const used = rnd() < 0.6;
    const order = String(9_000_000_000 + Math.floor(rnd() * ORDERS));
    yield {
      table: "redemption",
      v: [
        `br_${r}`,
        shop,
        `bm_${c}`,
        "bench-reward",
        `key-${r}`,
        500,
        used ? "used" : "issued",
        `BENCH${r}`,
        at + 30 * DAY,
        used ? order : null,
        at,
        at,
      ],
    };
    if (used)
      yield {
        table: "discount",
        v: [shop, order, `BENCH${r}`, 500, Math.floor(start + ((Number(order) - 9_000_000_000) / ORDERS) * DAYS * DAY)],
      };
  }
  for (let f = 0; f < 3_000; f++) {
    const order = String(9_000_000_000 + Math.floor(rnd() * ORDERS));
    yield {
      table: "referral",
      v: [
        shop,
        `friend-${f}`,
        `bm_${members[f % members.length]}`,
        order,
        rnd() < 0.9 ? "rewarded" : "rejected",
        null,
        Math.floor(now - rnd() * DAYS * DAY),
      ],
    };
  }
}

const COLUMNS = {
  order: [
    "OrderFact",
    [
      "shopId",
      "orderId",
      "name",
      "customerId",
      "memberId",
      "currency",
      "subtotalMinor",
      "paid",
      "paidAt",
      "cancelled",
      "orderCreatedAt",
      "refundedMinor",
      "earnedPoints",
      "reversedPoints",
      "earnVersion",
      "updatedAt",
    ],
    [8, 10, 15],
  ],
  entry: [
    "LedgerEntry",
    [
      "id",
      "shopId",
      "memberId",
      "kind",
      "points",
      "status",
      "availableAt",
      "idempotencyKey",
      "sourceType",
      "sourceId",
      "programVersion",
      "rateNum",
      "rateDen",
      "actor",
      "reason",
      "occurredAt",
      "createdAt",
    ],
    [6, 15, 16],
  ],
  member: [
    "Member",
    [
      "id",
      "shopId",
      "customerId",
      "state",
      "enrolledAt",
      "available",
      "pending",
      "lifetimeEarned",
      "referralCode",
      "tags",
      "addressHashes",
    ],
    [4],
  ],
  holdout: ["HoldoutCustomer", ["shopId", "customerId"], []],
  redemption: [
    "Redemption",
    [
      "id",
      "shopId",
      "memberId",
      "rewardId",
      "idempotencyKey",
      "pointsSpent",
      "status",
      "code",
      "expiresAt",
      "orderId",
      "createdAt",
      "updatedAt",
    ],
    [8, 10, 11],
  ],
  discount: ["OrderDiscount", ["shopId", "orderId", "code", "amountMinor", "paidAt"], [4]],
  referral: ["Referral", ["shopId", "refereeCustomerId", "referrerMemberId", "orderId", "status", "reason", "createdAt"], [6]],
};

// A referral keeps its first order's paid time (as the app writes it, and migration 0021 backfills).
const REFERRALS_PAID_AT = `UPDATE "Referral" SET "paidAt" = (SELECT "o"."paidAt" FROM "OrderFact" "o"
  WHERE "o"."shopId" = "Referral"."shopId" AND "o"."orderId" = "Referral"."orderId")`;

/** Seeds the shop (already installed); returns seconds taken. */
export async function seedAnalytics(dialect, url, shop) {
  const started = performance.now();
  const now = Date.now();
  if (dialect === "sqlite") {
    const db = new Database(sqlitePath(url));
    db.pragma("journal_mode = WAL");
    db.prepare(`UPDATE "Shop" SET "timezone" = 'UTC' WHERE "id" = ?`).run(shop);
    db.prepare(
      `INSERT INTO "Reward" ("id","shopId","name","type","pointsCost","valueMinor") VALUES ('bench-reward', ?, 'Bench 5 off', 'fixed_amount', 500, 500)`,
    ).run(shop);
    const statements = Object.fromEntries(
      Object.entries(COLUMNS).map(([k, [table, cols]]) => [
        k,
        db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(",")}) VALUES (${cols.map(() => "?").join(",")})`),
      ]),
    );
    let batch = [];
    const flush = db.transaction((list) => {
      for (const r of list) {
        const dates = COLUMNS[r.table][2];
        statements[r.table].run(...r.v.map((x, i) => (dates.includes(i) && typeof x === "number" ? iso(x) : x)));
      }
    });
    for (const r of rows(shop, now)) {
      batch.push(r);
      if (batch.length === 20_000) flush(batch.splice(0));
    }
    flush(batch);
    db.exec(REFERRALS_PAID_AT);
    // No ANALYZE: the app never runs it, so a merchant's SQLite file has no statistics and its
    // planner chooses as it does here (with them, the bench measured plans production never gets).
    db.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`UPDATE "Shop" SET "timezone" = 'UTC' WHERE "id" = $1`, [shop]);
    await client.query(
      `INSERT INTO "Reward" ("id","shopId","name","type","pointsCost","valueMinor") VALUES ('bench-reward', $1, 'Bench 5 off', 'fixed_amount', 500, 500)`,
      [shop],
    );
    const pending = Object.fromEntries(Object.keys(COLUMNS).map((k) => [k, []]));
    const flush = async (k) => {
      const list = pending[k].splice(0);
      if (list.length === 0) return;
      const [table, cols, dates] = COLUMNS[k];
      const params = [];
      const values = list.map(
        (v) =>
          `(${v.map((x, i) => (params.push(dates.includes(i) && typeof x === "number" ? new Date(x).toISOString() : x), `$${params.length}`)).join(",")})`,
      );
      await client.query(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(",")}) VALUES ${values.join(",")}`, params);
    };
    for (const r of rows(shop, now)) {
      const v = r.table === "order" ? r.v.map((x, i) => (i === 7 || i === 9 ? Boolean(x) : x)) : r.v;
      pending[r.table].push(v);
      if (pending[r.table].length * COLUMNS[r.table][1].length > 60_000) await flush(r.table);
    }
    for (const k of Object.keys(COLUMNS)) await flush(k);
    await client.query(REFERRALS_PAID_AT);
    // As autovacuum leaves a table at rest (it vacuums after inserts too): the visibility map set,
    // so period scans are index-only as in production, not a heap visit per order.
    await client.query("VACUUM ANALYZE");
    await client.end();
  }
  return (performance.now() - started) / 1000;
}

/** Local dates (UTC shop) of the last `days` days, today included. */
function lastDays(days) {
  const today = Math.floor(Date.now() / DAY);
  const d = (n) => new Date(n * DAY).toISOString().slice(0, 10);
  return { from: d(today - days + 1), to: d(today), start: (today - days + 1) * DAY, end: (today + 1) * DAY };
}

/** The same headline figures straight from the base tables (what the page would cost without pre-aggregates). */
async function naiveScan(q, dialect, shop, start, end) {
  const ts = (ms) => (dialect === "sqlite" ? `'${iso(ms)}'` : `'${new Date(ms).toISOString()}'::timestamp`);
  const yes = dialect === "sqlite" ? "1" : "true";
  const [orders] = await q.all(
    `SELECT COUNT(*) AS "orders", SUM("subtotalMinor" - "refundedMinor") AS "revenue", SUM(CASE WHEN "earnedPoints" > 0 THEN 1 ELSE 0 END) AS "memberOrders",
       SUM(CASE WHEN "earnedPoints" > 0 THEN "subtotalMinor" - "refundedMinor" ELSE 0 END) AS "memberRevenue"
     FROM "OrderFact" WHERE "shopId" = '${shop}' AND "paid" = ${yes} AND "cancelled" <> ${yes} AND "paidAt" >= ${ts(start)} AND "paidAt" < ${ts(end)}`,
  );
  const [issued] = await q.all(
    `SELECT SUM("points") AS "issued" FROM "LedgerEntry" WHERE "shopId" = '${shop}' AND "createdAt" >= ${ts(start)} AND "createdAt" < ${ts(end)}
       AND ("kind" IN ('earn','bonus','referral') OR ("kind" IN ('adjustment','import') AND "points" > 0))`,
  );
  const [outstanding] = await q.all(
    `SELECT SUM("points") AS "outstanding" FROM "LedgerEntry" WHERE "shopId" = '${shop}' AND "kind" <> 'release' AND "createdAt" < ${ts(end)}`,
  );
  const [customers] = await q.all(
    `SELECT COUNT(*) AS "customers", SUM(CASE WHEN "m" > 0 THEN 1 ELSE 0 END) AS "memberCustomers" FROM (
       SELECT "customerId", SUM(CASE WHEN "earnedPoints" > 0 THEN 1 ELSE 0 END) AS "m" FROM "OrderFact"
       WHERE "shopId" = '${shop}' AND "paid" = ${yes} AND "cancelled" <> ${yes} AND "customerId" IS NOT NULL AND "paidAt" >= ${ts(start)} AND "paidAt" < ${ts(end)}
       GROUP BY "customerId") "t"`,
  );
  const [joined] = await q.all(
    `SELECT COUNT(*) AS "joined" FROM "Member" WHERE "shopId" = '${shop}' AND "state" = 'active' AND "enrolledAt" >= ${ts(start)} AND "enrolledAt" < ${ts(end)}`,
  );
  const n = (v) => Number(v ?? 0);
  return {
    orders: n(orders.orders),
    revenue_minor: n(orders.revenue),
    points_issued: n(issued.issued),
    points_outstanding: n(outstanding.outstanding),
    participation_rate: n(customers.customers) === 0 ? 0 : n(customers.memberCustomers) / n(customers.customers),
    members_joined: n(joined.joined),
    aov_members_minor:
      n(orders.memberOrders) === 0
        ? 0
        : Math.floor((2 * n(orders.memberRevenue) + n(orders.memberOrders)) / (2 * n(orders.memberOrders))),
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function timed(count, fn) {
  for (let i = 0; i < 3; i++) await fn(); // warm up
  const times = [];
  let last;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1), last };
}

/**
 * Waits until the app's fold has moved the seeded deltas into slots; returns seconds waited. A
 * slow machine folds slowly, so it gives up only when the count has not moved for `stallMs` (the
 * fold runs every minute on the job thread).
 */
export async function awaitFold(q, stallMs = 180_000) {
  const started = performance.now();
  let left = Infinity;
  let movedAt = started;
  for (;;) {
    const [{ n }] = await q.all(`SELECT COUNT(*) AS n FROM "AnalyticsDelta"`);
    if (Number(n) === 0) return (performance.now() - started) / 1000;
    if (Number(n) < left) [left, movedAt] = [Number(n), performance.now()];
    if (performance.now() - movedAt > stallMs)
      throw new Error(`${n} analytics deltas still unfolded, none folded for ${stallMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Times the routes and the naive scan; checks the API's figures against the scan's. */
export async function benchAnalytics({ dialect, appUrl, q, shop, apiKey, secret, requests = 30, onResult }) {
  const token = () => adminIdToken(shop, apiKey, secret, "bench-staff");
  const get = async (path) => {
    const res = await fetch(`${appUrl}${path}`, { headers: { Authorization: `Bearer ${token()}` } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const out = [];
  for (const days of [30, 365]) {
    const range = lastDays(days);
    const query = `from=${range.from}&to=${range.to}`;
    // A route that fails (or times out) is reported as such; the others are still measured.
    const attempt = (fn) => fn().catch((error) => ({ error: String(error.cause?.code ?? error.message).slice(0, 200) }));
    const metrics = await attempt(() => timed(requests, () => get(`/app/api/metrics?${query}`)));
    const page = await attempt(() => timed(requests, () => get(`/app/api/analytics?${query}`)));
    // The page's work without pre-aggregates: the period and the one before it.
    const prevStart = range.start - days * DAY;
    const naive = await timed(Math.min(requests, 10), async () => {
      const a = await naiveScan(q, dialect, shop, range.start, range.end);
      await naiveScan(q, dialect, shop, prevStart, range.start);
      return a;
    });
    const m = metrics.last?.metrics;
    const wrong = m
      ? Object.entries(naive.last)
          .filter(([k, v]) => Math.abs(m[k].value - v) > 1e-9)
          .map(([k, v]) => `${k}: api ${m[k].value}, scan ${v}`)
      : ["no answer"];
    const r = { days, metrics, page, naive, wrong, orders: m?.orders.value };
    onResult?.(r);
    out.push(r);
  }
  return out;
}
