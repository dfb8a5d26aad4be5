/**
 * Verifies an evidence bundle (export.ts) from its bytes alone, and against the anchors when
 * they can be read:
 *
 * 1. the ZIP opens and holds a manifest.json of the expected form;
 * 2. every file the manifest lists is there with its SHA-256 and size, and no other file is;
 * 3. events.jsonl is one unbroken hash chain (hash-chain.ts) of the manifest's cycle, ending at
 *    the manifest's chain head;
 * 4. every file whose hash an event recorded when it happened (committedBy) still has that hash;
 * 5. the anchor copies in the bundle, and the anchors in the evidence bucket when given, name
 *    events of this chain with the same hash.
 *
 * Every failure names its place: the file, or the line and seq of the event. An anchor written
 * after the export (the cycle went on) cannot be compared and is noted, not failed.
 */
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { sha256Of } from '../store/blob-store.ts';
import { minutesHash } from '../minutes/record.ts';
import { parseAnchor, type Anchor, type StoredAnchor } from './anchor.ts';
import { EVENTS_FILE, Manifest, MANIFEST_FILE, isSafeBundlePath, type ManifestEntry } from './bundle.ts';
import { verifyChain, type ChainedEvent } from './hash-chain.ts';

export interface BundleProblem {
  /** Where: a file path, `events.jsonl line 7 (seq 7)`, or `anchor <key>`. */
  readonly place: string;
  readonly message: string;
}

export type AnchorCheck =
  | { readonly kind: 'stored'; readonly anchors: readonly StoredAnchor[]; readonly location: string }
  | { readonly kind: 'unreachable'; readonly reason: string };

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
}

const EventLine = z.looseObject({
  cycleId: z.string(),
  seq: z.number(),
  prevHash: z.string(),
  hash: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export function verifyBundle(zip: Uint8Array, anchors?: AnchorCheck): BundleVerification {
  const problems: BundleProblem[] = [];
  const held: string[] = [];
  const notes: string[] = [];
  const fail = (place: string, message: string) => problems.push({ place, message });
  const result = (extra: Partial<BundleVerification> = {}): BundleVerification => ({
    ok: problems.length === 0,
    files: 0,
    events: 0,
    problems,
    held,
    notes,
    ...extra,
  });

  // 1. The ZIP and its manifest
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    fail('the ZIP file', `cannot be opened as a ZIP archive: ${(error as Error).message}`);
    return result();
  }
  const files = new Map(Object.entries(entries).filter(([path]) => !path.endsWith('/')));
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
    if (path === MANIFEST_FILE) continue;
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

  // 4. Files against what the events recorded
  const bySeq = new Map(events.map((event) => [event.seq, event]));
  let commitments = 0;
  for (const entry of manifest.files) {
    const commitment = entry.committedBy;
    const body = files.get(entry.path);
    if (!commitment || !body || altered.has(entry.path)) continue;
    const event = bySeq.get(commitment.seq);
    const recorded = (event?.data as Record<string, unknown> | undefined)?.[commitment.field];
    const place = `${entry.path}`;
    if (!event || event.type !== commitment.type || typeof recorded !== 'string') {
      fail(
        place,
        `the manifest says event seq ${commitment.seq} (${commitment.type}) recorded its hash in ${commitment.field}, but that event does not`,
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
        `does not match what event seq ${commitment.seq} (${commitment.type}) recorded when it happened: ${commitment.field} ${recorded}, the file hashes to ${actual}`,
      );
      continue;
    }
    commitments += 1;
  }
  if (commitments > 0)
    held.push(`${commitments} files match the hashes the event log recorded when they were made`);

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

  // 5. Anchors: the copies in the bundle, then the store
  const compare = (anchor: Anchor, where: string, copy: boolean) => {
    if (anchor.cycleId !== cycleId) {
      fail(where, `is an anchor of cycle ${anchor.cycleId}, not ${cycleId}`);
      return;
    }
    const last = events.at(-1)?.seq ?? 0;
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
    held.push(`${where}: event seq ${anchor.head.seq} matches the anchor of ${anchor.milestone}`);
  };
  for (const [path, body] of files) {
    if (!path.startsWith('anchors/') || !listed.has(path)) continue;
    try {
      compare(parseAnchor(path, Buffer.from(body)), `copy ${path}`, true);
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
      compare(stored.anchor, `anchor ${stored.key}`, false);
      if (!stored.lock.locked) notes.push(`anchor ${stored.key} is not locked: ${stored.lock.note}`);
    }
  }
  if (!chainOk && anchors?.kind === 'stored') {
    notes.push('the anchors were compared with a broken chain; fix the chain findings first');
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
  for (const problem of result.problems) lines.push(`  ✗ ${problem.place}: ${problem.message}`);
  for (const line of result.held) lines.push(`  ✓ ${line}`);
  for (const note of result.notes) lines.push(`  - ${note}`);
  return lines;
}
