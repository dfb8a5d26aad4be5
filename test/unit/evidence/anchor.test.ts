/**
 * Anchors: written once per milestone with the programme's retention; the S3 adapter's lock
 * handling on each answer S3 can give (the happy path on the local S3 runs in the integration test).
 */
import {
  GetObjectCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSigner, newSigningKeyPem } from '#shared/adapters/file-signer.ts';
import { S3AnchorStore } from '#shared/adapters/s3-anchor-store.ts';
import { anchorKeyOf, fingerprintOf } from '#shared/evidence/signer.ts';
import { FixedClock } from '#shared/clock.ts';
import {
  ANCHOR_FORMAT,
  anchorKey,
  anchorMilestone,
  AnchorNotLocked,
  checkAnchorSignature,
  InvalidAnchor,
  MemoryAnchorStore,
  NoRetention,
  parseAnchor,
  signAnchor,
  type SignedAnchor,
} from '#shared/evidence/anchor.ts';
import { canonicalJson } from '#shared/model/canonical-json.ts';
import { aCycle, aProgrammeVersion } from '../model/builders.ts';

const cycle = aCycle({ phase: 'DISTRIBUTED' });
const NOW = new Date('2026-10-24T08:00:00.000Z');
const head = { seq: 9, hash: 'b'.repeat(64) };

function repoWith(document: Record<string, unknown>) {
  return {
    getCycle: async (id: string) => (id === cycle.id ? cycle : undefined),
    getChainHead: async () => head,
    getProgrammeVersion: async () => aProgrammeVersion(1, { document }),
  };
}

const signer = new FileSigner(newSigningKeyPem());
const fingerprint = fingerprintOf(await signer.publicKey());

const anAnchor = (overrides: Partial<SignedAnchor> = {}): SignedAnchor => ({
  format: ANCHOR_FORMAT,
  cycleId: cycle.id,
  programmeId: cycle.programmeId,
  milestone: 'cycle-closed',
  head,
  anchoredAt: NOW.toISOString(),
  retainUntil: '2033-10-24T08:00:00.000Z',
  key: { algorithm: 'ECDSA_P256_SHA256', fingerprint },
  signature: Buffer.alloc(70, 7).toString('base64'),
  ...overrides,
});

describe('anchorMilestone', () => {
  it('writes the signed chain head once per milestone, retained for the programme retention', async () => {
    const anchors = new MemoryAnchorStore();
    const deps = {
      repo: repoWith({ evidence: { retentionDays: 2557 } }),
      clock: new FixedClock(NOW),
      anchors,
      signer,
    };
    const first = await anchorMilestone(deps, cycle.id, 'package-distributed');
    expect(first.status).toBe('written');
    expect(first.stored?.key).toBe(`anchors/${cycle.id}/000009-package-distributed.json`);
    expect(first.stored?.anchor).toMatchObject({
      format: 'isms-review/anchor@2',
      head,
      milestone: 'package-distributed',
      anchoredAt: NOW.toISOString(),
      retainUntil: new Date(NOW.getTime() + 2557 * 86_400_000).toISOString(),
      key: { algorithm: 'ECDSA_P256_SHA256', fingerprint },
    });
    const key = await anchorKeyOf(signer);
    expect(checkAnchorSignature(first.stored!.anchor, key)).toEqual({ status: 'valid' });
    deps.clock.advance(60_000);
    const again = await anchorMilestone(deps, cycle.id, 'package-distributed');
    expect(again.status).toBe('existing');
    expect(again.stored?.anchor.anchoredAt).toBe(NOW.toISOString());
    expect(await anchors.list(cycle.id)).toHaveLength(1);
  });

  it('daily: writes only when the chain moved since the last anchor, once a day', async () => {
    const anchors = new MemoryAnchorStore();
    let current = { seq: 9, hash: 'b'.repeat(64) };
    const repo = { ...repoWith({ evidence: { retentionDays: 400 } }), getChainHead: async () => current };
    const deps = { repo, clock: new FixedClock(NOW), anchors, signer };
    await anchorMilestone(deps, cycle.id, 'cycle-opened');
    expect((await anchorMilestone(deps, cycle.id, 'daily')).status).toBe('unchanged');
    current = { seq: 12, hash: 'c'.repeat(64) };
    const moved = await anchorMilestone(deps, cycle.id, 'daily');
    expect(moved.status).toBe('written');
    expect(moved.stored?.key).toBe(`anchors/${cycle.id}/000012-daily-2026-10-24.json`);
    current = { seq: 13, hash: 'd'.repeat(64) };
    expect((await anchorMilestone(deps, cycle.id, 'daily')).status).toBe('existing');
    deps.clock.advance(86_400_000);
    expect((await anchorMilestone(deps, cycle.id, 'daily')).stored?.key).toBe(
      `anchors/${cycle.id}/000013-daily-2026-10-25.json`,
    );
  });

  it('refuses a programme without a retention, and an unknown cycle', async () => {
    const anchors = new MemoryAnchorStore();
    const clock = new FixedClock(NOW);
    await expect(
      anchorMilestone({ repo: repoWith({}), clock, anchors, signer }, cycle.id, 'cycle-closed'),
    ).rejects.toThrow(NoRetention);
    await expect(
      anchorMilestone({ repo: repoWith({}), clock, anchors, signer }, 'C-20300101T0000Z-Q', 'cycle-closed'),
    ).rejects.toThrow('cycle C-20300101T0000Z-Q does not exist');
  });
});

describe('anchor signatures', () => {
  it('hold for the signed anchor, and fail for a changed field, another key, or no signature', async () => {
    const key = await anchorKeyOf(signer);
    const { signature: _s, ...body } = anAnchor();
    const signed = await signAnchor(body, signer);
    expect(checkAnchorSignature(signed, key)).toEqual({ status: 'valid' });
    const moved = { ...signed, head: { seq: 9, hash: 'e'.repeat(64) } };
    expect(checkAnchorSignature(moved, key)).toEqual({ status: 'invalid' });
    const other = await anchorKeyOf(new FileSigner(newSigningKeyPem()));
    expect(checkAnchorSignature(signed, other)).toEqual({ status: 'other-key', fingerprint });
    const legacy = {
      format: 'isms-review/anchor@1' as const,
      cycleId: cycle.id,
      programmeId: cycle.programmeId,
      milestone: 'cycle-closed' as const,
      head,
      anchoredAt: NOW.toISOString(),
      retainUntil: '2033-10-24T08:00:00.000Z',
    };
    const parsed = parseAnchor(anchorKey(legacy), Buffer.from(JSON.stringify(legacy)));
    expect(checkAnchorSignature(parsed, key)).toEqual({ status: 'unsigned' });
  });

  it('the memory store never overwrites a key, and lists every version written over it', async () => {
    const anchors = new MemoryAnchorStore();
    const { signature: _s, ...body } = anAnchor();
    const first = await anchors.put(await signAnchor(body, signer));
    const second = await anchors.put(
      await signAnchor({ ...body, anchoredAt: '2026-10-24T09:00:00.000Z' }, signer),
    );
    expect(second.body.equals(first.body)).toBe(true);
    anchors.overwrite(first.key, Buffer.from('{}'));
    const [listed] = await anchors.list(cycle.id);
    expect(listed?.history).toEqual({ versions: 2, deleteMarkers: 0 });
    expect(listed?.body.equals(first.body)).toBe(true);
  });
});

describe('parseAnchor', () => {
  it('names the key and the problem for stored bytes that are not an anchor', () => {
    const key = anchorKey(anAnchor());
    expect(() => parseAnchor(key, Buffer.from('{oops'))).toThrow(InvalidAnchor);
    expect(() => parseAnchor(key, Buffer.from('{"format":"x"}'))).toThrow(`${key} is not an anchor: format`);
    const moved = `anchors/${cycle.id}/000001-cycle-closed.json`;
    expect(() => parseAnchor(moved, Buffer.from(JSON.stringify(anAnchor())))).toThrow(
      `${moved} holds the anchor of ${key}; it was moved or copied`,
    );
  });
});

describe('S3AnchorStore', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const store = (requireLock = false) =>
    new S3AnchorStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'evidence', requireLock });
  const notImplemented = () =>
    new S3ServiceException({
      name: 'NotImplemented',
      $fault: 'server',
      $metadata: { httpStatusCode: 501 },
      message: 'A parameter you provided implies functionality that is not implemented',
    });

  it('puts the anchor with Object Lock COMPLIANCE until its retainUntil, and confirms the lock', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2033-10-24T08:00:00.000Z') },
    });
    const stored = await store().put(anAnchor());
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'evidence',
      Key: `anchors/${cycle.id}/000009-cycle-closed.json`,
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date('2033-10-24T08:00:00.000Z'),
      ContentType: 'application/json',
    });
    expect(put.ChecksumSHA256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(put.IfNoneMatch).toBe('*');
    expect(stored.lock).toEqual({ locked: true, note: 'COMPLIANCE mode until 2033-10-24T08:00:00.000Z' });
  });

  it('keeps the anchor and says it is not locked where the endpoint has no Object Lock (the local S3)', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectRetentionCommand).rejects(notImplemented());
    const stored = await store().put(anAnchor());
    expect(stored.lock.locked).toBe(false);
    expect(stored.lock.note).toContain('does not implement Object Lock');
  });

  it('refuses an unlocked anchor when a lock is required (EVIDENCE_REQUIRE_LOCK=true)', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectRetentionCommand).rejects(notImplemented());
    await expect(store(true).put(anAnchor())).rejects.toThrow(AnchorNotLocked);
  });

  it('refuses a weaker lock: GOVERNANCE mode, or a date before the retention', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date('2033-10-24T08:00:00.000Z') },
    });
    await expect(store().put(anAnchor())).rejects.toThrow('its retention mode is GOVERNANCE, not COMPLIANCE');
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2027-01-01T00:00:00.000Z') },
    });
    await expect(store().put(anAnchor())).rejects.toThrow('it is retained until 2027-01-01T00:00:00.000Z');
  });

  it('passes on S3 refusing the put (e.g. a bucket without Object Lock)', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'InvalidRequest',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Bucket is missing Object Lock Configuration',
      }),
    );
    await expect(store().put(anAnchor())).rejects.toThrow('Bucket is missing Object Lock Configuration');
  });

  it('refuses an anchor that is not valid before writing anything', async () => {
    await expect(store().put(anAnchor({ head: { seq: -1, hash: 'x' } }))).rejects.toThrow('anchor');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  /** A response body as the SDK gives it (only what the store reads of it). */
  const body = (text: Buffer) => ({ transformToByteArray: async () => new Uint8Array(text) });
  const preconditionFailed = () =>
    new S3ServiceException({
      name: 'PreconditionFailed',
      $fault: 'client',
      $metadata: { httpStatusCode: 412 },
      message: 'At least one of the pre-conditions you specified did not hold',
    });

  it('412 (the key exists): returns what is stored and writes nothing over it', async () => {
    const existing = anAnchor({ anchoredAt: '2026-10-24T07:00:00.000Z' });
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from(canonicalJson(existing))) } as never);
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2033-10-24T08:00:00.000Z') },
    });
    const stored = await store().put(anAnchor());
    expect(stored.anchor.anchoredAt).toBe('2026-10-24T07:00:00.000Z');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('on the local S3 (emulated), checks with HEAD first and does not put over an existing key', async () => {
    const existing = anAnchor();
    s3.on(HeadObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({ Body: body(Buffer.from(canonicalJson(existing))) } as never);
    s3.on(GetObjectRetentionCommand).rejects(notImplemented());
    const emulated = new S3AnchorStore({
      client: new S3Client({ region: 'eu-west-1' }),
      bucket: 'evidence',
      emulated: true,
    });
    await emulated.put(anAnchor());
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('lists every version: the oldest is the anchor, extra versions and delete markers are counted', async () => {
    const key = anchorKey(anAnchor());
    const original = anAnchor();
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: key, VersionId: 'v2', LastModified: new Date('2026-10-25T00:00:00Z') },
        { Key: key, VersionId: 'v1', LastModified: new Date('2026-10-24T08:00:00Z') },
      ],
      DeleteMarkers: [{ Key: key, VersionId: 'd1' }],
    });
    s3.on(GetObjectCommand, { Bucket: 'evidence', Key: key, VersionId: 'v1' }).resolves({
      Body: body(Buffer.from(canonicalJson(original))),
    } as never);
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2033-10-24T08:00:00.000Z') },
    });
    const [listed] = await store().list(cycle.id);
    expect(listed?.history).toEqual({ versions: 2, deleteMarkers: 1 });
    expect(listed?.anchor).toEqual(original);
  });

  it('a key with only delete markers is an InvalidAnchor', async () => {
    const key = anchorKey(anAnchor());
    s3.on(ListObjectVersionsCommand).resolves({ DeleteMarkers: [{ Key: key, VersionId: 'd1' }] });
    await expect(store().list(cycle.id)).rejects.toThrow(
      /holds only 1 delete marker\(s\): the anchor written there was deleted/,
    );
  });
});
