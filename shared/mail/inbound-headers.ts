/**
 * The header facts inbound.ts reads from the raw header lines of a message: every occurrence of
 * every header (the MIME parser keeps only the first of most), the mailboxes of the address
 * headers, message ids as `<id>`, the `d=` domains of DKIM signatures and the top-level
 * Content-Type with its `report-type`.
 */
import { domainToUnicode } from 'node:url';
import { addressParser, decodeWords } from 'postal-mime';
import type { Address, HeaderLine } from 'postal-mime';

export interface MailAddress {
  /** Lower-cased. */
  readonly address: string;
  /** The display name, '' when none. */
  readonly name: string;
}

/** Raw header values by lower-case name, unfolded, in order (every occurrence). */
export type RawHeaders = ReadonlyMap<string, readonly string[]>;

/**
 * Raw header values by lower-case name. A line without a colon (an mbox `From ` line) names no
 * header and is skipped. The name is read without the white space some senders put before the
 * colon (`From :`), so such a line still counts as the header it imitates.
 */
export function rawHeaders(lines: readonly HeaderLine[]): RawHeaders {
  const out = new Map<string, string[]>();
  for (const { line } of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!name) continue;
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const values = out.get(name);
    if (values) values.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/** An encoded word (RFC 2047) decoded, or the text as it is when it cannot be. */
export function decoded(value: string): string {
  try {
    return decodeWords(value);
  } catch {
    return value;
  }
}

/** The parsed entries of one address header value: mailboxes and groups. */
export function addressEntries(value: string): Address[] {
  try {
    return addressParser(value);
  } catch {
    return [];
  }
}

/** Whether an address header holds a group (RFC 5322 `name: a, b;`), which names no one sender. */
export function hasGroup(values: readonly string[]): boolean {
  return values.some((value) => addressEntries(value).some((entry) => entry.group !== undefined));
}

/** A punycode domain (`xn--`) in the form people write it, so one mailbox has one spelling. */
function unicodeDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  if (!/(^|\.)xn--/.test(domain)) return address;
  const unicode = domainToUnicode(domain);
  return unicode ? `${address.slice(0, at + 1)}${unicode}` : address;
}

/** The mailboxes of address header values, group members included, in order; unusable ones left out. */
export function addresses(values: readonly string[]): MailAddress[] {
  const out: MailAddress[] = [];
  const visit = (entry: Address): void => {
    if (entry.group) {
      entry.group.forEach(visit);
      return;
    }
    const address = unicodeDomain(entry.address.trim().toLowerCase());
    if (/^[^\s@]+@[^\s@]+$/.test(address)) out.push({ address, name: withWindows1252(entry.name.trim()) });
  };
  for (const value of values) addressEntries(value).forEach(visit);
  return out;
}

/**
 * The Sender mailboxes. A Sender header that names no readable mailbox, or is given more than
 * once, yields a mailbox no one has (`invalid`), so the sender check can never pass it.
 */
export function senderOf(raw: readonly string[]): MailAddress[] {
  if (raw.length === 0) return [];
  const parsed = addresses(raw.slice(0, 1));
  if (raw.length > 1 || parsed.length === 0)
    return [...parsed, { address: 'unreadable@sender.invalid', name: '' }];
  return parsed;
}

/** A message id in angle brackets, or undefined for an empty value. */
export function messageIdOf(value: string | undefined): string | undefined {
  const id = value === undefined ? '' : decoded(value).trim();
  if (!id) return undefined;
  return `${id.startsWith('<') ? '' : '<'}${id}${id.endsWith('>') ? '' : '>'}`;
}

/** Every id of every References header, in order. */
export function referencesOf(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const part of decoded(value).split(/\s+/)) {
      const id = messageIdOf(part);
      if (id) out.push(id);
    }
  }
  return out;
}

/** The `d=` tag of each DKIM-Signature header value, lower case, each domain once. */
export function dkimDomainsOf(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const match = /(?:^|;)\s*d\s*=\s*([A-Za-z0-9.-]+)\s*(?:;|$)/.exec(value);
    const domain = match?.[1]?.toLowerCase().replace(/\.$/, '');
    if (domain && !out.includes(domain)) out.push(domain);
  }
  return out;
}

/** The Date header in UTC ISO 8601; undefined when absent or not a date. */
export function dateOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const withoutComments = value.replace(/\([^)]*\)/g, ' ').trim();
  if (!withoutComments) return undefined;
  const time = Date.parse(withoutComments);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Comments (RFC 5322 `(...)`, nesting and quoted strings respected) taken out of a structured value. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += value.slice(i, i + 2);
      i++;
    } else if (depth === 0 && char === '"') {
      quoted = !quoted;
      out += char;
    } else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')' && depth > 0) depth--;
    else if (depth === 0) out += char;
  }
  return out;
}

/** The MIME type of a Content-Type value, lower case, and its `report-type` parameter. */
export function contentTypeOf(value: string | undefined): { type: string; reportType: string | undefined } {
  const clean = withoutComments(value ?? '');
  const type = (clean.split(';')[0] ?? '').trim().toLowerCase();
  const reportType = /;\s*report-type\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(clean);
  const report = (reportType?.[1] ?? reportType?.[2])?.trim().toLowerCase();
  return { type: type || 'text/plain', reportType: report || undefined };
}

/** What windows-1252 puts at 0x80-0x9F (WHATWG index); 0x81, 0x8D, 0x8F, 0x90 and 0x9D stay as they are. */
const WINDOWS_1252_C1 =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Text with the C1 control characters (U+0080-U+009F) read as the windows-1252 characters they
 * are. Node's TextDecoder decodes windows-1252, and the labels that mean it (iso-8859-1, latin1,
 * us-ascii), as ISO-8859-1 since 20.18.3 and 22.13.0 (nodejs/node#60888), so the euro sign, curly quotes and dashes of
 * Outlook mail come out as control characters no person writes.
 */
export function withWindows1252(text: string): string {
  return /[\u0080-\u009f]/.test(text)
    ? text.replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_C1[char.charCodeAt(0) - 0x80] ?? char)
    : text;
}
