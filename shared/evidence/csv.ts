/**
 * CSV for the evidence bundle (RFC 4180): comma-separated, CRLF line ends, a header row, fields
 * quoted when they hold a comma, a quote or a line break, quotes doubled.
 *
 * Text that a spreadsheet would run as a formula is prefixed with a single quote, so opening the
 * file cannot execute what a sender wrote: text starting with = + - @ (also after leading spaces,
 * and in their full-width forms ＝ ＋ － ＠, which spreadsheets fold to ASCII), a tab, a carriage
 * return or a line feed, and text holding a bidirectional control character anywhere (it can make
 * a cell display differently from what it holds). Numbers and booleans are written as they are;
 * objects and arrays as their JSON; absent as empty.
 *
 * The file starts with a UTF-8 byte-order mark, so that Excel on Windows reads names as UTF-8.
 */
const FORMULA_START = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;
/** Bidirectional controls: LRM, RLM, ALM, LRE..RLO, LRI..PDI. */
const BIDI_CONTROL = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;
export const UTF8_BOM = '\ufeff';

function cell(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (typeof value === 'string')
    text = FORMULA_START.test(value) || BIDI_CONTROL.test(value) ? `'${value}` : value;
  else text = JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Rows as CSV. Columns: `columns` when given, else every key of every row in order of first
 * appearance. An empty list still gets its header row when columns are given.
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const header = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const lines = [header.map(cell).join(',')];
  for (const row of rows) lines.push(header.map((column) => cell(row[column])).join(','));
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}
