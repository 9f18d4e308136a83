// The embedded admin under load: the member list's search and the member page's data, as App
// Bridge fetches them (a signed session token), for a shop with 100,000 members and 2,000,000
// ledger entries (seeded as for /proxy/me, then given names, emails, balances and activity).
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "../migrate.mjs";
import { adminIdToken } from "../../tests/emulator/signing.ts";
import { MEMBERS, seedShopper } from "./proxy.mjs";

const FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken", "Radia", "Tim"];
const LAST = [
  "Lovelace",
  "Turing",
  "Hopper",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "McCarthy",
  "Hamilton",
  "Thompson",
  "Perlman",
  "Berners-Lee",
];
const DAY = 86_400_000;

/** Member m's name, balance and last activity (deterministic, spread over the range). */
const person = (m) => {
  const first = FIRST[m % FIRST.length];
  const last = LAST[Math.floor(m / FIRST.length) % LAST.length];
  return { first, last, available: (m * 7919) % 5000, activityDaysAgo: m % 10 === 0 ? null : (m * 31) % 400 };
};

/** The seeded shop, then names, emails, balances and activity as the admin list reads them. */
export async function seedAdmin(dialect, url, shop) {
  const seconds = await seedShopper(dialect, url, shop);
  const started = performance.now();
  const now = Date.now();
  if (dialect === "sqlite") {
    const db = new Database(sqlitePath(url));
    db.pragma("journal_mode = WAL");
    const update = db.prepare(
      `UPDATE "Member" SET "email" = ?, "name" = ?, "nameKey" = ?, "nameKeyLast" = ?, "available" = ?, "lastActivityAt" = ? WHERE "id" = ?`,
    );
    const iso = (ms) => new Date(ms).toISOString().replace("Z", "+00:00");
    const batch = db.transaction((from, to) => {
      for (let m = from; m < to; m++) {
        const p = person(m);
        update.run(
          `member${m}@example.com`,
          `${p.first} ${p.last}`,
          `${p.first} ${p.last}`.toLowerCase(),
          `${p.last} ${p.first}`.toLowerCase(),
          p.available,
          p.activityDaysAgo === null ? null : iso(now - p.activityDaysAgo * DAY),
          `bm_${m}`,
        );
      }
    });
    for (let m = 0; m < MEMBERS; m += 10_000) batch(m, Math.min(MEMBERS, m + 10_000));
    db.exec("ANALYZE");
    db.close();
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    // Balances change here without entries: the bench reads, it does not check the books.
    await client.query(
      `UPDATE "Member" m SET "email" = 'member' || g || '@example.com', "name" = f || ' ' || l,
         "nameKey" = lower(f || ' ' || l), "nameKeyLast" = lower(l || ' ' || f), "available" = (g * 7919) % 5000,
         "lastActivityAt" = CASE WHEN g % 10 = 0 THEN NULL ELSE (now() at time zone 'utc') - (((g * 31) % 400) || ' days')::interval END
       FROM (SELECT g, ($2::text[])[1 + g % $4] AS f, ($3::text[])[1 + (g / $4) % $5] AS l FROM generate_series(0, $1::int - 1) g) s
       WHERE m."id" = 'bm_' || s.g`,
      [MEMBERS, FIRST, LAST, FIRST.length, LAST.length],
    );
    await client.query("ANALYZE");
    await client.end();
  }
  return seconds + (performance.now() - started) / 1000;
}

/**
 * Requests a merchant's admin makes: searches (a name's start, a last name, an email's start, a
 * customer id; some sorted by balance or filtered), and member pages of random members.
 */
export function adminRequests(shop, apiKey, secret, count, seed = 11) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const auth = () => ({
    authorization: `Bearer ${adminIdToken(shop, apiKey, secret, "bench-staff", 600)}`,
    accept: "application/json",
  });
  const search = [];
  const pages = [];
  for (let i = 0; i < count; i++) {
    const m = Math.floor(next() * MEMBERS);
    const p = person(m);
    const kind = i % 6;
    const query =
      kind === 0
        ? `query=${p.first.slice(0, 3).toLowerCase()}`
        : kind === 1
          ? `query=${encodeURIComponent(p.last.toLowerCase())}`
          : kind === 2
            ? `query=member${m}@`
            : kind === 3
              ? `query=${100_000 + m}`
              : kind === 4
                ? `query=${p.first.toLowerCase()}&sort=balance&direction=desc`
                : `balanceMin=4000&sort=last_activity&direction=desc`;
    search.push({ method: "GET", path: `/app/api/members?${query}`, headers: auth() });
    pages.push({ method: "GET", path: `/app/api/members/${100_000 + m}`, headers: auth() });
  }
  return { search, pages };
}

/** The bench: seed, warm up, check an answer, then each kind of request at `rate` for `seconds`. */
export async function benchAdmin(dialect, { startBenchApp, load, apiKey, secret, rate, seconds }) {
  const shop = "big-admin.myshopify.com";
  const { url, appUrl, stop } = await startBenchApp(dialect, [shop]);
  try {
    const seeded = await seedAdmin(dialect, url, shop);
    const warm = adminRequests(shop, apiKey, secret, 300, 1);
    await load(appUrl, [...warm.search, ...warm.pages], { connections: 8 });
    const headers = adminRequests(shop, apiKey, secret, 1, 3).search[0].headers;
    const found = await (await fetch(`${appUrl}/app/api/members?query=member4242@`, { headers })).json();
    const page = await (await fetch(`${appUrl}/app/api/members/${100_000 + 4242}`, { headers })).json();
    const correct =
      found.members?.length === 1 &&
      found.members[0].customerId === String(100_000 + 4242) &&
      page.member?.history?.length === 20 &&
      page.member.name === `${person(4242).first} ${person(4242).last}`;
    const run = adminRequests(shop, apiKey, secret, rate * seconds, 2);
    const search = await load(appUrl, run.search, { connections: 16, rate });
    const pages = await load(appUrl, run.pages, { connections: 16, rate });
    return { search, pages, seededSeconds: seeded, correct };
  } finally {
    await stop();
  }
}
