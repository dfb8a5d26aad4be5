/**
 * Verifies an evidence bundle (export.ts) from its bytes alone, and against the anchors in the
 * evidence bucket when they can be read:
 *
 * 1. the ZIP opens within bounds (entries, sizes, compression ratio, no name twice: zip-reader.ts)
 *    and holds a manifest.json of the expected form;
 * 2. every file the manifest lists is there with its SHA-256 and size, and no other file is;
 * 3. events.jsonl is one unbroken hash chain (hash-chain.ts) of the manifest's cycle, ending at
 *    the manifest's chain head;
 * 4. every file whose hash an event recorded when it happened (committedBy) still has that hash;
 * 5. every anchor (the copies in the bundle, and the anchors in the evidence bucket when given)
 *    carries a valid signature of the trusted anchoring key and names an event of this chain with
 *    the same hash; in the bucket, each anchor object has exactly one version and no delete marker;
 * 6. a closed cycle has a valid signed anchor for every milestone its log records (unless the
 *    auditor allows unanchored bundles, which the result says loudly);
 * 7. manifest.sig, when present, is a valid signature of manifest.json by the same key.
 *
 * Events whose time is earlier than their predecessor's are named in a warning (time-order.ts):
 * the chain proves the order, and bundles of logs written before times were kept in order verify.
 *
 * The key: the one the auditor gives (a PEM file or a fingerprint), else the one in the bundle
 * (anchor-key.pem), which is then named loudly in the result: an embedded key is no trust, its
 * fingerprint must be compared with the one published outside the bundle.
 *
 * Every failure names its place: the file, the line and seq of the event, or the anchor. An anchor
 * written after the export (the cycle went on) cannot be compared and is noted, not failed.
 */
import * as z from 'zod';
import { sha256Of } from '../store/blob-store.ts';
import { minutesHash } from '../model/minutes-record.ts';
import {
  checkAnchorSignature,
  MILESTONE_EVENTS,
  parseAnchor,
  type Anchor,
  type StoredAnchor,
} from './anchor.ts';
import {
  ANCHOR_KEY_FILE,
  EVENTS_FILE,
  Manifest,
  MANIFEST_FILE,
  MANIFEST_SIG_FILE,
  UNLISTED_FILES,
  isSafeBundlePath,
  type ManifestEntry,
} from './bundle.ts';
import { verifyChain, type ChainedEvent } from './hash-chain.ts';
import { checkInboundEvidence } from './inbound-evidence.ts';
import { backwardTimes, backwardTimesWarning } from './time-order.ts';
import {
  anchorKeyFromPem,
  formatFingerprint,
  parseFingerprint,
  verifySignature,
  type AnchorKey,
} from './signer.ts';
import { readBundleZip, type ZipLimits } from './zip-reader.ts';

export interface BundleProblem {
  /** Where: a file path, `events.jsonl line 7 (seq 7)`, or `anchor <key>`. */
  readonly place: string;
  readonly message: string;
}

export type AnchorCheck =
  | { readonly kind: 'stored'; readonly anchors: readonly StoredAnchor[]; readonly location: string }
  | { readonly kind: 'unreachable'; readonly reason: string };

/** The key the auditor trusts, given outside the bundle. */
export type TrustedKey =
  { readonly pem: string; readonly source?: string } | { readonly fingerprint: string };

export interface VerifyOptions {
  /** The anchors in the evidence bucket (or why they could not be read); absent: not consulted. */
  readonly anchors?: AnchorCheck | undefined;
  /** The anchoring key to trust; absent: the bundle's own anchor-key.pem, named loudly. */
  readonly key?: TrustedKey | undefined;
  /** Accept a closed cycle's bundle without a signed anchor per milestone (endpoints without Object Lock). */
  readonly allowUnanchored?: boolean | undefined;
  readonly zipLimits?: Partial<ZipLimits> | undefined;
}

/** Where the key that checked the signatures came from. */
export interface KeyTrust {
  readonly fingerprint: string;
  /** `given`: the auditor's key; `bundle`: the bundle's own anchor-key.pem (compare it!). */
  readonly source: 'given' | 'bundle';
}

export interface BundleVerification {
  readonly ok: boolean;
  readonly cycleId?: string;
  readonly head?: { readonly seq: number; readonly hash: string };
  readonly files: number;
  readonly events: number;
  readonly problems: BundleProblem[];
  /** What was checked and held. */
  readonly held: string[];
  /** What could not be checked, and why (not a failure). */
  readonly notes: string[];
  /** Warnings a person must read even when the bundle verified (the trusted key, allowed gaps). */
  readonly warnings: string[];
  /** The key the anchor signatures were checked with; absent when none was available. */
  readonly key?: KeyTrust;
}

/** Where an auditor compares the fingerprint of the anchoring key. */
export const FINGERPRINT_SOURCES =
  'the stack output AnchorKeyFingerprint, `isms-review evidence key` run by the organisation, and the review package email sent to top management';

const EventLine = z.looseObject({
  cycleId: z.string(),
  seq: z.number(),
  prevHash: z.string(),
  hash: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/**
 * Verifies `zip` (see the module note). The second argument is the options, or (as before) only
 * the anchors in the evidence bucket.
 */
export function verifyBundle(zip: Uint8Array, options: VerifyOptions | AnchorCheck = {}): BundleVerification {
  const {
    anchors,
    key: trusted,
    allowUnanchored,
    zipLimits,
  } = 'kind' in options ? ({ anchors: options } as VerifyOptions) : options;
  const problems: BundleProblem[] = [];
  const held: string[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  let keyTrust: KeyTrust | undefined;
  const fail = (place: string, message: string) => problems.push({ place, message });
  const result = (extra: Partial<BundleVerification> = {}): BundleVerification => ({
    ok: problems.length === 0,
    files: 0,
    events: 0,
    problems,
    held,
    notes,
    warnings,
    ...(keyTrust ? { key: keyTrust } : {}),
    ...extra,
  });

  // 1. The ZIP and its manifest
  let files: Map<string, Uint8Array>;
  try {
    files = readBundleZip(zip, zipLimits);
  } catch (error) {
    const unsafe = (error as Error).name === 'UnsafeZip';
    fail(
      'the ZIP file',
      unsafe
        ? `is refused: it ${(error as Error).message}`
        : `cannot be opened as a ZIP archive: ${(error as Error).message}`,
    );
    return result();
  }
  const manifestBytes = files.get(MANIFEST_FILE);
  if (!manifestBytes) {
    fail(MANIFEST_FILE, 'is missing: this is not an evidence bundle, or the manifest was removed');
    return result();
  }
  let manifest: Manifest;
  try {
    const parsed = Manifest.safeParse(JSON.parse(Buffer.from(manifestBytes).toString('utf8')));
    if (!parsed.success) {
      fail(
        MANIFEST_FILE,
        `is not a bundle manifest: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'document'}: ${i.message}`).join('; ')}`,
      );
      return result();
    }
    manifest = parsed.data;
  } catch (error) {
    fail(MANIFEST_FILE, `is not JSON: ${(error as Error).message}`);
    return result();
  }
  const { cycleId } = manifest;

  // 2. Files against the manifest
  const listed = new Map<string, ManifestEntry>();
  for (const entry of manifest.files) {
    if (listed.has(entry.path)) fail(MANIFEST_FILE, `lists ${entry.path} twice`);
    listed.set(entry.path, entry);
  }
  for (const path of files.keys()) {
    if (UNLISTED_FILES.includes(path)) continue;
    if (!listed.has(path)) {
      fail(path, 'is in the ZIP but not in the manifest: a file was added after export');
    }
  }
  let filesHeld = 0;
  const altered = new Set<string>();
  for (const entry of manifest.files) {
    if (!isSafeBundlePath(entry.path)) fail(MANIFEST_FILE, `lists an unsafe path "${entry.path}"`);
    const body = files.get(entry.path);
    if (!body) {
      fail(entry.path, 'is listed in the manifest but missing from the ZIP: a file was removed');
      continue;
    }
    const actual = sha256Of(Buffer.from(body));
    if (actual !== entry.sha256) {
      altered.add(entry.path);
      fail(
        entry.path,
        `was altered: its SHA-256 is ${actual}, the manifest says ${entry.sha256}` +
          (body.length !== entry.size ? ` (size ${body.length} bytes, manifest ${entry.size})` : ''),
      );
      continue;
    }
    filesHeld += 1;
  }
  if (filesHeld === manifest.files.length && problems.length === 0) {
    held.push(`all ${manifest.files.length} files match the manifest (SHA-256), and no file was added`);
  }

  // 3. The event chain
  const eventsBytes = files.get(EVENTS_FILE);
  const events: ChainedEvent[] = [];
  let chainOk = false;
  if (!eventsBytes) {
    fail(EVENTS_FILE, 'is missing: the event log is the core of the evidence');
  } else {
    const lines = Buffer.from(eventsBytes).toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    let linesOk = true;
    lines.forEach((line, index) => {
      try {
        const parsed = EventLine.safeParse(JSON.parse(line));
        if (!parsed.success)
          throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        events.push(parsed.data as unknown as ChainedEvent);
      } catch (error) {
        linesOk = false;
        fail(`${EVENTS_FILE} line ${index + 1}`, `is not an event: ${(error as Error).message}`);
      }
    });
    if (linesOk) {
      const chain = verifyChain(events, { cycleId, head: manifest.chainHead });
      if (chain.ok) {
        chainOk = true;
        held.push(
          `the event chain holds: ${chain.count} events of cycle ${cycleId}, head seq ${chain.headSeq} ${chain.headHash}`,
        );
      } else {
        const event = events[Math.min(chain.index, events.length - 1)];
        const place =
          chain.reason === 'wrong-head'
            ? `${EVENTS_FILE} end`
            : `${EVENTS_FILE} line ${chain.index + 1} (seq ${String(event?.seq)}, ${String(event?.type)})`;
        fail(place, chain.message);
      }
    }
  }

  // 3a. Time along the chain: a warning, never a failure, so that bundles written before the
  // stores kept time in order still verify (time-order.ts).
  const backwards = backwardTimesWarning(backwardTimes(events), EVENTS_FILE);
  if (backwards) warnings.push(backwards);

  // 4. Files against what the events recorded
  const bySeq = new Map(events.map((event) => [event.seq, event]));
  let commitments = 0;
  for (const entry of manifest.files) {
    const commitment = entry.committedBy;
    const body = files.get(entry.path);
    if (!commitment || !body || altered.has(entry.path)) continue;
    const event = bySeq.get(commitment.seq);
    const field = (event?.data as Record<string, unknown> | undefined)?.[commitment.field];
    const recorded =
      commitment.item === undefined
        ? field
        : Array.isArray(field)
          ? (field[commitment.item] as { sha256?: unknown } | undefined)?.sha256
          : undefined;
    const place = `${entry.path}`;
    if (!event || event.type !== commitment.type || typeof recorded !== 'string') {
      fail(
        place,
        `the manifest says event seq ${commitment.seq} (${commitment.type}) recorded its hash in ${where(commitment)}, but that event does not`,
      );
      continue;
    }
    const actual =
      commitment.hashOf === 'bytes'
        ? sha256Of(Buffer.from(body))
        : minutesHash(Buffer.from(body).toString('utf8'));
    if (actual !== recorded) {
      fail(
        place,
        `does not match what event seq ${commitment.seq} (${commitment.type}) recorded when it happened: ${where(commitment)} ${recorded}, the file hashes to ${actual}`,
      );
      continue;
    }
    commitments += 1;
  }
  if (commitments > 0)
    held.push(`${commitments} files match the hashes the event log recorded when they were made`);

  // 4a. Raw inbound mail kept at ingest: every message an event names is there (inbound-evidence.ts)
  for (const p of checkInboundEvidence(events, files, held)) fail(p.place, p.message);

  // 4b. Package files against the package's own manifest, written when it was frozen
  for (const [path, body] of files) {
    const match = /^(package\/v\d+)\/manifest\.json$/.exec(path);
    if (!match || !listed.has(path) || altered.has(path)) continue;
    let listing: Record<string, { sha256?: unknown }>;
    try {
      listing = (JSON.parse(Buffer.from(body).toString('utf8')) as { files?: typeof listing }).files ?? {};
    } catch (error) {
      fail(path, `is not JSON: ${(error as Error).message}`);
      continue;
    }
    for (const [name, recorded] of Object.entries(listing)) {
      const copy = files.get(`${match[1]}/${name}`);
      if (!copy || altered.has(`${match[1]}/${name}`)) continue;
      const actual = sha256Of(Buffer.from(copy));
      if (actual !== recorded.sha256) {
        fail(
          `${match[1]}/${name}`,
          `does not match the package's own manifest ${path}, written when the package was frozen: ${String(recorded.sha256)}, the file hashes to ${actual}`,
        );
      }
    }
  }

  // 5. Anchors: the key, the copies in the bundle, then the store
  const key = resolveKey(files, trusted, fail);
  if (key) {
    keyTrust = { fingerprint: key.fingerprint, source: key.source };
    if (key.source === 'bundle') {
      warnings.push(
        `TRUSTED THE KEY IN THE BUNDLE (${ANCHOR_KEY_FILE}), fingerprint ${formatFingerprint(key.fingerprint)}. ` +
          `Anyone who rewrites a bundle can replace that key: compare this fingerprint with ${FINGERPRINT_SOURCES}, ` +
          'or verify again with --key <file.pem or fingerprint>.',
      );
    } else {
      held.push(
        `the anchor signatures were checked with the given key ${formatFingerprint(key.fingerprint)}`,
      );
    }
  }
  const last = events.at(-1)?.seq ?? 0;
  /** Valid signed anchors that hold against this chain, by milestone: the highest seq each. */
  const anchoredMilestones = new Map<string, number>();
  const compare = (anchor: Anchor, where: string, copy: boolean): void => {
    if (anchor.cycleId !== cycleId) {
      fail(where, `is an anchor of cycle ${anchor.cycleId}, not ${cycleId}`);
      return;
    }
    const signature = key ? checkAnchorSignature(anchor, key) : undefined;
    if (signature?.status === 'invalid') {
      fail(
        where,
        `its signature does not hold (${anchor.milestone}, seq ${anchor.head.seq}): the anchor was changed after the anchoring key signed it`,
      );
      return;
    }
    if (signature?.status === 'other-key') {
      fail(
        where,
        `is signed by another key, ${formatFingerprint(signature.fingerprint)}, not the trusted ${formatFingerprint(key!.fingerprint)}`,
      );
      return;
    }
    if (anchor.head.seq > last) {
      if (!copy && Date.parse(anchor.anchoredAt) > Date.parse(manifest.exportedAt)) {
        notes.push(
          `${where} (${anchor.milestone}, seq ${anchor.head.seq}) was written after this export; the bundle ends at seq ${last}, export again to cover it`,
        );
        return;
      }
      fail(
        where,
        `says the chain reached seq ${anchor.head.seq} at ${anchor.milestone} (${anchor.anchoredAt}), but the bundle's log ends at seq ${last}: events were removed`,
      );
      return;
    }
    const hash = anchor.head.seq === 0 ? '0'.repeat(64) : bySeq.get(anchor.head.seq)?.hash;
    if (hash !== anchor.head.hash) {
      fail(
        where,
        `says event seq ${anchor.head.seq} has hash ${anchor.head.hash} (${anchor.milestone}), but in the bundle it has ${String(hash)}: the log was rewritten`,
      );
      return;
    }
    if (signature?.status === 'valid') {
      anchoredMilestones.set(
        anchor.milestone,
        Math.max(anchoredMilestones.get(anchor.milestone) ?? 0, anchor.head.seq),
      );
      held.push(
        `${where}: signed by the anchoring key; event seq ${anchor.head.seq} matches the anchor of ${anchor.milestone}`,
      );
    } else {
      notes.push(
        `${where}: event seq ${anchor.head.seq} matches the anchor of ${anchor.milestone}, but the anchor is not signed${key ? '' : ' (no key to check it with)'}`,
      );
    }
  };
  const copies = [...files.keys()].filter((path) => path.startsWith('anchors/') && listed.has(path)).sort();
  for (const path of copies) {
    try {
      compare(parseAnchor(path, Buffer.from(files.get(path)!)), `copy ${path}`, true);
    } catch (error) {
      fail(path, (error as Error).message);
    }
  }
  if (!anchors) {
    notes.push('the anchors in the evidence bucket were not consulted');
  } else if (anchors.kind === 'unreachable') {
    notes.push(
      `the anchors in the evidence bucket could not be reached (${anchors.reason}); compared with the copies in the bundle only`,
    );
  } else if (anchors.anchors.length === 0) {
    notes.push(`no anchors are stored for cycle ${cycleId} at ${anchors.location}`);
  } else {
    for (const stored of anchors.anchors) {
      const where = `anchor ${stored.key}`;
      if (stored.history && (stored.history.versions > 1 || stored.history.deleteMarkers > 0)) {
        fail(
          where,
          `has ${stored.history.versions} versions and ${stored.history.deleteMarkers} delete marker(s) in ${anchors.location}: an anchor is written once, so it was written over or deleted; the oldest version was compared`,
        );
      }
      if (!stored.history) {
        notes.push(
          `${where}: ${anchors.location} keeps no versions, so it could not be checked that the anchor was never written over`,
        );
      }
      compare(stored.anchor, where, false);
      if (!stored.lock.locked) notes.push(`${where} is not locked: ${stored.lock.note}`);
    }
  }
  if (!chainOk && anchors?.kind === 'stored') {
    notes.push('the anchors were compared with a broken chain; fix the chain findings first');
  }

  // 6. A closed cycle: a valid signed anchor for every milestone its log records
  const closed = manifest.phase === 'CLOSED' || events.some((event) => event.type === 'cycle.closed');
  const missing: string[] = [];
  for (const [milestone, type] of Object.entries(MILESTONE_EVENTS)) {
    const happened = events.find((event) => event.type === type);
    if (!happened) continue;
    const seq = anchoredMilestones.get(milestone);
    if (seq === undefined || seq < happened.seq)
      missing.push(`${milestone} (event seq ${happened.seq}, ${type})`);
  }
  if (missing.length > 0) {
    const what = `no valid signed anchor for ${missing.join(', ')}`;
    if (!closed) {
      notes.push(`${what}; the cycle is still running`);
    } else if (allowUnanchored) {
      warnings.push(
        `UNANCHORED ACCEPTED (--allow-unanchored): ${what}. Without anchors nothing proves the log was not rewritten before export; accept this only for a bundle from an endpoint without Object Lock.`,
      );
    } else {
      fail(
        'anchors/',
        `${what}: a closed cycle must hold a valid signed anchor for every milestone its log records (--allow-unanchored accepts a bundle from an endpoint without Object Lock)`,
      );
    }
  } else if (closed) {
    held.push('every milestone of the closed cycle has a valid signed anchor');
  }

  // 7. The manifest's own signature
  const manifestSig = files.get(MANIFEST_SIG_FILE);
  if (manifestSig) {
    if (!key) {
      notes.push(`${MANIFEST_SIG_FILE} could not be checked: there is no key`);
    } else if (verifySignature(key, manifestBytes, Buffer.from(manifestSig).toString('utf8').trim())) {
      held.push(`${MANIFEST_SIG_FILE}: the manifest is signed by the anchoring key`);
    } else {
      fail(
        MANIFEST_SIG_FILE,
        `does not hold for ${MANIFEST_FILE}: the manifest was changed after it was signed`,
      );
    }
  } else {
    notes.push(`the manifest is not signed (no ${MANIFEST_SIG_FILE}); the anchors carry the signatures`);
  }
  for (const gap of manifest.gaps) notes.push(`not in the bundle: ${gap.path}: ${gap.reason}`);

  return result({
    cycleId,
    head: manifest.chainHead,
    files: manifest.files.length + 1,
    events: events.length,
  });
}

/** The verdict as lines for a person. */
export function formatVerification(result: BundleVerification): string[] {
  const lines: string[] = [];
  lines.push(
    result.ok
      ? `VERIFIED: the evidence bundle of cycle ${result.cycleId ?? '?'} is intact (${result.files} files, ${result.events} events).`
      : `NOT VERIFIED: ${result.problems.length} problem(s) in the evidence bundle${result.cycleId ? ` of cycle ${result.cycleId}` : ''}.`,
  );
  for (const warning of result.warnings) lines.push(`  ! ${warning}`);
  for (const problem of result.problems) lines.push(`  ✗ ${problem.place}: ${problem.message}`);
  for (const line of result.held) lines.push(`  ✓ ${line}`);
  for (const note of result.notes) lines.push(`  - ${note}`);
  return lines;
}

const where = (commitment: NonNullable<ManifestEntry['committedBy']>): string =>
  commitment.item === undefined ? commitment.field : `${commitment.field}[${commitment.item}].sha256`;

/** The key to check signatures with: the given one (against the bundle's), else the bundle's. */
function resolveKey(
  files: ReadonlyMap<string, Uint8Array>,
  trusted: TrustedKey | undefined,
  fail: (place: string, message: string) => void,
): (AnchorKey & { source: KeyTrust['source'] }) | undefined {
  const pem = files.get(ANCHOR_KEY_FILE);
  let embedded: AnchorKey | undefined;
  if (pem) {
    try {
      embedded = anchorKeyFromPem(Buffer.from(pem).toString('utf8'), ANCHOR_KEY_FILE);
    } catch (error) {
      fail(ANCHOR_KEY_FILE, (error as Error).message);
    }
  }
  if (!trusted) return embedded ? { ...embedded, source: 'bundle' } : undefined;
  if ('pem' in trusted) {
    let given: AnchorKey;
    try {
      given = anchorKeyFromPem(trusted.pem, trusted.source ?? 'the given key');
    } catch (error) {
      fail('--key', (error as Error).message);
      return undefined;
    }
    if (embedded && embedded.fingerprint !== given.fingerprint) {
      fail(
        ANCHOR_KEY_FILE,
        `is the key ${formatFingerprint(embedded.fingerprint)}, not the trusted ${formatFingerprint(given.fingerprint)}: the bundle was signed by another key`,
      );
    }
    return { ...given, source: 'given' };
  }
  const fingerprint = parseFingerprint(trusted.fingerprint);
  if (!fingerprint) {
    fail(
      '--key',
      `"${trusted.fingerprint}" is not a key fingerprint (64 hex characters, optionally SHA256:…)`,
    );
    return undefined;
  }
  if (!embedded) {
    fail(
      ANCHOR_KEY_FILE,
      `is missing, so the fingerprint ${formatFingerprint(fingerprint)} cannot be checked; give the public key itself: --key <file.pem>`,
    );
    return undefined;
  }
  if (embedded.fingerprint !== fingerprint) {
    fail(
      ANCHOR_KEY_FILE,
      `is the key ${formatFingerprint(embedded.fingerprint)}, not the trusted ${formatFingerprint(fingerprint)}: the bundle was signed by another key`,
    );
    return undefined;
  }
  return { ...embedded, source: 'given' };
}
