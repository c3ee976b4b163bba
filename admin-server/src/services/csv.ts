/**
 * CSV for spreadsheets (RFC 4180): CRLF line ends, fields quoted when they hold a quote, comma or line
 * break, quotes doubled, and a UTF-8 byte-order mark so Excel reads accents correctly.
 */
export type CsvCell = string | number | boolean | null | undefined | Date;

export const CSV_BOM = '\uFEFF';

/**
 * Cells a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd`, `@SUM`) get a leading
 * apostrophe: a student's name typed by anyone must not execute on the exporter's machine.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: CsvCell[][]): string {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

/** The reader for our own files (tests, re-import): handles quotes, doubled quotes and embedded line breaks. */
export function parseCsv(text: string): string[][] {
  const src = text.startsWith(CSV_BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && src[i + 1] === '\n') continue;
    else if (c === '\n' || c === '\r') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}
