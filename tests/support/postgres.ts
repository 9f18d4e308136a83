// Whether the PostgreSQL variants can run: checked once per run by tests/global-setup.ts and
// handed to every test file (vitest's provide/inject), so a skip has one reason, said once.
import pg from "pg";

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Put in the name of a skipped PostgreSQL block; tests/global-setup.ts counts the tests under it. */
export const POSTGRES_SKIP_MARK = "PostgreSQL SKIPPED";

export interface PostgresStatus {
  available: boolean;
  /** why not, when not */
  reason: string | null;
  url: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    postgres: PostgresStatus;
  }
}

export async function checkPostgres(): Promise<PostgresStatus> {
  // The URL without a password, if it has one, for messages.
  const shown = Object.assign(new URL(POSTGRES_ADMIN_URL), { password: "" }).toString();
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return { available: true, reason: null, url: shown };
  } catch (error) {
    const e = error as Error & { code?: string; errors?: Error[] };
    // A refused connection to localhost is an AggregateError (IPv4 and IPv6) with an empty message.
    const detail = e.message || e.errors?.map((x) => x.message).join("; ") || e.code || String(error);
    return { available: false, reason: `not reachable at ${shown}: ${detail}`, url: shown };
  }
}
