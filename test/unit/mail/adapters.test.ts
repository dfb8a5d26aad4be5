/** Failure paths and request shapes of the SES and S3 adapters; the happy paths run on the emulators. */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MessageRejected, SendRawEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingConfiguration } from '#shared/adapters/dynamodb.ts';
import { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import { MailRejected, MailServiceUnavailable, SesMailer } from '#shared/adapters/ses-mailer.ts';
import { BlobNotFound, InvalidBlobKey, MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';

const ses = mockClient(SESClient);
const s3 = mockClient(S3Client);
afterEach(() => {
  ses.reset();
  s3.reset();
});

const RAW = Buffer.from('From: review@example.org\r\nTo: a@example.org\r\nSubject: x\r\n\r\nbody\r\n');

describe('SesMailer', () => {
  it('turns SES refusing the message into MailRejected', async () => {
    ses
      .on(SendRawEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: {} }));
    const mailer = new SesMailer({ client: new SESClient({ region: 'eu-west-1' }) });
    const error = await mailer.sendRaw(RAW).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailRejected);
    expect((error as Error).message).toContain('Email address is not verified.');
  });

  it('turns throttling or a network failure into MailServiceUnavailable', async () => {
    ses
      .on(SendRawEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));
    const mailer = new SesMailer({ client: new SESClient({ region: 'eu-west-1' }) });
    await expect(mailer.sendRaw(RAW)).rejects.toBeInstanceOf(MailServiceUnavailable);
    ses.on(SendRawEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }));
    await expect(mailer.sendRaw(RAW)).rejects.toBeInstanceOf(MailServiceUnavailable);
  });

  it('treats an answer without a message id as a failure', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: undefined, $metadata: {} });
    const mailer = new SesMailer({ client: new SESClient({ region: 'eu-west-1' }) });
    await expect(mailer.sendRaw(RAW)).rejects.toBeInstanceOf(MailServiceUnavailable);
  });

  it('sends the raw bytes with the configuration set from SES_CONFIGURATION_SET and safe tags', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1', $metadata: {} });
    const mailer = SesMailer.fromEnv(
      { SES_CONFIGURATION_SET: 'isms-review', AWS_REGION: 'eu-west-1' },
      { region: 'eu-west-1' },
    );
    expect(
      await mailer.sendRaw(RAW, { tags: { cycle: 'C-20261001T0800Z-Q', purpose: 'action.A-1:overdue' } }),
    ).toEqual({
      messageId: 'ses-1',
    });
    const input = ses.commandCalls(SendRawEmailCommand)[0]?.args[0].input;
    expect(Buffer.from(input?.RawMessage?.Data as Uint8Array).equals(RAW)).toBe(true);
    expect(input?.ConfigurationSetName).toBe('isms-review');
    expect(input?.Tags).toEqual([
      { Name: 'cycle', Value: 'C-20261001T0800Z-Q' },
      { Name: 'purpose', Value: 'action_A-1_overdue' },
    ]);
  });

  it('sends without a configuration set when none is set, and lets a send name its own', async () => {
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'ses-2', $metadata: {} });
    const mailer = SesMailer.fromEnv({}, { region: 'eu-west-1' });
    await mailer.sendRaw(RAW);
    await mailer.sendRaw(RAW, { configurationSet: 'other' });
    const calls = ses.commandCalls(SendRawEmailCommand).map((call) => call.args[0].input);
    expect(calls[0]?.ConfigurationSetName).toBeUndefined();
    expect(calls[0]?.Tags).toBeUndefined();
    expect(calls[1]?.ConfigurationSetName).toBe('other');
  });
});

describe('S3BlobStore', () => {
  const store = () => new S3BlobStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'evidence' });

  it('refuses keys that are empty, absolute, climb out or hold odd characters', async () => {
    for (const key of ['', '/abs.eml', 'a//b', 'a/../b', './a', 'a b', 'a\nb', 'x'.repeat(1025)]) {
      await expect(store().put(key, RAW, 'message/rfc822')).rejects.toBeInstanceOf(InvalidBlobKey);
      await expect(store().get(key)).rejects.toBeInstanceOf(InvalidBlobKey);
    }
    expect(s3.calls()).toHaveLength(0);
  });

  it('names a missing object BlobNotFound', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    await expect(store().get('cycles/C-1/mail/x.eml')).rejects.toBeInstanceOf(BlobNotFound);
  });

  it('passes other S3 errors on unchanged', async () => {
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await expect(store().put('a.eml', RAW, 'message/rfc822')).rejects.toThrow('Access Denied');
  });

  it('puts with the SHA-256 checksum S3 verifies, and returns it in hex with the size', async () => {
    s3.on(PutObjectCommand).resolves({ $metadata: {} });
    const result = await store().put('cycles/C-20261001T0800Z-Q/mail/x.eml', RAW, 'message/rfc822');
    expect(result).toEqual({ sha256: sha256Of(RAW), size: RAW.length });
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Bucket: 'evidence',
      Key: 'cycles/C-20261001T0800Z-Q/mail/x.eml',
      ContentType: 'message/rfc822',
      ContentLength: RAW.length,
      ChecksumSHA256: Buffer.from(sha256Of(RAW), 'hex').toString('base64'),
    });
  });

  it('needs its bucket named in the environment', () => {
    expect(() => S3BlobStore.fromEnv('EVIDENCE_BUCKET', {})).toThrow(MissingConfiguration);
    expect(
      S3BlobStore.fromEnv('RAW_MAIL_BUCKET', { RAW_MAIL_BUCKET: 'raw', AWS_REGION: 'eu-west-1' }).bucket,
    ).toBe('raw');
  });
});

describe('MemoryBlobStore', () => {
  it('keeps copies, so a caller changing its buffer changes nothing stored', async () => {
    const blobs = new MemoryBlobStore();
    const body = Buffer.from('abc');
    await blobs.put('a.txt', body, 'text/plain');
    body.write('xyz');
    const got = await blobs.get('a.txt');
    expect(got.toString()).toBe('abc');
    got.write('zzz');
    expect((await blobs.get('a.txt')).toString()).toBe('abc');
    await expect(blobs.get('b.txt')).rejects.toBeInstanceOf(BlobNotFound);
  });
});
