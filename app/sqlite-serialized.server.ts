// Prisma's better-sqlite3 adapter runs every query on one connection but only transactions
// take its mutex: a query issued by another request while an interactive transaction is open
// silently joins that transaction (and is rolled back with it). Here every query and every
// transaction passes one gate, so each request's statements stay its own. The gate has a
// priority lane: the webhook inbox writes through it (with the raw connection) ahead of
// background work, so acknowledging Shopify never waits behind more than one transaction.
import { isMainThread } from "node:worker_threads";
import { threadSignals, URGENT_WRITERS } from "./thread-signals.server";
import type Database from "better-sqlite3";
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";

function isBusy(error: unknown): boolean {
  const e = error as { code?: string; cause?: { originalCode?: string } } | null;
  return Boolean(e?.code?.startsWith("SQLITE_BUSY") || e?.cause?.originalCode?.startsWith("SQLITE_BUSY"));
}

/**
 * Runs a statement that needs the write lock, retrying while another connection (the job
 * thread's) holds it. The connection's own busy timeout is 0: SQLite's busy handler would sleep
 * the whole event loop, in steps of up to 100 ms, where a 1–8 ms timer lets everything else go on.
 */
export async function whenUnlocked<T>(run: () => Promise<T> | T, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 8)) {
    try {
      return await run();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function stepAsideForUrgentWriters(): Promise<void> {
  if (isMainThread) return;
  const until = Date.now() + 50; // never starve the job thread either
  while (Atomics.load(threadSignals, URGENT_WRITERS) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
}

/** A write the server thread must not keep waiting (the inbox): job-thread writers step aside. */
export async function urgentWrite<T>(run: () => T): Promise<T> {
  Atomics.add(threadSignals, URGENT_WRITERS, 1);
  try {
    return await whenUnlocked(run);
  } finally {
    Atomics.sub(threadSignals, URGENT_WRITERS, 1);
  }
}

export class SqliteGate {
  private busy = false;
  private readonly urgent: Array<() => void> = [];
  private readonly normal: Array<() => void> = [];
  /** the connection Prisma's adapter opened (set once Prisma connects) */
  connection: Database.Database | null = null;

  acquire(priority = false): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.busy = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.busy = false;
          const next = this.urgent.shift() ?? this.normal.shift();
          next?.();
        });
      };
      if (!this.busy) grant();
      else (priority ? this.urgent : this.normal).push(grant);
    });
  }

  async exclusive<T>(fn: () => Promise<T> | T, priority = false): Promise<T> {
    const release = await this.acquire(priority);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Prisma's adapter prepares every statement anew (`prepare(sql).bind(args)`), and SQL parsing
 * was the largest single cost of a storefront read. This keeps prepared statements by SQL text
 * and hands the adapter a per-call binding over the cached one.
 */
function cacheStatements(conn: Database.Database): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, Database.Statement>();
  const columns = new WeakMap<Database.Statement, Database.ColumnDefinition[]>();
  (conn as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      if (cache.size < STATEMENT_CACHE_SIZE) cache.set(sql, stmt);
    }
    const statement = stmt;
    const bound = (args: unknown[]) => ({
      reader: statement.reader,
      run: () => statement.run(args),
      columns: () => {
        let cols = columns.get(statement);
        if (!cols) columns.set(statement, (cols = statement.columns()));
        return cols;
      },
      raw: () => ({ all: () => statement.raw(true).all(args) }),
      all: () => statement.raw(false).all(args),
    });
    return {
      reader: statement.reader,
      bind: (args: unknown[]) => bound(args),
      run: (...args: unknown[]) => statement.run(...args),
    };
  };
  (conn as unknown as { rawPrepare: (sql: string) => Database.Statement }).rawPrepare = prepare;
}

/** The connection's own prepare (the one the statement cache wraps), for code that drives the driver directly. */
export function rawPrepare(conn: Database.Database, sql: string): Database.Statement {
  return (conn as unknown as { rawPrepare: (sql: string) => Database.Statement }).rawPrepare(sql);
}

function serialize(adapter: SqlDriverAdapter, gate: SqliteGate): SqlDriverAdapter {
  gate.connection = (adapter as unknown as { client: Database.Database }).client;
  cacheStatements(gate.connection);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (q) => gate.exclusive(() => whenUnlocked(() => adapter.queryRaw(q))),
    executeRaw: (q) => gate.exclusive(async () => (await stepAsideForUrgentWriters(), whenUnlocked(() => adapter.executeRaw(q)))),
    executeScript: (s) => gate.exclusive(() => whenUnlocked(() => adapter.executeScript(s))),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async startTransaction(): Promise<Transaction> {
      const release = await gate.acquire();
      try {
        // IMMEDIATE takes the write lock up front (waiting up to the busy timeout for another
        // connection, e.g. the job thread's): a deferred BEGIN that reads, then writes after
        // someone else committed, fails with SQLITE_BUSY_SNAPSHOT instead of waiting.
        await stepAsideForUrgentWriters();
        await whenUnlocked(() => gate.connection!.prepare("BEGIN IMMEDIATE").run());
      } catch (error) {
        release();
        throw error;
      }
      // Prisma itself sends COMMIT / ROLLBACK through executeRaw (usePhantomQuery: false).
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        options: { usePhantomQuery: false },
        queryRaw: (q) => adapter.queryRaw(q),
        executeRaw: (q) => adapter.executeRaw(q),
        commit: async () => release(),
        rollback: async () => release(),
      };
    },
  };
}

export function serializedSqlite(factory: SqlDriverAdapterFactory, gate: SqliteGate): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => serialize(await factory.connect(), gate),
  };
}
