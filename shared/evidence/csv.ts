/**
 * CSV for the evidence bundle (RFC 4180): comma-separated, CRLF line ends, a header row, fields
 * quoted when they hold a comma, a quote or a line break, quotes doubled.
 *
 * Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) is prefixed with a single quote, so opening the file cannot execute what a sender wrote.
 * Numbers and booleans are written as they are; objects and arrays as their JSON; absent as empty.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
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
  return `${lines.join('\r\n')}\r\n`;
}
