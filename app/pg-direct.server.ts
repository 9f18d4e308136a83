// PostgreSQL's counterpart of runHeld (sqlite-serialized.server.ts): statements of a transaction
// that the order writer sends many of run on the transaction's own pg connection, directly,
// instead of through Prisma's client (a few hundred microseconds a statement). Prisma's adapter
// does not hand out that connection, so its factory is wrapped: a transaction started inside
// `capturePgTransaction` leaves its connection in the caller's slot (AsyncLocalStorage follows the
// caller's async context into the adapter's startTransaction).
import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";

interface Slot {
  client: pg.PoolClient | null;
  /** false once Prisma committed or rolled back (its timeout too): the connection is the pool's again */
  open: boolean;
  /** the slot's statements, one at a time (a pg client runs one query at a time) */
  queue: Promise<unknown>;
}
const slots = new AsyncLocalStorage<Slot>();

/** Runs `start` (which opens one Prisma transaction) with a slot its connection is left in. */
export function capturePgTransaction<T>(start: (slot: Slot) => Promise<T>): Promise<T> {
  const slot: Slot = { client: null, open: false, queue: Promise.resolve() };
  return slots.run(slot, () => start(slot));
}

export function capturingPg(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter: SqlDriverAdapter = await factory.connect();
      const start = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolationLevel) => {
        const tx = await start(isolationLevel);
        const slot = slots.getStore();
        const client = (tx as unknown as { client?: pg.PoolClient }).client;
        if (slot && !slot.client && client) {
          slot.client = client;
          slot.open = true;
          const { commit, rollback } = tx;
          tx.commit = () => ((slot.open = false), commit.call(tx));
          tx.rollback = () => ((slot.open = false), rollback.call(tx));
        }
        return tx;
      };
      return adapter;
    },
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A timestamp as Prisma's adapter sends it: UTC, no zone (the columns are TIMESTAMP(3)). */
function utcText(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
/** Timestamps come back as ISO text in UTC (pg would read TIMESTAMP in the process's time zone). */
function getTypeParser(oid: number, format?: string): unknown {
  if (oid === TIMESTAMP) return (v: string) => `${v.replace(" ", "T")}Z`;
  if (oid === TIMESTAMPTZ) return (v: string) => new Date(v).toISOString();
  return pg.types.getTypeParser(oid, (format ?? "text") as "text");
}

/** One statement on the slot's transaction connection, after the slot's earlier ones. */
export function runOnPgClient(slot: Slot, text: string, values: readonly unknown[], rows: boolean): Promise<unknown[] | number> {
  const args = values.map((v) => (v instanceof Date ? utcText(v) : v === undefined ? null : v));
  const run = async () => {
    if (!slot.open || !slot.client) throw new Error("Transaction already closed");
    const result = await slot.client.query({ text, values: args, types: { getTypeParser } as pg.CustomTypesConfig });
    return rows ? result.rows : (result.rowCount ?? 0);
  };
  const next = slot.queue.then(run, run);
  slot.queue = next.catch(() => undefined);
  return next;
}
