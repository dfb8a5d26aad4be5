import { describe, it, expect } from 'vitest';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import {
  anchorMilestone,
  signAnchor,
  type SignedAnchor,
  type StoredAnchor,
} from '#shared/evidence/anchor.ts';
import { Manifest } from '#shared/evidence/bundle.ts';
import { canonicalJson, sha256Hex } from '#shared/model/canonical-json.ts';
import { buildEvidenceBundle, CycleNotFoundForExport } from '#shared/evidence/export.ts';
import { computeEventHash, GENESIS_HASH } from '#shared/evidence/hash-chain.ts';
import { formatVerification, verifyBundle, type BundleVerification } from '#shared/evidence/verify.ts';
import { aFixture, EXPORTED_AT, type Fixture } from './fixture.ts';

type Files = Record<string, Uint8Array>;

async function exported(prepare?: (fixture: Fixture) => Promise<void>) {
  const fixture = await aFixture();
  const repo = {
    getCycle: async () => fixture.cycle,
    getChainHead: async () => {
      const last = fixture.records.events.at(-1)!;
      return { seq: last.seq, hash: last.hash };
    },
    getProgrammeVersion: async () => fixture.programme,
  };
  fixture.clock.set(new Date('2026-10-24T08:00:01Z'));
  await anchorMilestone(
    { repo, clock: fixture.clock, anchors: fixture.anchors, signer: fixture.signer },
    fixture.cycle.id,
    'package-distributed',
  );
  await prepare?.(fixture);
  fixture.clock.set(EXPORTED_AT);
  const steps: string[] = [];
  const bundle = await buildEvidenceBundle(fixture.source, fixture.cycle.id, (step) => steps.push(step));
  return { ...bundle, fixture, steps, files: unzipSync(bundle.zip) };
}

const rezip = (files: Files) => zipSync(files);
const manifestOf = (files: Files) => Manifest.parse(JSON.parse(strFromU8(files['manifest.json']!)));

/** Rewrites the manifest entry of `path` to the file's new hash and size (a careful forger). */
function updateManifest(files: Files, path: string): void {
  const manifest = manifestOf(files);
  const body = files[path]!;
  const entry = manifest.files.find((f) => f.path === path)!;
  entry.sha256 = sha256Hex(body);
  entry.size = body.length;
  files['manifest.json'] = strToU8(JSON.stringify(manifest));
}

function eventLines(files: Files): Record<string, unknown>[] {
  return strFromU8(files['events.jsonl']!)
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function setEvents(files: Files, events: readonly Record<string, unknown>[]): void {
  files['events.jsonl'] = strToU8(events.map((e) => `${canonicalJson(e)}\n`).join(''));
}

function expectFailureAt(result: BundleVerification, place: string | RegExp, message: string | RegExp) {
  expect(result.ok).toBe(false);
  expect(result.problems).toContainEqual({
    place: typeof place === 'string' ? place : expect.stringMatching(place),
    message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
  });
  expect(formatVerification(result)[0]).toMatch(/^NOT VERIFIED/);
}

describe('evidence export', () => {
  it('writes every kind of record, a manifest with every hash and a README, and verifies', async () => {
    const { files, manifest, steps, fixture } = await exported();
    const submission = fixture.records.submissions[0]!.id;
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.txt',
        'actions.csv',
        'anchor-key.pem',
        'anchors/C-20261001T0800Z-Q/000007-package-distributed.json',
        'cycle.json',
        'events.jsonl',
        'follow-up/reminders-and-escalations.csv',
        'index/clauses.csv',
        'index/clauses.md',
        // The submission's email is the message received (mail/inbound/), stored once.
        `inputs/d1/${submission}.json`,
        'inputs/requests.csv',
        'inputs/submissions.csv',
        'mail/deliveries.csv',
        'mail/inbound.csv',
        'mail/inbound/0004-abc.eml',
        'mail/outbound.csv',
        'mail/outbound/input-request_auditor.eml',
        'manifest.json',
        'manifest.sig',
        'package/v1/chart-d1.png',
        'package/v1/email.html',
        'package/v1/manifest.json',
        'package/v1/model.json',
        'package/v1/package.html',
        'package/v1/package.pdf',
        'package/v1/package.txt',
        'programme.json',
        'trace.csv',
      ].sort(),
    );
    expect(manifest.files.map((f) => f.path)).not.toContain('manifest.json');
    for (const entry of manifest.files) expect(entry.sha256).toBe(sha256Hex(files[entry.path]!));
    expect(manifest.chainHead.seq).toBe(7);
    expect(manifest.gaps).toEqual([expect.objectContaining({ path: 'minutes/' })]);
    const committed = Object.fromEntries(
      manifest.files.filter((f) => f.committedBy).map((f) => [f.path, f.committedBy!.seq]),
    );
    expect(committed).toMatchObject({
      'package/v1/model.json': 6,
      'mail/outbound/input-request_auditor.eml': 2,
      'mail/inbound/0004-abc.eml': 4,
    });
    expect(steps.at(0)).toContain('reading the records');
    expect(steps.at(-1)).toContain('compressing');

    const result = verifyBundle(rezip(files));
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, cycleId: 'C-20261001T0800Z-Q', events: 7 });
    expect(formatVerification(result)[0]).toMatch(
      /^VERIFIED: the evidence bundle of cycle C-20261001T0800Z-Q is intact/,
    );
  });

  it('explains every file to the auditor and how to verify by hand', async () => {
    const { files, manifest } = await exported();
    const readme = strFromU8(files['README.txt']!);
    for (const entry of manifest.files.filter((f) => f.path !== 'README.txt'))
      expect(readme).toContain(entry.path);
    expect(readme).toContain('SHA-256( prevHash + "\\n" + content )');
    expect(readme).toContain('still running (phase FOLLOW_UP)');
  });

  it('neutralises spreadsheet formulas that a sender wrote', async () => {
    const { files } = await exported();
    expect(strFromU8(files['actions.csv']!)).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('lists what the stores did not hold as gaps, never dropping it silently', async () => {
    const { manifest } = await exported(async (fixture) => {
      // The records name the raw message, but the store no longer holds it.
      (fixture.source as { rawMail: unknown }).rawMail = {
        get: async (key: string) => {
          const { BlobNotFound } = await import('#shared/store/blob-store.ts');
          throw new BlobNotFound(`No file is stored under ${key}`);
        },
      };
    });
    expect(manifest.gaps.map((g) => g.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^inputs\/d1\/S-.*\.eml$/), 'mail/inbound/0004-abc.eml']),
    );
  });

  it('refuses an unknown cycle with a clear message', async () => {
    const fixture = await aFixture();
    await expect(buildEvidenceBundle(fixture.source, 'C-20300101T0000Z-Q')).rejects.toThrow(
      CycleNotFoundForExport,
    );
    await expect(buildEvidenceBundle(fixture.source, 'C-20300101T0000Z-Q')).rejects.toThrow(
      'cycle C-20300101T0000Z-Q does not exist',
    );
  });
});

describe('evidence verify fails on every kind of tampering, naming the place', () => {
  it('a byte altered in the PDF', async () => {
    const { files } = await exported();
    const pdf = files['package/v1/package.pdf']!;
    pdf[3] = pdf[3]! ^ 0x01;
    expectFailureAt(verifyBundle(rezip(files)), 'package/v1/package.pdf', 'was altered: its SHA-256 is');
  });

  it("a byte altered in the PDF with the bundle manifest rewritten: the package's own manifest disagrees", async () => {
    const { files } = await exported();
    const pdf = files['package/v1/package.pdf']!;
    pdf[3] = pdf[3]! ^ 0x01;
    updateManifest(files, 'package/v1/package.pdf');
    expectFailureAt(
      verifyBundle(rezip(files)),
      'package/v1/package.pdf',
      "does not match the package's own manifest package/v1/manifest.json, written when the package was frozen",
    );
  });

  it('the package content altered with the bundle manifest rewritten: the event that froze it disagrees', async () => {
    const { files } = await exported();
    files['package/v1/model.json'] = strToU8(strFromU8(files['package/v1/model.json']!).replace('Two', 'No'));
    updateManifest(files, 'package/v1/model.json');
    expectFailureAt(
      verifyBundle(rezip(files)),
      'package/v1/model.json',
      'does not match what event seq 6 (package.built) recorded when it happened: sha256',
    );
  });

  it('a field of an event altered (manifest rewritten to match)', async () => {
    const { files } = await exported();
    const events = eventLines(files);
    (events[2]!.data as Record<string, unknown>).inputKey = 'd2';
    setEvents(files, events);
    updateManifest(files, 'events.jsonl');
    expectFailureAt(
      verifyBundle(rezip(files)),
      'events.jsonl line 3 (seq 3, input.submitted)',
      'its content does not match its hash; a field was altered',
    );
  });

  it('a field of an event altered without touching the manifest', async () => {
    const { files } = await exported();
    const events = eventLines(files);
    events[1]!.at = '2026-10-01T09:00:00.000Z';
    setEvents(files, events);
    const result = verifyBundle(rezip(files));
    expectFailureAt(result, 'events.jsonl', 'was altered');
    expectFailureAt(result, 'events.jsonl line 2 (seq 2, mail.sent)', 'a field was altered');
  });

  it('an event removed', async () => {
    const { files } = await exported();
    const events = eventLines(files);
    events.splice(4, 1);
    setEvents(files, events);
    updateManifest(files, 'events.jsonl');
    expectFailureAt(
      verifyBundle(rezip(files)),
      'events.jsonl line 5 (seq 6, package.built)',
      'found seq 6 where seq 5 was expected',
    );
  });

  it('the last event removed: the manifest head and the anchor copy both say so', async () => {
    const { files } = await exported();
    setEvents(files, eventLines(files).slice(0, -1));
    updateManifest(files, 'events.jsonl');
    const result = verifyBundle(rezip(files));
    expectFailureAt(result, 'events.jsonl end', 'the anchored head is seq 7');
    expectFailureAt(
      result,
      'copy anchors/C-20261001T0800Z-Q/000007-package-distributed.json',
      "the bundle's log ends at seq 6: events were removed",
    );
  });

  it('two events swapped', async () => {
    const { files } = await exported();
    const events = eventLines(files);
    [events[2], events[3]] = [events[3]!, events[2]!];
    setEvents(files, events);
    updateManifest(files, 'events.jsonl');
    expectFailureAt(
      verifyBundle(rezip(files)),
      'events.jsonl line 3 (seq 4, mail.received)',
      'found seq 4 where seq 3 was expected',
    );
  });

  it('a file added to the ZIP', async () => {
    const { files } = await exported();
    files['package/v1/package-corrected.pdf'] = strToU8('%PDF-1.7 a better package');
    expectFailureAt(
      verifyBundle(rezip(files)),
      'package/v1/package-corrected.pdf',
      'is in the ZIP but not in the manifest: a file was added after export',
    );
  });

  it('a file removed from the ZIP', async () => {
    const { files } = await exported();
    delete files['mail/outbound/input-request_auditor.eml'];
    expectFailureAt(
      verifyBundle(rezip(files)),
      'mail/outbound/input-request_auditor.eml',
      'is listed in the manifest but missing from the ZIP',
    );
  });

  it('the manifest removed, or the file not a ZIP', async () => {
    const { files } = await exported();
    delete files['manifest.json'];
    expectFailureAt(verifyBundle(rezip(files)), 'manifest.json', 'is missing');
    expectFailureAt(
      verifyBundle(strToU8('PK but not really a zip')),
      'the ZIP file',
      'cannot be opened as a ZIP',
    );
    expectFailureAt(verifyBundle(new Uint8Array()), 'the ZIP file', 'cannot be opened as a ZIP');
  });

  it('an event line that is not JSON', async () => {
    const { files } = await exported();
    files['events.jsonl'] = strToU8(strFromU8(files['events.jsonl']!).replace(/\n/, '\n{not json\n'));
    updateManifest(files, 'events.jsonl');
    expectFailureAt(verifyBundle(rezip(files)), 'events.jsonl line 2', 'is not an event');
  });

  it('the whole log rewritten consistently: only the anchors in the bucket catch it', async () => {
    const { files, fixture } = await exported();
    // A forger with full access rewrites event 3 and re-hashes every later event and the manifest,
    // and drops the anchor copy from the bundle.
    const events = eventLines(files);
    (events[2]!.data as Record<string, unknown>).inputKey = 'd9';
    let prevHash = GENESIS_HASH;
    for (const event of events) {
      const { prevHash: _p, hash: _h, ...content } = event;
      event.prevHash = prevHash;
      event.hash = computeEventHash(prevHash, content);
      prevHash = event.hash as string;
    }
    setEvents(files, events);
    const manifest = manifestOf(files);
    const anchorCopy = manifest.files.find((f) => f.path.startsWith('anchors/'))!.path;
    delete files[anchorCopy];
    manifest.files = manifest.files.filter((f) => f.path !== anchorCopy);
    manifest.chainHead = { seq: 7, hash: prevHash };
    files['manifest.json'] = strToU8(JSON.stringify(manifest));
    updateManifest(files, 'events.jsonl');
    // The forger drops the manifest signature they cannot make (the anchors carry the signatures).
    delete files['manifest.sig'];

    const offline = verifyBundle(rezip(files));
    expect(offline.ok).toBe(true); // the cycle is still running: nothing inside the bundle can tell
    expect(offline.notes.join('\n')).toContain('no valid signed anchor for cycle-opened');
    const stored: StoredAnchor[] = await fixture.anchors.list(fixture.cycle.id);
    const result = verifyBundle(rezip(files), { kind: 'stored', anchors: stored, location: 'memory' });
    expectFailureAt(
      result,
      'anchor anchors/C-20261001T0800Z-Q/000007-package-distributed.json',
      'says event seq 7 has hash',
    );
    expect(result.notes).toContain(
      'anchor anchors/C-20261001T0800Z-Q/000007-package-distributed.json is not locked: kept in memory, not locked',
    );
  });
});

describe('evidence verify against the anchors', () => {
  it('passes when the stored anchors match, and says when they could not be reached', async () => {
    const { zip, fixture } = await exported();
    const stored = await fixture.anchors.list(fixture.cycle.id);
    const result = verifyBundle(zip, { kind: 'stored', anchors: stored, location: 'memory' });
    expect(result.ok).toBe(true);
    expect(result.held).toContain(
      'anchor anchors/C-20261001T0800Z-Q/000007-package-distributed.json: signed by the anchoring key; event seq 7 matches the anchor of package-distributed',
    );
    const unreachable = verifyBundle(zip, { kind: 'unreachable', reason: 'no local stack runs' });
    expect(unreachable.ok).toBe(true);
    expect(unreachable.notes).toContain(
      'the anchors in the evidence bucket could not be reached (no local stack runs); compared with the copies in the bundle only',
    );
  });

  it('notes, without failing, an anchor written after the export (the cycle went on)', async () => {
    const { zip, fixture } = await exported();
    const { signature: _signature, ...first } = (await fixture.anchors.list(fixture.cycle.id))[0]!
      .anchor as SignedAnchor;
    const later = await signAnchor(
      {
        ...first,
        milestone: 'cycle-closed' as const,
        head: { seq: 12, hash: 'a'.repeat(64) },
        anchoredAt: '2026-12-01T00:00:00.000Z',
      },
      fixture.signer,
    );
    await fixture.anchors.put(later);
    const result = verifyBundle(zip, {
      kind: 'stored',
      anchors: await fixture.anchors.list(fixture.cycle.id),
      location: 'memory',
    });
    expect(result.ok).toBe(true);
    expect(result.notes.join('\n')).toContain('was written after this export; the bundle ends at seq 7');
  });
});
