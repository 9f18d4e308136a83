// A members file (CSV: email, points, optional customer_id and tier) read into rows to apply and
// rows refused, before anything is looked up or written. Rows are numbered from 1, the first line
// after the header.
import { parseCsv } from "./csv";
import type { FieldError } from "./program-document";

export const IMPORT_MAX_ROWS = 50_000;
export const IMPORT_MAX_POINTS = 10_000_000;

export interface ImportRow {
  row: number;
  customerId: string | null;
  email: string | null;
  points: number;
  tier: string | null;
}

export interface RowError {
  row: number;
  message: string;
}

export type ParsedImport =
  | { ok: false; errors: FieldError[] }
  | { ok: true; rows: number; candidates: ImportRow[]; errors: RowError[]; canonical: string };

const EMAIL = /^[^\s@,;"]+@[^\s@,;"]+\.[^\s@,;"]+$/;

/** `'-5` is how a spreadsheet-safe export writes -5; imported back, it means -5. */
function parsePoints(cell: string): number | null {
  const s = cell.trim().replace(/^'/, "");
  if (!/^[+-]?\d{1,9}$/.test(s)) return null;
  return Number(s);
}

export function parseMemberImport(text: string, tierNames: readonly string[] = []): ParsedImport {
  const table = parseCsv(text).filter((r) => r.some((c) => c.trim() !== ""));
  const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = ["email", "points"].filter((h) => !header.includes(h));
  if (missing.length)
    return { ok: false, errors: missing.map((h) => ({ path: "header", message: `the header needs a ${h} column` })) };
  const rows = table.slice(1);
  if (rows.length > IMPORT_MAX_ROWS)
    return {
      ok: false,
      errors: [{ path: "body", message: `a file holds at most ${IMPORT_MAX_ROWS.toLocaleString("en")} rows` }],
    };
  const col = (name: string) => header.indexOf(name);
  const [emailAt, pointsAt, idAt, tierAt] = [col("email"), col("points"), col("customer_id"), col("tier")];
  const tiers = new Set(tierNames.map((t) => t.trim().toLowerCase()));

  const candidates: ImportRow[] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  rows.forEach((cells, i) => {
    const row = i + 1;
    const cell = (at: number) => (at >= 0 ? (cells[at] ?? "").trim() : "");
    const customerId = cell(idAt) || null;
    const email = cell(emailAt).toLowerCase() || null;
    const points = parsePoints(cell(pointsAt));
    const tier = cell(tierAt) || null;
    const refuse = (message: string) => errors.push({ row, message });
    if (customerId !== null && !/^\d{1,20}$/.test(customerId))
      return refuse("customer_id must be a Shopify customer id (digits)");
    if (customerId === null && email === null) return refuse("a row needs an email or a customer_id");
    if (email !== null && !EMAIL.test(email)) return refuse(`"${email}" is not an email address`);
    if (points === null || points === 0 || Math.abs(points) > IMPORT_MAX_POINTS)
      return refuse(`points must be a whole number other than 0, at most ${IMPORT_MAX_POINTS.toLocaleString("en")} either way`);
    if (tier !== null && !tiers.has(tier.toLowerCase())) return refuse(`there is no tier "${tier}"`);
    const who = customerId !== null ? `id:${customerId}` : `email:${email}`;
    const earlier = firstRowOf.get(who);
    if (earlier !== undefined) return refuse(`the same customer as row ${earlier}; put their points on one row`);
    firstRowOf.set(who, row);
    candidates.push({ row, customerId, email, points, tier });
  });
  // What the file says, independent of how it was saved (BOM, line ends, quoting): its identity.
  const canonical = [header, ...rows].map((r) => JSON.stringify(r.map((c) => c.trim()))).join("\n");
  return { ok: true, rows: rows.length, candidates, errors, canonical };
}
