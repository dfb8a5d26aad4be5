/**
 * Takes a reply's own text out of a mail body: removes the quoted history and the signature,
 * keeps every line the person wrote exactly as written.
 *
 * What counts as history, as the common mail clients write it:
 * - lines starting with `>` (plain-text quoting; htmlToText writes blockquotes the same way);
 * - an attribution followed by `>` lines, possibly wrapped over up to three lines:
 *   Gmail/Thunderbird "On Mon, 5 Oct 2026 at 10:02, Alice <a@x> wrote:", Apple Mail "On 5 Oct 2026,
 *   at 10:02, Alice wrote:", German "Am ... schrieb ...:", French "Le ... a écrit :", and others;
 *   the history ends there and the text after the quoted lines is the reply again (bottom-posting,
 *   inline answers);
 * - an attribution NOT followed by `>` lines, an Outlook header block ("From: ... Sent: ... To: ...
 *   Subject: ...", also Outlook for Mac "From: ... Date: ..."), an "-----Original Message-----" line
 *   or a forwarded-message line: everything from there to the end is history (top-posting);
 * - a signature from "-- " on, or a phone's line such as "Sent from my iPhone", to the end.
 * Matching tolerates non-breaking and other odd spaces, smart quotes, `*bold*` markers, and extra
 * blank lines. Leading and trailing blank lines of the result are removed.
 */

/** Spaces clients put in headers and attributions: NBSP, narrow NBSP, figure, thin, zero-width, BOM. */
const ODD_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;

/** The line as matched (never as returned): odd spaces and quotes made plain, markers removed. */
export function normaliseForMatching(line: string): string {
  return line
    .replace(ODD_SPACES, ' ')
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
    .replace(/\*+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function isQuoted(line: string): boolean {
  return /^[ \t\u00a0]*>/.test(line);
}

function isBlank(line: string): boolean {
  return line.replace(ODD_SPACES, ' ').trim() === '';
}

const ORIGINAL_MESSAGE =
  /^-{2,} ?(original message|ursprüngliche nachricht|originalnachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|mensagem original|alkuperäinen viesti|oryginalna wiadomość) ?-{2,}$/i;

const FORWARDED =
  /^(-{2,} ?(forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht) ?-{2,}|begin forwarded message:|anfang der weitergeleiteten nachricht:|début du message réexpédié :?)$/i;

/** A line of underscores Outlook puts above its header block. */
const UNDERSCORES = /^_{10,}$/;

const FROM_LINE = /^(from|von|de|van|da|od|från|fra) ?:/i;
const SENT_LINE =
  /^(sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|data|verzonden|skickat|sendt|wysłane) ?:/i;
const TO_LINE =
  /^(to|subject|an|betreff|à|objet|para|asunto|a|oggetto|aan|onderwerp|till|ämne|til|emne|cc) ?:/i;

const ATTRIBUTION_START = /^(on|am|le|op|el|il|den|em|w dniu|dne|в) /i;
const ATTRIBUTION_END = new RegExp(
  [
    // "... Alice <a@x> wrote:", French "... a écrit :", Spanish "... escribió:"
    ' ?(wrote|writes|a écrit|a ecrit|escribió|escribio|ha scritto|escreveu|napisał|написал)( ?\\(.*\\))? ?:$',
    // German "Am ... schrieb Alice:", Dutch "Op ... schreef Alice:", Swedish/Danish "... skrev Alice:"
    ' (schrieb|schreef|skrev|napsal)( [^:]{1,160})? ?:$',
  ].join('|'),
  'i',
);

/** The lines of a body as the scan sees them: raw, matched form, blank, quoted. Computed once. */
interface Lines {
  readonly raw: readonly string[];
  readonly plain: readonly string[];
  readonly blank: readonly boolean[];
  readonly quoted: readonly boolean[];
}

function linesOf(body: string): Lines {
  const raw = body.replace(/\r\n?/g, '\n').split('\n');
  return {
    raw,
    plain: raw.map((line) => (line.length > 2000 ? line.slice(0, 2000) : line)).map(normaliseForMatching),
    blank: raw.map(isBlank),
    quoted: raw.map(isQuoted),
  };
}

/** The first line at or after `from` that is not blank. */
function nextNonBlank(lines: Lines, from: number): number {
  let next = from;
  while (next < lines.raw.length && lines.blank[next]) next += 1;
  return next;
}

/** "On <date>, <who> wrote:" joined from the lines at `start`; returns how many lines it spans, or 0. */
function attributionSpan(lines: Lines, start: number): number {
  let joined = '';
  for (let k = 0; k < 3 && start + k < lines.raw.length; k += 1) {
    if (k > 0 && (lines.blank[start + k] || lines.quoted[start + k])) return 0;
    joined = k === 0 ? (lines.plain[start] as string) : `${joined} ${lines.plain[start + k] as string}`;
    if (joined.length > 400) return 0;
    if (ATTRIBUTION_END.test(joined)) {
      // Either "On <date> ... wrote:", or "<name> <address> wrote:" (clients that give no date).
      if (ATTRIBUTION_START.test(joined) && /\d/.test(joined)) return k + 1;
      if (/@|<[^>]+>/.test(joined) && joined.length <= 200) return k + 1;
      return 0;
    }
  }
  return 0;
}

/**
 * Any other attribution directly followed by quoted lines: a line naming an address and ending
 * in ":" (e.g. Japanese Gmail "2026年10月6日(火) 9:12 ISMS Review <review@...>:"). Only used when
 * quoted lines follow, so it never cuts a reply short.
 */
function looseAttributionSpan(lines: Lines, start: number): number {
  const line = lines.plain[start] as string;
  if (line.length > 300 || !line.endsWith(':') || !/@[^\s>]+\.[^\s>]+>?\s*:$|<[^>]+@[^>]+>/.test(line)) {
    return 0;
  }
  const next = nextNonBlank(lines, start + 1);
  return next < lines.raw.length && lines.quoted[next] ? 1 : 0;
}

/** An Outlook-style header block starting at `start`: From:, then Sent:/Date: and To:/Subject:. */
function isHeaderBlock(lines: Lines, start: number): boolean {
  if (!FROM_LINE.test(lines.plain[start] as string)) return false;
  let sent = false;
  let addressed = false;
  for (let k = start + 1; k < lines.raw.length && k <= start + 8; k += 1) {
    const line = lines.plain[k] as string;
    if (line === '') continue;
    if (SENT_LINE.test(line)) sent = true;
    else if (TO_LINE.test(line)) addressed = true;
    if (sent && addressed) return true;
  }
  return false;
}

const PHONE_SIGNATURE = new RegExp(
  '^(' +
    [
      'sent from my (iphone|ipad|ipod|android|phone|mobile|smartphone|blackberry|samsung|galaxy|huawei|pixel|xiaomi|oneplus)[^.]{0,60}',
      'sent from (outlook|mail|yahoo mail|aol|gmail) for [^.]{1,40}',
      'sent from yahoo mail[^.]{0,40}',
      'get outlook for (ios|android)',
      'sent with proton ?mail[^.]{0,40}',
      'von meinem (iphone|ipad|smartphone|handy|mobiltelefon|samsung|android)[^.]{0,40}',
      'gesendet von meinem (iphone|ipad|smartphone|handy|mobiltelefon|samsung|android)[^.]{0,40}',
      'gesendet von outlook für (ios|android)',
      'envoyé de mon (iphone|ipad|smartphone|mobile|android)[^.]{0,40}',
      'enviado desde mi (iphone|ipad|smartphone|móvil|android)[^.]{0,40}',
      'inviato da (iphone|ipad|smartphone)[^.]{0,40}',
      'verzonden vanaf mijn (iphone|ipad|smartphone)[^.]{0,40}',
    ].join('|') +
    ')\\.?( ?<[^>]*>)?$',
  'i',
);

function isSignatureStart(lines: Lines, index: number): boolean {
  const raw = lines.raw[index] as string;
  if (raw === '-- ' || raw === '--' || raw === '-- \u00a0') return true;
  return PHONE_SIGNATURE.test(lines.plain[index] as string);
}

export interface StrippedReply {
  /** The reply's own lines, exactly as written. */
  readonly text: string;
  /** True when quoted history was removed. */
  readonly quoteRemoved: boolean;
  /** True when a signature was removed. */
  readonly signatureRemoved: boolean;
}

/** The reply's own text with what was removed; see the module comment for the rules. */
export function splitReply(body: string): StrippedReply {
  const lines = linesOf(body);
  const kept: number[] = [];
  let quoteRemoved = false;
  let i = 0;
  scan: while (i < lines.raw.length) {
    const plain = lines.plain[i] as string;
    if (lines.quoted[i]) {
      quoteRemoved = true;
      i += 1;
      // Blank lines on both sides of a removed quote collapse into one.
      if (kept.length > 0 && lines.blank[kept[kept.length - 1] as number]) i = nextNonBlank(lines, i);
      continue;
    }
    if (ORIGINAL_MESSAGE.test(plain) || FORWARDED.test(plain)) {
      quoteRemoved = true;
      break scan;
    }
    if (UNDERSCORES.test(plain)) {
      const next = nextNonBlank(lines, i + 1);
      if (next < lines.raw.length && isHeaderBlock(lines, next)) {
        quoteRemoved = true;
        break scan;
      }
    }
    if (isHeaderBlock(lines, i)) {
      quoteRemoved = true;
      break scan;
    }
    const span = attributionSpan(lines, i) || looseAttributionSpan(lines, i);
    if (span > 0) {
      const next = nextNonBlank(lines, i + span);
      quoteRemoved = true;
      if (next < lines.raw.length && lines.quoted[next]) {
        // Bottom-posted or inline: drop the attribution and the quote, then read on.
        i = next;
        continue;
      }
      // Top-posted: the history below is not marked with ">".
      break scan;
    }
    kept.push(i);
    i += 1;
  }

  let signatureRemoved = false;
  const signatureAt = kept.findIndex((index) => isSignatureStart(lines, index));
  if (signatureAt >= 0) {
    kept.length = signatureAt;
    signatureRemoved = true;
  }
  while (kept.length > 0 && lines.blank[kept[kept.length - 1] as number]) kept.pop();
  let first = 0;
  while (first < kept.length && lines.blank[kept[first] as number]) first += 1;
  const text = kept
    .slice(first)
    .map((index) => lines.raw[index] as string)
    .join('\n');
  return { text, quoteRemoved, signatureRemoved };
}

/** The reply's own text: quoted history and signature removed, its own lines kept exactly. */
export function stripQuotes(body: string): string {
  return splitReply(body).text;
}
