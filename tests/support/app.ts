// Starts the real production server (build/server) as a child process against a fresh database
// and an in-process store emulator, so tests talk to the app over HTTP as Shopify would.
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, inject } from "vitest";
import Database from "better-sqlite3";
import { createDb, sqliteFile, type Db, type Dialect } from "~/db.server";
import { arrivalsFile, removeSqliteDatabase } from "~/sqlite-files";
import { closeArrivals } from "~/webhooks/arrivals.server";
import { openJobs } from "~/webhooks/worker.server";
import { applyDelta, balanceDelta, EMPTY_BALANCE, type EntryKind, type EntryStatus } from "~/domain/ledger";
import { migrate } from "../../scripts/migrate.mjs";
import { appServerEnv, spawnAppServer, type AppServer } from "../emulator/app-process.ts";
import { BROWSER_UA, StoreEmulator } from "../emulator/server.ts";
import { adminIdToken } from "../emulator/signing.ts";
import { POSTGRES_ADMIN_URL, POSTGRES_SKIP_MARK, type PostgresStatus } from "./postgres.ts";
import { expectServerErrors, watchServer } from "./server-errors.ts";

export const API_KEY = "test-api-key";
export const API_SECRET = "test-api-secret-0123456789abcdef";
export { POSTGRES_ADMIN_URL };

import { freePort } from "../emulator/ports.ts";
export { freePort };

/** Whether PostgreSQL answers, as tests/global-setup.ts found once for the whole run. */
export function postgresStatus(): PostgresStatus {
  const status = inject("postgres");
  if (!status) throw new Error("no PostgreSQL status: run the tests through vitest.config.ts (its globalSetup checks)");
  return status;
}

/**
 * The suite `title` (with `%s` for the database) once per database. When PostgreSQL is not
 * reachable (and not required: tests/global-setup.ts fails the run then), its block is still
 * collected, as skipped tests whose suite names the reason, and the run ends saying so.
 */
export function describeDialects(
  title: string,
  body: (dialect: Dialect) => void,
  dialects: readonly Dialect[] = ["sqlite", "postgresql"],
): void {
  const postgres = postgresStatus();
  for (const dialect of dialects) {
    const name = title.replace("%s", dialect);
    if (dialect === "postgresql" && !postgres.available)
      describe.skip(`${name} [${POSTGRES_SKIP_MARK}: ${postgres.reason}]`, () => body(dialect));
    else describe(name, () => body(dialect));
  }
}

export async function freshDatabaseUrl(dialect: Dialect): Promise<string> {
  const name = `lc_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const url =
    dialect === "sqlite"
      ? `file:${path.join(os.tmpdir(), `${name}.sqlite`)}`
      : Object.assign(new URL(POSTGRES_ADMIN_URL), { pathname: `/${name}` }).toString();
  await migrate(url);
  return url;
}

/** Removes a test's database: a PostgreSQL database, or a SQLite file with its WAL, and its arrivals file (ADR 0022). */
export async function dropDatabase(url: string): Promise<void> {
  if (!url.startsWith("postgres")) {
    if (url) removeSqliteDatabase(sqliteFile(url));
    return;
  }
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  await client.end();
}

/**
 * A fetch of the app's admin routes as the embedded admin makes it: a session token of `shop`
 * signed with the API secret (staff user `staff`), JSON, a browser's User-Agent. Headers in
 * `init` add to these.
 */
export function adminFetch(appUrl: string, shop: string, staff?: string) {
  return (path: string, init: RequestInit = {}) =>
    fetch(`${appUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${adminIdToken(shop, API_KEY, API_SECRET, staff)}`,
        "Content-Type": "application/json",
        "User-Agent": BROWSER_UA,
        ...(init.headers as Record<string, string> | undefined),
      },
    });
}

export type AppProcess = AppServer & { url: string };

/** Starts the production server; its output is watched for errors (tests/support/server-errors.ts). */
export async function startServer(env: Record<string, string>): Promise<AppProcess> {
  const url = `http://127.0.0.1:${env.PORT}`;
  const label = `app server ${url} on ${env.DATABASE_URL?.startsWith("postgres") ? "postgresql" : "sqlite"}`;
  return watchServer({ ...(await spawnAppServer(env)), url }, label);
}

export interface TestApp {
  url: string;
  dialect: Dialect;
  databaseUrl: string;
  db: Db;
  emulator: StoreEmulator;
  server: AppProcess;
  /** waits until the inbox has nothing left to do */
  settled(timeoutMs?: number): Promise<void>;
  restart(env?: Record<string, string>, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
  /**
   * Says the test provokes a server message matching `pattern` on purpose (inside a test: for that
   * test; in beforeAll: for the file). Any other error the server prints fails the test.
   */
  expectServerErrors(pattern: RegExp, options?: { required?: boolean }): void;
  /** A shop of its own for one test: added to the emulator and installed, with the default program. */
  installShop(name: string, currency?: string): Promise<string>;
}

export async function startApp(dialect: Dialect, env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = await freshDatabaseUrl(dialect);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const emulator = new StoreEmulator({ apiKey: API_KEY, apiSecret: API_SECRET, appUrl: url });
  await emulator.start();
  const baseEnv = {
    ...appServerEnv({ port, databaseUrl, apiKey: API_KEY, apiSecret: API_SECRET, appUrl: url, emulatorUrl: emulator.url }),
    DATABASE_POOL_SIZE: "5",
  };
  let server = await startServer({ ...baseEnv, ...env });
  const db = createDb(databaseUrl);
  // The test's own writes (rows it plants) erase like the app's connections do (app/db.server.ts).
  if (dialect === "sqlite") await db.$queryRawUnsafe("PRAGMA secure_delete = ON");
  const app: TestApp = {
    url,
    dialect,
    databaseUrl,
    db,
    emulator,
    server,
    async settled(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const open = await openJobs(db);
        if (open === 0) return;
        if (Date.now() > deadline) throw new Error(`inbox still has ${open} open jobs\n${server.output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async restart(extra = {}, signal = "SIGTERM") {
      await server.stop(signal);
      server = await startServer({ ...baseEnv, ...extra });
      app.server = server;
    },
    expectServerErrors,
    async installShop(name, currency = "USD") {
      const domain = `${name}-${randomBytes(3).toString("hex")}.myshopify.com`;
      emulator.addShop(domain, name, currency);
      const res = await emulator.install(domain);
      if (res.status !== 200) throw new Error(`installing ${domain} answered ${res.status}\n${server.output()}`);
      return domain;
    },
    async stop() {
      await server.stop();
      await emulator.stop();
      closeArrivals(db);
      await db.$disconnect();
      await dropDatabase(databaseUrl);
    },
  };
  return app;
}

/**
 * A webhook as the door stored it: in WebhookJob, or on SQLite still in the arrivals file when no
 * job thread has moved it yet (a server started with LOYALTY_WORKER=off).
 */
export async function storedWebhook(app: TestApp, shopId: string, webhookId: string) {
  const job = await app.db.webhookJob.findFirst({ where: { shopId, webhookId } });
  if (job || app.dialect === "postgresql") return job ? { status: job.status, payload: job.payload } : null;
  const conn = new Database(arrivalsFile(sqliteFile(app.databaseUrl)), { readonly: true });
  try {
    const row = conn
      .prepare(`SELECT "status", "payload" FROM "Arrival" WHERE "shopId" = ? AND "webhookId" = ?`)
      .get(shopId, webhookId);
    return (row as { status: string; payload: string | null } | undefined) ?? null;
  } finally {
    conn.close();
  }
}

/** Row counts of every table, to show a request wrote nothing. */
export async function tableCounts(db: Db) {
  const [shops, programs, rewards, members, entries, orders, refunds, jobs, sessions, requests] = await Promise.all([
    db.shop.count(),
    db.programVersion.count(),
    db.reward.count(),
    db.member.count(),
    db.ledgerEntry.count(),
    db.orderFact.count(),
    db.orderRefund.count(),
    db.webhookJob.count(),
    db.session.count(),
    db.dataRequest.count(),
  ]);
  return { shops, programs, rewards, members, entries, orders, refunds, jobs, sessions, requests };
}

/** Every member's balance equals what their entries add up to (the ledger's own rule, balanceDelta). */
export async function assertLedgerConsistent(db: Db) {
  const members = await db.member.findMany();
  for (const m of members) {
    const entries = await db.ledgerEntry.findMany({
      where: { memberId: m.id },
      select: { kind: true, points: true, status: true },
    });
    const sum = entries.reduce(
      (b, e) => applyDelta(b, balanceDelta({ kind: e.kind as EntryKind, points: e.points, status: e.status as EntryStatus })),
      EMPTY_BALANCE,
    );
    if (sum.available !== m.available || sum.pending !== m.pending || sum.lifetimeEarned !== m.lifetimeEarned) {
      throw new Error(
        `member ${m.id}: balance ${m.available}/${m.pending}/${m.lifetimeEarned} but entries ${sum.available}/${sum.pending}/${sum.lifetimeEarned}`,
      );
    }
  }
}
