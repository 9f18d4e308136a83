// Prisma's better-sqlite3 adapter runs every query on one connection but only transactions
// take its mutex: a query issued by another request while an interactive transaction is open
// silently joins that transaction (and is rolled back with it). Here every query and every
// transaction passes one gate, so each request's statements stay its own. (The webhook inbox
// does not pass it: on SQLite it writes a file of its own, app/webhooks/arrivals.server.ts.)
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

export class SqliteGate {
  private busy = false;
  private readonly waiting: Array<() => void> = [];
  /** the connection Prisma's adapter opened (set once Prisma connects) */
  connection: Database.Database | null = null;
  /** the open transaction (a token per transaction), null outside one */
  transaction: object | null = null;

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.busy = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.busy = false;
          const next = this.waiting.shift();
          next?.();
        });
      };
      if (!this.busy) grant();
      else this.waiting.push(grant);
    });
  }

  async exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const STATEMENT_CACHE_SIZE = 500;
/**
 * The SQL text the cache may hold, all statements together. A prepared statement's program grows
 * with its text (a batch writer's insert of 200 rows, its triggers compiled in, is hundreds of
 * kilobytes of SQLite's memory), and batches of every size have a text of their own: kept without
 * a bound, they took the job thread's malloc heap to 84 MB while a backlog drained.
 */
const STATEMENT_CACHE_CHARS = Number(process.env.LOYALTY_SQLITE_STATEMENT_CHARS ?? 512 * 1024);

/**
 * Prisma's adapter prepares every statement anew (`prepare(sql).bind(args)`), and SQL parsing
 * was the largest single cost of a storefront read. This keeps prepared statements by SQL text,
 * the least recently used dropped past STATEMENT_CACHE_SIZE statements or STATEMENT_CACHE_CHARS
 * of text (a dropped statement is finalized when collected), and hands the adapter a per-call
 * binding over the cached one.
 */
/** Statements by SQL text, least recently used dropped first past the limits (see above). */
export function statementCache<S>(
  prepare: (sql: string) => S,
  limits = { statements: STATEMENT_CACHE_SIZE, chars: STATEMENT_CACHE_CHARS },
) {
  const cache = new Map<string, S>();
  let chars = 0;
  return {
    get(sql: string): S {
      let stmt = cache.get(sql);
      if (stmt !== undefined) {
        cache.delete(sql); // re-inserted below: a Map keeps insertion order, oldest first
      } else {
        stmt = prepare(sql);
        chars += sql.length;
      }
      cache.set(sql, stmt);
      for (const oldest of cache.keys()) {
        if (cache.size <= limits.statements && chars <= limits.chars) break;
        if (oldest === sql) break; // the one in use stays, however long
        cache.delete(oldest);
        chars -= oldest.length;
      }
      return stmt;
    },
    held: () => ({ statements: cache.size, chars }),
  };
}

const statementCaches = new WeakMap<Database.Database, (sql: string) => Database.Statement>();

function cacheStatements(conn: Database.Database): void {
  const prepare = conn.prepare.bind(conn);
  const columns = new WeakMap<Database.Statement, Database.ColumnDefinition[]>();
  const cached = statementCache(prepare).get;
  statementCaches.set(conn, cached);
  (conn as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
    const statement = cached(sql);
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
}

/**
 * A parameter as Prisma's adapter binds it (mapArg): booleans as 0/1, timestamps as ISO 8601
 * text, so rows written here and rows written by Prisma read back alike.
 */
function bindable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value === undefined ? null : value;
}

/**
 * Runs one statement on the gate's connection, directly, inside `transaction` (the gate's open
 * transaction: nothing else runs on the connection meanwhile). Prisma's client costs a few hundred
 * microseconds a statement before SQLite's tens; the order writer sends a dozen per transaction.
 * Rows come back as the driver gives them (numbers, strings, null).
 */
export function runHeld(
  gate: SqliteGate,
  transaction: object | null,
  sql: string,
  values: readonly unknown[],
  rows: boolean,
): unknown[] | number {
  // A transaction Prisma ended (its timeout) no longer holds the gate: its statements must fail
  // as Prisma's would, not run outside it.
  if (!transaction || gate.transaction !== transaction) throw new Error("Transaction already closed");
  const statement = statementCaches.get(gate.connection!)!(sql);
  const args = values.map(bindable);
  // Objects, not arrays: the cached statement may have been left in raw mode by Prisma's adapter.
  if (rows && statement.reader) return statement.raw(false).all(args) as unknown[];
  const { changes } = statement.run(args);
  return rows ? [] : changes;
}

function serialize(adapter: SqlDriverAdapter, gate: SqliteGate): SqlDriverAdapter {
  gate.connection = (adapter as unknown as { client: Database.Database }).client;
  cacheStatements(gate.connection);
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (q) => gate.exclusive(() => whenUnlocked(() => adapter.queryRaw(q))),
    executeRaw: (q) => gate.exclusive(() => whenUnlocked(() => adapter.executeRaw(q))),
    executeScript: (s) => gate.exclusive(() => whenUnlocked(() => adapter.executeScript(s))),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async startTransaction(): Promise<Transaction> {
      const release = await gate.acquire();
      try {
        // IMMEDIATE takes the write lock up front (waiting up to the busy timeout for another
        // connection, e.g. the job thread's): a deferred BEGIN that reads, then writes after
        // someone else committed, fails with SQLITE_BUSY_SNAPSHOT instead of waiting.
        await whenUnlocked(() => gate.connection!.prepare("BEGIN IMMEDIATE").run());
      } catch (error) {
        release();
        throw error;
      }
      gate.transaction = {};
      // Prisma itself sends COMMIT / ROLLBACK through executeRaw (usePhantomQuery: false).
      return {
        provider: adapter.provider,
        adapterName: adapter.adapterName,
        options: { usePhantomQuery: false },
        queryRaw: (q) => adapter.queryRaw(q),
        executeRaw: (q) => adapter.executeRaw(q),
        commit: async () => ((gate.transaction = null), release()),
        rollback: async () => ((gate.transaction = null), release()),
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
