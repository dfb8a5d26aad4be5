/**
 * Anchors: written once per milestone with the programme's retention; the S3 adapter's lock
 * handling on each answer S3 can give (the happy path on the local S3 runs in the integration test).
 */
import {
  GetObjectRetentionCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3AnchorStore } from '#shared/adapters/s3-anchor-store.ts';
import { FixedClock } from '#shared/clock.ts';
import {
  ANCHOR_FORMAT,
  anchorKey,
  anchorMilestone,
  AnchorNotLocked,
  InvalidAnchor,
  MemoryAnchorStore,
  NoRetention,
  parseAnchor,
  type Anchor,
} from '#shared/evidence/anchor.ts';
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

const anAnchor = (overrides: Partial<Anchor> = {}): Anchor => ({
  format: ANCHOR_FORMAT,
  cycleId: cycle.id,
  programmeId: cycle.programmeId,
  milestone: 'cycle-closed',
  head,
  anchoredAt: NOW.toISOString(),
  retainUntil: '2033-10-24T08:00:00.000Z',
  ...overrides,
});

describe('anchorMilestone', () => {
  it('writes the chain head once per milestone, retained for the programme retention', async () => {
    const anchors = new MemoryAnchorStore();
    const deps = {
      repo: repoWith({ evidence: { retentionDays: 2557 } }),
      clock: new FixedClock(NOW),
      anchors,
    };
    const first = await anchorMilestone(deps, cycle.id, 'package-distributed');
    expect(first?.key).toBe(`anchors/${cycle.id}/000009-package-distributed.json`);
    expect(first?.anchor).toMatchObject({
      head,
      milestone: 'package-distributed',
      anchoredAt: NOW.toISOString(),
      retainUntil: new Date(NOW.getTime() + 2557 * 86_400_000).toISOString(),
    });
    deps.clock.advance(60_000);
    const again = await anchorMilestone(deps, cycle.id, 'package-distributed');
    expect(again?.anchor.anchoredAt).toBe(NOW.toISOString());
    expect(await anchors.list(cycle.id)).toHaveLength(1);
  });

  it('writes nothing when no anchor store is wired', async () => {
    const deps = { repo: repoWith({ evidence: { retentionDays: 400 } }), clock: new FixedClock(NOW) };
    expect(await anchorMilestone(deps, cycle.id, 'cycle-closed')).toBeUndefined();
  });

  it('refuses a programme without a retention, and an unknown cycle', async () => {
    const anchors = new MemoryAnchorStore();
    const clock = new FixedClock(NOW);
    await expect(
      anchorMilestone({ repo: repoWith({}), clock, anchors }, cycle.id, 'cycle-closed'),
    ).rejects.toThrow(NoRetention);
    await expect(
      anchorMilestone({ repo: repoWith({}), clock, anchors }, 'C-20300101T0000Z-Q', 'cycle-closed'),
    ).rejects.toThrow('cycle C-20300101T0000Z-Q does not exist');
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
});
