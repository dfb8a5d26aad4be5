/**
 * The evidence bundle's fixed parts: the manifest (every file with its SHA-256, and the event
 * that commits to it where one does) and the README for the auditor. export.ts fills a bundle,
 * verify.ts checks one; docs/evidence.md explains both.
 */
import * as z from 'zod';
import { Sha256Hex, UtcTimestamp } from '../model/common.ts';
import { CycleId } from '../model/ids.ts';

export const BUNDLE_FORMAT = 'isms-review/evidence-bundle@1' as const;
export const MANIFEST_FILE = 'manifest.json';
export const README_FILE = 'README.txt';
export const EVENTS_FILE = 'events.jsonl';
/** The signature of manifest.json's exact bytes by the anchoring key (base64 DER), when the exporter could sign. */
export const MANIFEST_SIG_FILE = 'manifest.sig';
/** The anchoring key's public key (PEM), for convenience: trust comes from its fingerprint, compared elsewhere. */
export const ANCHOR_KEY_FILE = 'anchor-key.pem';
/** Files outside the manifest: the manifest itself, its signature and the public key. */
export const UNLISTED_FILES: readonly string[] = [MANIFEST_FILE, MANIFEST_SIG_FILE, ANCHOR_KEY_FILE];

/** How a committed hash is taken: of the file's bytes, or of the minutes text normalised (record.ts). */
export const HashOf = z.enum(['bytes', 'normalised minutes text']);
export type HashOf = z.infer<typeof HashOf>;

/** An event of the chain that recorded this file's hash when the thing happened. */
export const Commitment = z.strictObject({
  seq: z.number().int().min(1),
  /** The event type, for a reader. */
  type: z.string(),
  /** The field of the event's data holding the hash, e.g. `sha256` or `rawSha256`. */
  field: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
  /** When the field is a list (e.g. `attachments`): the item whose `sha256` is the file's hash. */
  item: z.optional(z.number().int().min(0)),
  hashOf: HashOf,
});
export type Commitment = z.infer<typeof Commitment>;

export const ManifestEntry = z.strictObject({
  /** Path inside the ZIP. */
  path: z.string().min(1),
  sha256: Sha256Hex,
  size: z.number().int().min(0),
  /** What the file is, in a sentence. */
  describes: z.string().min(1),
  committedBy: z.optional(Commitment),
});
export type ManifestEntry = z.infer<typeof ManifestEntry>;

/** Something the records name but the stores did not hold at export time. */
export const Gap = z.strictObject({ path: z.string(), reason: z.string() });
export type Gap = z.infer<typeof Gap>;

export const Manifest = z.strictObject({
  format: z.literal(BUNDLE_FORMAT, { error: `expected format ${BUNDLE_FORMAT}` }),
  cycleId: CycleId,
  programmeId: z.string().min(1),
  exportedAt: UtcTimestamp,
  /** The cycle's phase at export: the bundle of a running cycle says so. */
  phase: z.string(),
  /** The last event in events.jsonl: the chain head at export time. */
  chainHead: z.strictObject({ seq: z.number().int().min(0), hash: Sha256Hex }),
  /** Every file of the ZIP except manifest.json itself, sorted by path. */
  files: z.array(ManifestEntry),
  gaps: z.array(Gap),
});
export type Manifest = z.infer<typeof Manifest>;

/** A ZIP path: relative, forward slashes, no empty, `.` or `..` part, printable characters only. */
export function isSafeBundlePath(path: string): boolean {
  return (
    /^[A-Za-z0-9._\-/ ()+@]+$/.test(path) &&
    !path.startsWith('/') &&
    path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

/** A file-name-safe form of any text (outbox keys hold `:` and `#`, attachment names anything). */
export function safeName(text: string, fallback = 'file'): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 120);
  return cleaned === '' ? fallback : cleaned;
}

/** The README for the auditor: what each file is and how to check everything by hand. */
export function readmeText(manifest: Omit<Manifest, 'files'> & { files: readonly ManifestEntry[] }): string {
  const running =
    manifest.phase === 'CLOSED'
      ? 'The cycle was closed when this bundle was made.'
      : `The cycle was still running (phase ${manifest.phase}) when this bundle was made: it holds what was recorded up to then.`;
  const lines = [
    `EVIDENCE BUNDLE: management review ${manifest.cycleId}`,
    '='.repeat(60),
    '',
    `Programme:   ${manifest.programmeId}`,
    `Exported at: ${manifest.exportedAt} (UTC)`,
    `Event log:   ${manifest.chainHead.seq} events, chain head ${manifest.chainHead.hash}`,
    running,
    '',
    'This bundle is the documented information kept as evidence of the results of this',
    'management review (ISO/IEC 27001:2022 clause 9.3.3). It was produced by isms-review.',
    '',
    'WHERE TO START',
    '--------------',
    'index/clauses.md  Each requirement (9.3.1, every 9.3.2 input, 9.3.3, 7.5) with a link to every',
    '                  file that evidences it; index/clauses.csv is the same as a table.',
    'trace.csv         One row per input: request sent (time, mail file), reminders, each reply',
    '                  (time, mail file, submission), how the package counted it and where it shows',
    '                  it, what the minutes say, the decisions citing it and the actions they made.',
    'Each email is stored once, under mail/; the records that name it point to that file.',
    '',
    'HOW TO VERIFY',
    '-------------',
    'With the tool:  npx isms-review evidence verify <this file>.zip',
    '  It recomputes every hash below, the whole event chain, every hash the events recorded',
    '  when things happened, and compares the chain with the anchors in the evidence bucket',
    '  when it can reach them. Exit code 0 means everything holds.',
    '',
    'By hand:',
    '1. Files. manifest.json lists every other file with its SHA-256 and size. Check each one,',
    '   e.g. `sha256sum <file>`. A file in the ZIP that the manifest does not list, or listed',
    '   but missing, means the bundle was changed.',
    '2. Event chain. events.jsonl holds one event per line, in order, each in canonical JSON',
    '   (keys sorted, no spaces). Event n has fields prevHash and hash. For each event:',
    '     content = the event without prevHash and hash, in canonical JSON',
    '     hash    = SHA-256( prevHash + "\\n" + content )     (hex, lower case)',
    '   The first event has prevHash = 64 zeros; every later prevHash is the hash of the event',
    '   before it; seq counts 1, 2, 3, ... Changing, removing, inserting or reordering any',
    '   event breaks this at that event.',
    "3. Commitments. Where an event recorded a file's hash when it happened (the package when it",
    '   was built, each email when it was sent or received, each attachment when it arrived, the',
    '   minutes when accepted), the manifest entry names that event (committedBy: seq, field and,',
    "   for a list, item). The file's SHA-256 must equal that field (for a list, the item's",
    '   sha256). For minutes text, the hash is of the text with line ends as LF, trailing spaces',
    '   and a leading byte-order mark removed, and outer blank lines trimmed.',
    '4. Anchors. When the cycle opened, at each milestone (package distributed, minutes',
    '   accepted, cycle closed) and daily while the cycle ran, the chain head was signed with',
    '   the anchoring key (ECDSA P-256, SHA-256) and written to the evidence bucket under S3',
    "   Object Lock (COMPLIANCE mode, kept for the programme's retention). anchors/ holds copies.",
    '   Each names a seq and a hash: event seq of events.jsonl must have that hash. Its',
    '   signature (base64 DER) is over the canonical JSON of the anchor without "signature";',
    `   check it with the public key ${ANCHOR_KEY_FILE}, e.g. with openssl dgst -sha256 -verify.`,
    `   ${ANCHOR_KEY_FILE} is in the bundle for convenience only: trust it only after comparing`,
    '   its fingerprint (SHA-256 of the key in DER form) with the one the organisation published',
    '   outside the bundle: the stack output, `isms-review evidence key`, and the package email',
    '   to top management. A closed cycle must have a signed anchor for every milestone.',
    `   ${MANIFEST_SIG_FILE}, when present, is the signature of manifest.json by the same key.`,
    '',
    'CSV files are UTF-8 with a byte-order mark, commas and CRLF line ends; a cell starting',
    '(after any spaces) with = + - or @, their full-width forms, a tab, a line break or a',
    'bidirectional control character is prefixed with a single quote, so that a spreadsheet',
    'does not run it as a formula. Several items in one cell are separated by "; ". Names stand',
    'beside the ids of people. Times are UTC. An event\'s "at" is when it was recorded, never',
    'earlier than the event before it; business times (when a reply arrived: receivedAt, what',
    'its Date header says: dateHeader, when SES delivered) are in its data.',
    '',
    'FILES',
    '-----',
    ...manifest.files.map((file) => `${file.path}\n    ${file.describes}`),
    `${MANIFEST_FILE}\n    Every file above with its SHA-256 and size, the chain head, and what was missing.`,
    `${ANCHOR_KEY_FILE}\n    The public key of the anchoring key (compare its fingerprint; see 4).`,
  ];
  if (manifest.gaps.length > 0) {
    lines.push('', 'NOT IN THIS BUNDLE', '------------------');
    for (const gap of manifest.gaps) lines.push(`${gap.path}\n    ${gap.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
