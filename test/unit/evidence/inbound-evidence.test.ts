/**
 * Inbound mail kept as evidence: the key layout by server message id and content hash, the
 * write-once store (the AWS path's 412 through a mocked S3 client, memory for the logic), and the
 * bundle check that fails on a gap in the raw mail or a changed message.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import {
  checkInboundEvidence,
  inboundMessagePath,
  keptRawMessage,
  type ReceivedEvent,
} from '#shared/evidence/inbound-evidence.ts';
import { keepRawMessage } from '#shared/ingest/raw-evidence.ts';
import { BlobConflict, InvalidBlobKey, MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';
import {
  attachmentEvidenceKey,
  InvalidInboundKey,
  rawMessageEvidenceKey,
  serverMessageIdOf,
} from '#shared/store/inbound-keys.ts';

const CYCLE = 'C-20261001T0800Z-Q';
const RAW = Buffer.from('From: a@example.com\r\nSubject: x\r\n\r\nhello\r\n');

describe('where inbound evidence is kept', () => {
  it('refuses a raw key without a message id, or a hash that is not a SHA-256', () => {
    for (const bad of [
      '',
      'inbound/',
      'inbound/..',
      'inbound/a b',
      `inbound/${'x'.repeat(201)}`,
      'inbound/.hidden',
    ]) {
      expect(() => serverMessageIdOf(bad), bad).toThrow(InvalidInboundKey);
    }
    expect(() => attachmentEvidenceKey(CYCLE, 'inbound/m1', 'ABC')).toThrow('is not a SHA-256');
  });

  it('keys by the server message id and the content hash, never by the sender Message-ID', () => {
    const hash = sha256Of(Buffer.from('csv'));
    expect(serverMessageIdOf('inbound/o3vrnil0e2ic28tr')).toBe('o3vrnil0e2ic28tr');
    expect(rawMessageEvidenceKey(CYCLE, 'inbound/o3vrnil0e2ic28tr')).toBe(
      `cycles/${CYCLE}/inbound/o3vrnil0e2ic28tr/message.eml`,
    );
    expect(attachmentEvidenceKey(CYCLE, 'inbound/o3vrnil0e2ic28tr', hash)).toBe(
      `cycles/${CYCLE}/inbound/o3vrnil0e2ic28tr/${hash}`,
    );
  });
});

describe('write-once storage', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const store = () => new S3BlobStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'evidence' });
  // The part of a response body the store reads.
  const body = (bytes: Buffer) =>
    ({ Body: { transformToByteArray: async () => new Uint8Array(bytes) } }) as never;
  const taken = () =>
    Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });

  it('refuses a bad key before any request', async () => {
    await expect(store().putIfAbsent('../x', RAW, 'message/rfc822')).rejects.toBeInstanceOf(InvalidBlobKey);
    await expect(new MemoryBlobStore().putIfAbsent('/x', RAW, 'text/plain')).rejects.toBeInstanceOf(
      InvalidBlobKey,
    );
    expect(s3.calls()).toHaveLength(0);
  });

  it('on S3, sends If-None-Match: * and takes a 412 with the same bytes as already there', async () => {
    s3.on(PutObjectCommand).rejects(taken());
    s3.on(GetObjectCommand).resolves(body(RAW));
    await expect(
      store().putIfAbsent('cycles/c/inbound/m1/message.eml', RAW, 'message/rfc822'),
    ).resolves.toEqual({
      sha256: sha256Of(RAW),
      size: RAW.length,
      created: false,
    });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      IfNoneMatch: '*',
      ChecksumSHA256: Buffer.from(sha256Of(RAW), 'hex').toString('base64'),
    });
  });

  it('on S3, a 412 over other bytes is a conflict, and any other failure passes on', async () => {
    s3.on(PutObjectCommand).rejects(taken());
    s3.on(GetObjectCommand).resolves(body(Buffer.from('something else')));
    await expect(
      store().putIfAbsent('cycles/c/inbound/m1/message.eml', RAW, 'message/rfc822'),
    ).rejects.toThrow(BlobConflict);
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(
      store().putIfAbsent('cycles/c/inbound/m1/message.eml', RAW, 'message/rfc822'),
    ).rejects.toThrow('denied');
  });

  it('on S3, a new key is created', async () => {
    s3.on(PutObjectCommand).resolves({});
    await expect(
      store().putIfAbsent('cycles/c/inbound/m1/message.eml', RAW, 'message/rfc822'),
    ).resolves.toEqual({
      sha256: sha256Of(RAW),
      size: RAW.length,
      created: true,
    });
  });

  it('keeps the first bytes and never overwrites them (memory)', async () => {
    const blobs = new MemoryBlobStore();
    expect((await blobs.putIfAbsent('k/x', RAW, 'message/rfc822')).created).toBe(true);
    expect((await blobs.putIfAbsent('k/x', RAW, 'message/rfc822')).created).toBe(false);
    await expect(blobs.putIfAbsent('k/x', Buffer.from('other'), 'message/rfc822')).rejects.toThrow(
      'already holds other bytes',
    );
    expect(await blobs.get('k/x')).toEqual(RAW);
  });

  it('keeps a raw message under the cycle and its server message id', async () => {
    const blobs = new MemoryBlobStore();
    const kept = await keepRawMessage(blobs, { cycleId: CYCLE, rawS3Key: 'inbound/m1', raw: RAW });
    expect(kept).toEqual({ evidenceKey: `cycles/${CYCLE}/inbound/m1/message.eml`, sha256: sha256Of(RAW) });
    expect(blobs.contentTypeOf(kept.evidenceKey)).toBe('message/rfc822');
    await expect(
      keepRawMessage(blobs, { cycleId: CYCLE, rawS3Key: 'inbound', raw: RAW }),
    ).resolves.toMatchObject({
      evidenceKey: `cycles/${CYCLE}/inbound/inbound/message.eml`,
    });
  });
});

describe('raw mail in the bundle', () => {
  const received = (seq: number, data: Record<string, unknown>): ReceivedEvent => ({
    seq,
    type: 'mail.received',
    data: { rawS3Key: `inbound/m${seq}`, rawSha256: sha256Of(RAW), ...data },
  });
  const kept = (seq: number) => received(seq, { evidenceKey: `cycles/${CYCLE}/inbound/m${seq}/message.eml` });

  it('fails on a missing raw message an event names: a gap in the raw mail', () => {
    const held: string[] = [];
    const problems = checkInboundEvidence([kept(3)], new Map(), held);
    expect(problems).toEqual([
      {
        place: 'mail/inbound/0003-m3.eml',
        message: expect.stringContaining(
          'is missing: event seq 3 (mail.received) recorded the raw message kept at',
        ),
      },
    ]);
    expect(problems[0]!.message).toContain('a gap in the raw mail');
    expect(held).toEqual([]);
  });

  it('fails on a message whose bytes changed, and on an event without the hash it needs', () => {
    const files = new Map([['mail/inbound/0003-m3.eml', new Uint8Array(Buffer.from('rewritten'))]]);
    expect(checkInboundEvidence([kept(3)], files, [])[0]!.message).toMatch(
      /does not match .* the file hashes to/,
    );
    const noHash = received(4, { evidenceKey: 'cycles/c/inbound/m4/message.eml', rawSha256: undefined });
    expect(checkInboundEvidence([noHash], new Map(), [])[0]!.message).toContain('cannot be checked');
  });

  it('holds when every kept message is there with its hash; older events without a copy are not required', () => {
    const held: string[] = [];
    const files = new Map([['mail/inbound/0003-m3.eml', new Uint8Array(RAW)]]);
    const older = received(5, {});
    const other: ReceivedEvent = { seq: 6, type: 'input.submitted', data: { evidenceKey: 'x' } };
    expect(checkInboundEvidence([kept(3), older, other], files, held)).toEqual([]);
    expect(held).toEqual([
      'all 1 raw messages received for the cycle are in the bundle with the hash their event recorded',
    ]);
  });

  it('exports from the locked copy when the event names one, else from the raw mail bucket', () => {
    const evidence = new MemoryBlobStore();
    const rawMail = new MemoryBlobStore();
    expect(keptRawMessage({ evidence, rawMail }, kept(3), 'inbound/m3')).toEqual({
      store: evidence,
      key: `cycles/${CYCLE}/inbound/m3/message.eml`,
    });
    expect(keptRawMessage({ evidence, rawMail }, received(5, {}), 'inbound/m5')).toEqual({
      store: rawMail,
      key: 'inbound/m5',
    });
    expect(inboundMessagePath(kept(12))).toBe('mail/inbound/0012-m12.eml');
    expect(inboundMessagePath({ seq: 1, type: 'input.submitted', data: {} })).toBeUndefined();
  });
});
