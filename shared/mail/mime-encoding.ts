/**
 * The encodings an outbound message is written in, for mime.ts: quoted-printable and base64 bodies,
 * RFC 2047 encoded-words for header text, RFC 2231 parameters for file names, and header folding.
 * Pure functions on strings and Buffers; no dependency.
 *
 * Limits kept: a body line is at most 76 characters (RFC 2045), a header line at most 78 where it can
 * be folded and always under 998 (RFC 5322), every line ends in CRLF.
 */

export const CRLF = '\r\n';
/** RFC 5322's recommended header line length, folding whitespace included. */
const HEADER_LINE = 78;
/** RFC 2045: encoded body lines are at most 76 characters. */
const BODY_LINE = 76;
/** The longest encoded-word we write (RFC 2047 allows 75): it fits a line after `Subject: `. */
const ENCODED_WORD = 60;
const ENCODED_WORD_PREFIX = { Q: '=?UTF-8?Q?', B: '=?UTF-8?B?' } as const;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Text a reader would take for an encoded-word if written as is. */
const LOOKS_ENCODED = /=\?/;

const hex = (byte: number) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * Quoted-printable (RFC 2045 6.7) of text, in UTF-8. Every line break (CRLF, lone CR, lone LF) becomes
 * a CRLF hard break; lines longer than 76 get soft breaks; trailing white space is encoded. A line
 * that starts with `.` or `From ` has that character encoded, so neither SMTP dot handling nor an
 * mbox writer can alter it.
 */
export function quotedPrintable(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(encodeQuotedPrintableLine)
    .join(CRLF);
}

function encodeQuotedPrintableLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const lines: string[] = [];
  let current = '';
  const tokenAt = (index: number, lineStart: boolean): string => {
    const byte = bytes[index]!;
    const last = index === bytes.length - 1;
    if (
      lineStart &&
      (byte === 0x2e || (byte === 0x46 && bytes.subarray(index, index + 5).toString() === 'From '))
    ) {
      return hex(byte);
    }
    if (byte >= 33 && byte <= 126 && byte !== 0x3d) return String.fromCharCode(byte);
    if ((byte === 0x20 || byte === 0x09) && !last) return String.fromCharCode(byte);
    return hex(byte);
  };
  for (let index = 0; index < bytes.length; index += 1) {
    let token = tokenAt(index, current === '');
    // Room for the `=` of a soft break, unless this token ends the line.
    const room = index === bytes.length - 1 ? BODY_LINE : BODY_LINE - 1;
    if (current.length + token.length > room) {
      lines.push(`${current}=`);
      current = '';
      token = tokenAt(index, true);
    }
    current += token;
  }
  lines.push(current);
  return lines.join(CRLF);
}

/** Base64 in lines of 76 characters. */
export function base64Lines(content: Buffer): string {
  const encoded = content.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += BODY_LINE) lines.push(encoded.slice(at, at + BODY_LINE));
  return lines.join(CRLF);
}

/**
 * Q when the text is mostly Latin letters (readable in the raw message), B otherwise (shorter for
 * CJK or emoji).
 */
function preferredEncoding(text: string): 'Q' | 'B' {
  let latin = 0;
  let other = 0;
  for (const char of text) {
    if (/[A-Za-z]/.test(char)) latin += 1;
    else if (!PRINTABLE_ASCII.test(char)) other += 1;
  }
  return other < latin ? 'Q' : 'B';
}

/** Q-encoding as RFC 2047 5(3) allows it in a phrase: the strictest context, so it fits every one. */
const qEncodeByte = (byte: number): string =>
  byte === 0x20
    ? '_'
    : /[A-Za-z0-9!*+/-]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : hex(byte);

/**
 * The text as RFC 2047 encoded-words (UTF-8), each at most 60 characters and holding whole
 * characters, so a reader that decodes each word alone still sees no broken character.
 */
export function encodedWords(text: string): string[] {
  const encoding = preferredEncoding(text);
  const room = ENCODED_WORD - ENCODED_WORD_PREFIX[encoding].length - 2;
  const words: string[] = [];
  const encode = (bytes: Buffer) =>
    encoding === 'B' ? bytes.toString('base64') : [...bytes].map(qEncodeByte).join('');
  let pending: Buffer[] = [];
  const flush = () => {
    if (pending.length) words.push(`${ENCODED_WORD_PREFIX[encoding]}${encode(Buffer.concat(pending))}?=`);
    pending = [];
  };
  for (const char of text) {
    const bytes = Buffer.from(char, 'utf8');
    if (pending.length && encode(Buffer.concat([...pending, bytes])).length > room) flush();
    pending.push(bytes);
  }
  flush();
  return words;
}

/**
 * An unstructured header value (Subject, a custom header) as the pieces folding may separate: its
 * words as they are when it is printable ASCII (a program reads a custom header's token as written;
 * a word longer than a line stays whole, under 998 as the spec's limits ensure), otherwise
 * encoded-words.
 */
export function unstructured(value: string): string[] {
  return PRINTABLE_ASCII.test(value) && !LOOKS_ENCODED.test(value)
    ? value.split(/ (?=[^ ])/)
    : encodedWords(value);
}

/** RFC 5322 atext: a display name made of such words, single-spaced, needs no quoting. */
const ATOM = /^[A-Za-z0-9!#$%&'*+/^_`{|}~-]+$/;

/**
 * A display name as header pieces: bare words, a quoted string, or encoded-words (non-ASCII, control
 * characters, or too long to quote on one line).
 */
export function displayName(name: string): string[] {
  const words = name.split(' ');
  if (words.every((word) => ATOM.test(word) && word.length <= ENCODED_WORD)) return words;
  if (PRINTABLE_ASCII.test(name) && !LOOKS_ENCODED.test(name) && name.length <= ENCODED_WORD) {
    return [`"${name.replace(/[\\"]/g, '\\$&')}"`];
  }
  return encodedWords(name);
}

/** RFC 2231 attribute-char: what a parameter value may hold without percent-encoding. */
const ATTRIBUTE_CHAR = /^[A-Za-z0-9!#$&+.^_`|~-]$/;
/** The longest parameter we write on one line, and the longest RFC 2231 section value in it. */
const PARAMETER = 70;
const PARAMETER_SECTION = 48;

/**
 * A MIME parameter (`filename`, `name`) as header pieces: `attr="value"` when the value is printable
 * ASCII and short, otherwise the RFC 2231 form in UTF-8, split into numbered sections where long
 * (`attr*0*=utf-8''...; attr*1*=...`), each section holding whole characters.
 */
export function parameter(attribute: string, value: string): string[] {
  const quoted = `${attribute}="${value.replace(/[\\"]/g, '\\$&')}"`;
  if (PRINTABLE_ASCII.test(value) && !LOOKS_ENCODED.test(value) && quoted.length <= PARAMETER)
    return [quoted];
  const sections: string[] = [];
  let section = '';
  for (const char of value) {
    const encoded = ATTRIBUTE_CHAR.test(char)
      ? char
      : [...Buffer.from(char, 'utf8')]
          .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
          .join('');
    if (section.length + encoded.length > PARAMETER_SECTION) {
      sections.push(section);
      section = '';
    }
    section += encoded;
  }
  sections.push(section);
  if (sections.length === 1) return [`${attribute}*=utf-8''${sections[0]}`];
  return sections.map((text, index) => `${attribute}*${index}*=${index === 0 ? "utf-8''" : ''}${text}`);
}

/** Joins parameter pieces after a value: `type;`, `a=1;`, `b=2`. */
export function withParameters(value: string, parameters: readonly string[]): string[] {
  const pieces = [value, ...parameters];
  return pieces.map((piece, index) => (index < pieces.length - 1 ? `${piece};` : piece));
}

/**
 * One header field, folded: the pieces are joined by single spaces, and a line that would pass 78
 * characters continues on the next line (CRLF then the space) at a join. A piece is never split, so
 * a line is longer than 78 only for a piece that is itself that long (under 998: the spec's limits
 * see to it).
 */
export function headerField(name: string, pieces: readonly string[]): string {
  const lines: string[] = [];
  let line = `${name}:`;
  for (const piece of pieces) {
    if (line.length + 1 + piece.length > HEADER_LINE && line.length > name.length + 1 && piece !== '') {
      lines.push(line);
      line = '';
    }
    line += ` ${piece}`;
  }
  lines.push(line);
  return lines.join(CRLF);
}
