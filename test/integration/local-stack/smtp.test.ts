import { connect } from 'node:net';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtp, type InboundMail, type RunningSmtp } from '#infra/local/emulators/smtp.ts';
import { CLOCK_ENV_VAR, FixedClock } from '#shared/clock.ts';
import { freshBucket, localStack, s3Client, uniqueName } from '#test/support/local-stack.ts';

const running: RunningSmtp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function smtpWith(options: Omit<Parameters<typeof startSmtp>[0], 's3' | 'bucket'>) {
  const { client, bucket } = await freshBucket('inbound');
  const server = await startSmtp({ ...options, s3: client, bucket });
  running.push(server);
  return { server, client, bucket };
}

function transport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

async function storedKeys(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'inbound/' }));
  return (listed.Contents ?? []).map((object) => object.Key as string);
}

async function read(client: S3Client, bucket: string, key: string): Promise<string> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray()).toString('utf8');
}

/** A bare SMTP conversation (no SIZE parameter), returning every reply line. */
async function converse(port: number, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const replies: string[] = [];
    let buffer = '';
    let next = 0;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        replies.push(line);
        if (/^\d{3} /.test(line)) {
          if (next < lines.length) socket.write(`${lines[next++]}\r\n`);
          else socket.end();
        }
      }
    });
    socket.on('close', () => resolve(replies));
  });
}

describe('local inbound SMTP', () => {
  it('answers 552 to a message over the size limit, stores nothing and calls nothing', async () => {
    const calls: InboundMail[] = [];
    const { server, client, bucket } = await smtpWith({
      maxMessageBytes: 2000,
      onInbound: (mail) => void calls.push(mail),
    });
    const big = 'x'.repeat(70) + '\r\n';
    const replies = await converse(server.port, [
      'EHLO tester',
      'MAIL FROM:<owner@example.org>',
      'RCPT TO:<in@reply.example.org>',
      'DATA',
      `Subject: big\r\n\r\n${big.repeat(60)}.`,
      'QUIT',
    ]);
    expect(replies.some((line) => line.startsWith('552 '))).toBe(true);
    // nodemailer announces the size with MAIL FROM ... SIZE=: refused before the data is sent.
    const announced = transport(server.port).sendMail({
      from: 'owner@example.org',
      to: 'in@reply.example.org',
      subject: 'big',
      text: big.repeat(60),
    });
    await expect(announced).rejects.toMatchObject({ responseCode: 552 });
    expect(calls).toEqual([]);
    expect(await storedKeys(client, bucket)).toEqual([]);
  });

  it('answers 451 when processing fails, keeps the raw message, and accepts the retry', async () => {
    let failing = true;
    const calls: InboundMail[] = [];
    const { server, client, bucket } = await smtpWith({
      onInbound: (mail) => {
        calls.push(mail);
        if (failing) throw new Error('ingest is down');
      },
    });
    const message = {
      from: 'Risk Owner <owner@example.org>',
      to: 'in+abc@reply.example.org',
      subject: 'Re: your input (f)',
      text: 'Risk treatment plan on track.',
      messageId: '<retry-1@example.org>',
    };
    await expect(transport(server.port).sendMail(message)).rejects.toMatchObject({ responseCode: 451 });
    const afterFailure = await storedKeys(client, bucket);
    expect(afterFailure).toHaveLength(1);
    expect(await read(client, bucket, afterFailure[0] as string)).toContain('Risk treatment plan on track.');

    failing = false;
    const retried = await transport(server.port).sendMail(message);
    expect(retried.response).toMatch(/^250 /);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.raw.toString('utf8')).toContain('Message-ID: <retry-1@example.org>');
    expect(await storedKeys(client, bucket)).toHaveLength(2);
  });

  it('stores each message under inbound/<uuid> and hands its place, bytes, envelope and time to the callback', async () => {
    const clock = new FixedClock(new Date('2025-03-30T00:59:59.000Z'));
    const calls: InboundMail[] = [];
    const { server, client, bucket } = await smtpWith({
      clock,
      onInbound: async (mail) => void calls.push(mail),
    });
    await transport(server.port).sendMail({
      envelope: { from: 'bounce@example.org', to: ['in+a@reply.example.org', 'in+b@reply.example.org'] },
      from: 'CISO <ciso@example.org>',
      to: 'in+a@reply.example.org',
      subject: 'Input d2 — Überwachung',
      text: 'Nothing to report: reason.',
    });
    expect(calls).toHaveLength(1);
    const [mail] = calls as [InboundMail];
    expect(mail.bucket).toBe(bucket);
    expect(mail.key).toMatch(/^inbound\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(mail.envelope).toEqual({
      mailFrom: 'bounce@example.org',
      rcptTo: ['in+a@reply.example.org', 'in+b@reply.example.org'],
    });
    expect(mail.receivedAt).toBe('2025-03-30T00:59:59.000Z');
    expect(await read(client, bucket, mail.key)).toBe(mail.raw.toString('utf8'));
    expect(mail.raw.toString('utf8')).toContain('Nothing to report: reason.');
  });

  it('stamps a message with the simulated time the local runtime publishes (ISMS_CLOCK), not the wall clock', async () => {
    // A replay of the cycle in 2030 at one simulated day per second, as `npm start` and the demo run it.
    const simulatedAnchorMs = Date.parse('2030-06-01T09:00:00.000Z');
    const previous = process.env[CLOCK_ENV_VAR];
    process.env[CLOCK_ENV_VAR] = JSON.stringify({
      speed: 86_400,
      realAnchorMs: Date.now(),
      simulatedAnchorMs,
    });
    try {
      const calls: InboundMail[] = [];
      const { server } = await smtpWith({ onInbound: async (mail) => void calls.push(mail) });
      await transport(server.port).sendMail({
        from: 'ciso@example.org',
        to: 'in+a@reply.example.org',
        subject: 'Re: input b',
        text: 'Nothing to report: reason.',
      });
      const receivedAt = Date.parse(calls[0]!.receivedAt);
      expect(receivedAt).toBeGreaterThanOrEqual(simulatedAnchorMs);
      // Seconds of real time are days here; a wall-clock stamp would be years before the anchor.
      expect(receivedAt - simulatedAnchorMs).toBeLessThan(60 * 86_400_000);
    } finally {
      if (previous === undefined) delete process.env[CLOCK_ENV_VAR];
      else process.env[CLOCK_ENV_VAR] = previous;
    }
  });

  it('the stack SMTP server stores inbound mail in the raw mail bucket', async () => {
    const { smtp, buckets } = localStack();
    const subject = uniqueName('stack-inbound');
    await transport(smtp.port).sendMail({
      from: 'owner@example.org',
      to: 'in@reply.example.org',
      subject,
      text: 'hello',
    });
    const s3 = s3Client();
    const keys = await storedKeys(s3, buckets.rawMail);
    const bodies = await Promise.all(keys.map((key) => read(s3, buckets.rawMail, key)));
    expect(bodies.filter((body) => body.includes(`Subject: ${subject}`))).toHaveLength(1);
  });
});
