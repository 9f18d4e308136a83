// CSV as spreadsheets write it (RFC 4180): a byte-order mark, quoted fields with commas, quotes
// and line breaks inside, CRLF or LF line ends. And cells written so that a spreadsheet never
// runs them as formulas.

/** Rows of cells; a trailing line break does not make an empty last row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = "";
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" || c === "\n") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
    } else cell += c;
  }
  if (cell !== "" || row.length > 0 || quoted) endRow();
  return rows;
}

const FORMULA_START = new Set(["=", "+", "-", "@"]);

/** One cell: a leading `'` before what a spreadsheet would run as a formula; quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (s !== "" && FORMULA_START.has(s[0]!)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: ReadonlyArray<string | number | null | undefined>) => cells.map(csvCell).join(",") + "\r\n";
