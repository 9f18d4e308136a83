// Looks for strings anywhere in a database: every text column of every table, discovered from
// the database's own catalogue (sqlite_master / information_schema), so a table added later is
// scanned without touching this file; and, on SQLite, the raw bytes of the database file and its
// WAL (deleted rows linger in free pages and old page images unless erased for real).
import { existsSync, readFileSync } from "node:fs";
import type { Db, Dialect } from "~/db.server";
import { arrivalsFile } from "~/sqlite-files";

export interface Finding {
  /** `Table.column` or a file path */
  where: string;
  needle: string;
  /** a few characters around the match */
  context: string;
}

export interface TextColumn {
  table: string;
  column: string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Every text column of every table (PostgreSQL: of the public schema). */
export async function textColumns(db: Db, dialect: Dialect): Promise<TextColumn[]> {
  if (dialect === "postgresql") {
    const rows = await db.$queryRawUnsafe<Array<{ table: string; column: string }>>(`
      SELECT c.table_name::text AS "table", c.column_name::text AS "column"
      FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY', 'USER-DEFINED')
      ORDER BY 1, 2`);
    return rows;
  }
  const tables = await db.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
  );
  const columns: TextColumn[] = [];
  for (const { name } of tables) {
    const info = await db.$queryRawUnsafe<Array<{ name: string; type: string }>>(`PRAGMA table_info(${quote(name)})`);
    // SQLite stores any value in any column: every column whose declared type could hold text.
    for (const c of info)
      if (!/^(INTEGER|INT|BIGINT|REAL|DOUBLE|FLOAT|BOOLEAN|DECIMAL)$/i.test(c.type))
        columns.push({ table: name, column: c.name });
  }
  return columns;
}

function around(haystack: string, at: number, length: number): string {
  return haystack.slice(Math.max(0, at - 40), at + length + 40).replace(/[^\x20-\x7e]/g, ".");
}

/** Every occurrence (case-insensitive) of any needle in any text column of the database. */
export async function scanTables(db: Db, dialect: Dialect, needles: readonly string[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const wanted = needles.map((n) => n.toLowerCase());
  for (const { table, column } of await textColumns(db, dialect)) {
    const cast = dialect === "postgresql" ? `${quote(column)}::text` : `CAST(${quote(column)} AS TEXT)`;
    const rows = await db.$queryRawUnsafe<Array<{ v: string | null }>>(
      `SELECT ${cast} AS v FROM ${quote(table)} WHERE ${quote(column)} IS NOT NULL`,
    );
    for (const { v } of rows) {
      if (v === null) continue;
      const text = String(v).toLowerCase();
      wanted.forEach((needle, i) => {
        const at = text.indexOf(needle);
        if (at >= 0)
          findings.push({ where: `${table}.${column}`, needle: needles[i]!, context: around(String(v), at, needle.length) });
      });
    }
  }
  return findings;
}

/** Every occurrence (case-insensitive, UTF-8) of any needle in the raw bytes of the files given. */
export function scanFiles(paths: readonly string[], needles: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of paths) {
    if (!existsSync(file)) continue;
    // latin1 keeps one character per byte, so indexes are byte offsets; ASCII case folds the same.
    const bytes = readFileSync(file).toString("latin1");
    const lower = bytes.toLowerCase();
    for (const needle of needles) {
      const target = Buffer.from(needle.toLowerCase(), "utf8").toString("latin1");
      for (let at = lower.indexOf(target); at >= 0; at = lower.indexOf(target, at + 1)) {
        findings.push({ where: file, needle, context: around(bytes, at, target.length) });
      }
    }
  }
  return findings;
}

/**
 * The SQLite database file of a `file:` URL and the webhook arrivals file beside it
 * (app/webhooks/arrivals.server.ts), each with its -wal and -journal companions: the files that
 * hold rows. Not the -shm (app/sqlite-files.ts lists it for removal): it holds only the WAL's
 * index, and the test's own connections keep POSIX locks on it, which a process drops on closing
 * any descriptor of the file, so reading it here broke later tests' reads.
 */
export function sqliteFiles(databaseUrl: string): string[] {
  const file = databaseUrl.replace(/^file:/, "");
  return [file, arrivalsFile(file)].flatMap((f) => [f, `${f}-wal`, `${f}-journal`]);
}
