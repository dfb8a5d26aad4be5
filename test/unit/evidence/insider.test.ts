/**
 * The insider: someone who can write the table and the evidence bucket, or who holds an exported
 * bundle, rewrites the log of a closed cycle and everything that commits to it, consistently and
 * keeping every file's format, but cannot use the anchoring key. Verification must fail, naming the
 * first anchor that no longer holds. And the other ways a bundle must fail: every anchor removed,
 * another key, two entries with one name, a zip bomb, an attachment swapped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSigner, newSigningKeyPem } from '#shared/adapters/file-signer.ts';
import { anchorMilestone, type AnchorMilestone } from '#shared/evidence/anchor.ts';
import { Manifest } from '#shared/evidence/bundle.ts';
import { canonicalJson, sha256Hex } from '#shared/model/canonical-json.ts';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import { computeEventHash } from '#shared/evidence/hash-chain.ts';
import { anchorKeyOf, formatFingerprint } from '#shared/evidence/signer.ts';
import { formatVerification, verifyBundle } from '#shared/evidence/verify.ts';
import type { CycleEvent, EventDraft } from '#shared/model/event.ts';
import { cli } from '#test/integration/cli/support.ts';
import { aFixture, chainOf, EXPORTED_AT, type Fixture } from './fixture.ts';

type Files = Record<string, Uint8Array>;

const ATTACHMENT = Buffer.from('metric,value\r\nnonconformities,2\r\n');

/**
 * The fixture's cycle carried to CLOSED: its input had a CSV attachment, the minutes were accepted
 * and the cycle closed; each milestone anchored (signed) when it happened, as the workflow does.
 */
async function closedCycle(): Promise<{ fixture: Fixture; zip: Uint8Array }> {
  const fixture = await aFixture();
  const { records } = fixture;
  const submission = records.submissions[0]!;
  const stored = await fixture.evidence.put(
    `cycles/${fixture.cycle.id}/inbound/abc/1-metrics.csv`,
    ATTACHMENT,
    'text/csv',
  );
  Object.assign(submission, {
    attachments: [
      {
        name: 'metrics.csv',
        s3Key: `cycles/${fixture.cycle.id}/inbound/abc/1-metrics.csv`,
        sha256: stored.sha256,
        size: stored.size,
      },
    ],
  });
  const drafts: EventDraft[] = records.events.map(
    ({ cycleId: _c, seq: _s, prevHash: _p, hash: _h, ...draft }) =>
      (draft.type === 'input.submitted'
        ? {
            ...draft,
            data: {
              ...draft.data,
              attachments: [{ name: 'metrics.csv', sha256: stored.sha256, size: stored.size }],
            },
          }
        : draft) as EventDraft,
  );
  drafts.push(
    {
      type: 'minutes.accepted',
      at: '2026-11-05T10:00:00.000Z',
      actor: 'alice',
      data: { version: 1, sourceHash: 'c'.repeat(64) },
    },
    {
      type: 'cycle.closed',
      at: '2026-11-19T10:00:00.000Z',
      actor: 'system',
      data: {},
    },
  );
  const events = chainOf(fixture.cycle.id, drafts);
  Object.assign(records, { cycle: { ...fixture.cycle, phase: 'CLOSED', status: 'closed' } });
  // Anchor each milestone at the head it had when it happened.
  let upTo = 0;
  const repo = {
    getCycle: async () => records.cycle,
    getChainHead: async () => ({ seq: events[upTo - 1]!.seq, hash: events[upTo - 1]!.hash }),
    getProgrammeVersion: async () => fixture.programme,
  };
  const deps = { repo, clock: fixture.clock, anchors: fixture.anchors, signer: fixture.signer };
  const milestones: [number, AnchorMilestone, string][] = [
    [1, 'cycle-opened', '2026-10-01T08:00:05Z'],
    [7, 'package-distributed', '2026-10-24T08:00:05Z'],
    [8, 'minutes-accepted', '2026-11-05T10:00:05Z'],
    [9, 'cycle-closed', '2026-11-19T10:00:05Z'],
  ];
  for (const [seq, milestone, at] of milestones) {
    upTo = seq;
    fixture.clock.set(new Date(at));
    expect((await anchorMilestone(deps, fixture.cycle.id, milestone)).status).toBe('written');
  }
  // Anchoring a milestone again writes nothing.
  expect((await anchorMilestone(deps, fixture.cycle.id, 'cycle-closed')).status).toBe('existing');
  records.events.splice(0, records.events.length, ...events);
  fixture.clock.set(EXPORTED_AT);
  const { zip } = await buildEvidenceBundle(fixture.source, fixture.cycle.id);
  return { fixture, zip };
}

const manifestOf = (files: Files) => Manifest.parse(JSON.parse(strFromU8(files['manifest.json']!)));

/** Rewrites manifest.json for the files given, in the exporter's own format (2-space JSON + LF). */
function rewriteManifest(files: Files, change: (manifest: Manifest) => void = () => {}): void {
  const manifest = manifestOf(files);
  change(manifest);
  for (const entry of manifest.files) {
    const body = files[entry.path];
    if (!body) continue;
    entry.sha256 = sha256Hex(body);
    entry.size = body.length;
  }
  files['manifest.json'] = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
}

let folder: string;
let closed: { fixture: Fixture; zip: Uint8Array };
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'isms-insider-'));
  closed = await closedCycle();
});
afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('a closed cycle as exported', () => {
  it('verifies: every milestone signed, every attachment against its submission event', async () => {
    const result = verifyBundle(closed.zip);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.held).toContain('every milestone of the closed cycle has a valid signed anchor');
    expect(result.held).toContain('manifest.sig: the manifest is signed by the anchoring key');
    const manifest = manifestOf(unzipSync(closed.zip));
    const csv = manifest.files.find((f) => f.path.endsWith('/metrics.csv'))!;
    expect(csv.committedBy).toMatchObject({ type: 'input.submitted', field: 'attachments', item: 0 });
    // Without --key, the trusted key is named loudly, with where to compare it.
    const key = await anchorKeyOf(closed.fixture.signer);
    expect(result.key).toEqual({ fingerprint: key.fingerprint, source: 'bundle' });
    expect(formatVerification(result).join('\n')).toContain(
      `! TRUSTED THE KEY IN THE BUNDLE (anchor-key.pem), fingerprint ${formatFingerprint(key.fingerprint)}`,
    );
    expect(verifyBundle(closed.zip, { key: { pem: key.pem } }).warnings).toEqual([]);
  });
});

describe('the insider rewrite', () => {
  /**
   * Backdates the input.submitted event by one second, recomputes the chain after it, rewrites the
   * head hash of every anchor copy and the manifest consistently, keeping every file's format.
   */
  function rewrite(zip: Uint8Array): Files {
    const files = unzipSync(zip);
    const events = strFromU8(files['events.jsonl']!)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as CycleEvent);
    const target = events.findIndex((e) => e.type === 'input.submitted');
    const at = new Date(Date.parse(events[target]!.at) - 1000).toISOString();
    events[target] = { ...events[target]!, at };
    const oldToNew = new Map<string, string>();
    for (let i = target; i < events.length; i += 1) {
      const { prevHash: _p, hash, ...content } = events[i]!;
      const prevHash = i === 0 ? events[i]!.prevHash : events[i - 1]!.hash;
      const next = computeEventHash(prevHash, content);
      oldToNew.set(hash, next);
      events[i] = { ...events[i]!, prevHash, hash: next };
    }
    files['events.jsonl'] = strToU8(events.map((e) => `${canonicalJson(e)}\n`).join(''));
    for (const path of Object.keys(files).filter((p) => p.startsWith('anchors/'))) {
      const anchor = JSON.parse(strFromU8(files[path]!)) as { head: { hash: string } };
      anchor.head.hash = oldToNew.get(anchor.head.hash) ?? anchor.head.hash;
      files[path] = strToU8(canonicalJson(anchor));
    }
    rewriteManifest(files, (manifest) => {
      manifest.chainHead = { seq: events.at(-1)!.seq, hash: events.at(-1)!.hash };
    });
    // The signature of the manifest cannot be remade without the key: the forger drops it.
    delete files['manifest.sig'];
    return files;
  }

  it('fails offline, naming the first anchor whose signature no longer holds', async () => {
    const files = rewrite(closed.zip);
    const result = verifyBundle(zipSync(files));
    expect(result.ok).toBe(false);
    // The chain and every file hash agree with each other: only the signatures tell.
    expect(result.held.join('\n')).toContain('the event chain holds');
    const anchorProblems = result.problems.filter((p) => p.place.startsWith('copy anchors/'));
    expect(anchorProblems[0]).toEqual({
      place: `copy anchors/${closed.fixture.cycle.id}/000007-package-distributed.json`,
      message: expect.stringContaining('its signature does not hold (package-distributed, seq 7)'),
    });
    expect(anchorProblems).toHaveLength(3);
    // The anchor taken before the rewritten event still holds.
    expect(result.held.join('\n')).toContain('000001-cycle-opened.json: signed by the anchoring key');
    expect(result.problems).toContainEqual({
      place: 'anchors/',
      message: expect.stringContaining('no valid signed anchor for package-distributed'),
    });
  });

  it('fails the same through `isms-review evidence verify --offline`, exit code 1', async () => {
    const path = join(folder, 'rewritten.zip');
    await writeFile(path, zipSync(rewrite(closed.zip)));
    const run = await cli(['evidence', 'verify', path, '--offline'], { env: { ISMS_DATA_DIR: folder } });
    expect(run.code).toBe(1);
    expect(run.out.lines[0]).toMatch(/^NOT VERIFIED/);
    expect(run.out.text()).toContain(
      `✗ copy anchors/${closed.fixture.cycle.id}/000007-package-distributed.json: its signature does not hold`,
    );
  });

  it('re-signed with the insider’s own key: passes only without --key, and fails with it', async () => {
    const files = rewrite(closed.zip);
    const insider = new FileSigner(newSigningKeyPem());
    const insiderKey = await anchorKeyOf(insider);
    for (const path of Object.keys(files).filter((p) => p.startsWith('anchors/'))) {
      const { signature: _s, ...body } = JSON.parse(strFromU8(files[path]!)) as Record<string, unknown> & {
        key: { fingerprint: string };
      };
      body.key = { ...body.key, fingerprint: insiderKey.fingerprint };
      const signature = (await insider.sign(strToU8(canonicalJson(body)))).toString('base64');
      files[path] = strToU8(canonicalJson({ ...body, signature }));
    }
    files['anchor-key.pem'] = strToU8(insiderKey.pem);
    rewriteManifest(files);
    const zip = zipSync(files);
    const trusting = verifyBundle(zip);
    expect(trusting.ok).toBe(true);
    expect(trusting.warnings.join('\n')).toContain(formatFingerprint(insiderKey.fingerprint));
    const real = await anchorKeyOf(closed.fixture.signer);
    for (const key of [{ pem: real.pem }, { fingerprint: formatFingerprint(real.fingerprint) }]) {
      const result = verifyBundle(zip, { key });
      expect(result.ok).toBe(false);
      expect(result.problems).toContainEqual({
        place: 'anchor-key.pem',
        message: expect.stringContaining('the bundle was signed by another key'),
      });
    }
  });
});

describe('a closed cycle without its anchors', () => {
  function withoutAnchors(): Uint8Array {
    const files = unzipSync(closed.zip);
    for (const path of Object.keys(files)) if (path.startsWith('anchors/')) delete files[path];
    rewriteManifest(files, (m) => {
      m.files = m.files.filter((f) => !f.path.startsWith('anchors/'));
    });
    delete files['manifest.sig'];
    return zipSync(files);
  }

  it('fails when every anchor is removed', () => {
    const result = verifyBundle(withoutAnchors());
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        place: 'anchors/',
        message: expect.stringMatching(
          /^no valid signed anchor for cycle-opened .*package-distributed .*minutes-accepted .*cycle-closed .*a closed cycle must hold/,
        ),
      },
    ]);
  });

  it('passes with --allow-unanchored, saying so loudly', async () => {
    const result = verifyBundle(withoutAnchors(), { allowUnanchored: true });
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/^UNANCHORED ACCEPTED \(--allow-unanchored\)/m);
    const path = join(folder, 'unanchored.zip');
    await writeFile(path, withoutAnchors());
    const run = await cli(['evidence', 'verify', path, '--offline', '--allow-unanchored'], {
      env: { ISMS_DATA_DIR: folder },
    });
    expect(run.code).toBe(0);
    expect(run.out.text()).toContain('! UNANCHORED ACCEPTED');
  });
});

describe('ZIPs verify refuses to open', () => {
  it('two entries with the same name', () => {
    const files = unzipSync(closed.zip);
    const good = zipSync({ 'events.jsonl': files['events.jsonl']! });
    const evil = zipSync({ 'events.jsonl': strToU8('{}\n') });
    // Concatenate the two entries under one central directory: fflate would keep the last.
    const joined = joinZips(good, evil);
    expect(Object.keys(unzipSync(joined))).toEqual(['events.jsonl']);
    const result = verifyBundle(joined);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toEqual({
      place: 'the ZIP file',
      message: expect.stringContaining('holds two entries named "events.jsonl"'),
    });
  });

  it('a zip bomb, too many entries, a file too large', () => {
    const bomb = zipSync({ 'events.jsonl': new Uint8Array(8 * 1024 * 1024) }, { level: 9 });
    expect(verifyBundle(bomb).problems[0]!.message).toMatch(/inflates \d+ times .*a zip bomb/);
    const many = zipSync(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, strToU8('x')])));
    expect(verifyBundle(many, { zipLimits: { maxEntries: 20 } }).problems[0]!.message).toContain(
      'holds more than 20 entries',
    );
    expect(verifyBundle(closed.zip, { zipLimits: { maxEntryBytes: 100 } }).problems[0]!.message).toMatch(
      /inflates to \d+ bytes, more than 100 allowed for one file/,
    );
    expect(verifyBundle(closed.zip, { zipLimits: { maxTotalBytes: 1000 } }).problems[0]!.message).toContain(
      'inflates to more than 1000 bytes in all',
    );
  });
});

describe('attachments', () => {
  it('an attachment swapped, the manifest rewritten: the submission event disagrees', () => {
    const files = unzipSync(closed.zip);
    const path = Object.keys(files).find((p) => p.endsWith('/metrics.csv'))!;
    files[path] = strToU8('metric,value\r\nnonconformities,0\r\n');
    rewriteManifest(files);
    delete files['manifest.sig'];
    const result = verifyBundle(zipSync(files));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      {
        place: path,
        message: expect.stringContaining(
          'does not match what event seq 3 (input.submitted) recorded when it happened: attachments[0].sha256',
        ),
      },
    ]);
  });
});

/** Two single-entry ZIPs as one archive with both entries in its central directory. */
function joinZips(a: Uint8Array, b: Uint8Array): Uint8Array {
  const parts = [a, b].map((zip) => {
    const view = Buffer.from(zip);
    const eocd = view.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const cdSize = view.readUInt32LE(eocd + 12);
    const cdOffset = view.readUInt32LE(eocd + 16);
    return {
      local: view.subarray(0, cdOffset),
      central: Buffer.from(view.subarray(cdOffset, cdOffset + cdSize)),
    };
  });
  const [first, second] = parts as [(typeof parts)[0], (typeof parts)[0]];
  // The second entry's local header moves after the first's: fix its offset in the central directory.
  second.central.writeUInt32LE(second.central.readUInt32LE(42) + first.local.length, 42);
  const central = Buffer.concat([first.central, second.central]);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(2, 8);
  eocd.writeUInt16LE(2, 10);
  eocd.writeUInt32LE(central.length, 12);
  eocd.writeUInt32LE(first.local.length + second.local.length, 16);
  return Buffer.concat([first.local, second.local, central, eocd]);
}
