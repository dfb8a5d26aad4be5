/**
 * Exactly-once sending on the local stack: DynamoDB Local holds the outbox, the local S3 keeps
 * the raw message, the local SES "sends" it and shows it in its mailbox.
 */
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { Outbox, SendInProgress, type SentFields } from '#shared/mail/outbox.ts';
import { inputRequest } from '#shared/mail/templates/input-request.ts';
import { applyLocalEnv, freshBucket, freshTable, localStack, uniqueName } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { inputRequestData } from '#test/unit/mail/samples.ts';

const CYCLE = 'C-20261001T0800Z-Q';

class ProcessDied extends Error {
  override name = 'ProcessDied' as const;
}

/** The function is stopped once, at the given point: after the claim, or after SES accepted. */
class DiesOnce extends DynamoOutboxStore {
  died = false;
  constructor(
    options: ConstructorParameters<typeof DynamoOutboxStore>[0],
    private readonly at: 'after-send' | 'before-send',
  ) {
    super(options);
  }
  override async markSent(cycleId: string, key: string, attempt: number, sent: SentFields): Promise<boolean> {
    if (this.at === 'after-send' && !this.died) {
      this.died = true;
      throw new ProcessDied('stopped after SES accepted the message');
    }
    return super.markSent(cycleId, key, attempt, sent);
  }
  override async release(cycleId: string, key: string, attempt: number, at: string): Promise<void> {
    // A process that died releases nothing.
    if (this.at === 'before-send' && this.died) return;
    return super.release(cycleId, key, attempt, at);
  }
}

async function setup(die?: 'after-send' | 'before-send') {
  applyLocalEnv();
  const table = await freshTable('outbox');
  const { bucket } = await freshBucket('evidence');
  const clock = new FixedClock(new Date('2026-10-01T08:00:00.000Z'));
  const store = die ? new DiesOnce(table, die) : new DynamoOutboxStore(table);
  const blobs = new S3BlobStore({ client: s3ClientFromEnv(), bucket });
  const outbox = new Outbox({ store, mailer: SesMailer.fromEnv(), blobs, clock, leaseMs: 60_000 });
  const owner = `${uniqueName('owner')}@example.org`;
  const from = localStack().env.MAIL_FROM as string;
  const content = inputRequest({ ...inputRequestData(), recipient: { name: 'Carol Risk', email: owner } });
  let crashBeforeSend = die === 'before-send';
  const request = {
    key: 'input-request:carol',
    cycleId: CYCLE,
    purpose: 'input-request',
    recipients: [owner],
    build: async () => {
      if (crashBeforeSend && store instanceof DiesOnce) {
        crashBeforeSend = false;
        store.died = true;
        throw new ProcessDied('stopped before sending');
      }
      return {
        from: { name: 'ISMS review', address: from },
        to: [{ name: 'Carol Risk', address: owner }],
        replyTo: `review+tok3n@${localStack().env.INBOUND_DOMAIN}`,
        subject: content.subject,
        text: content.text,
        html: content.html,
      };
    },
  };
  const mailbox = () => listSentMail(localStack().endpoints.ses, { to: owner });
  return { outbox, blobs, clock, request, mailbox, owner, content };
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

describe('Outbox on the local stack', () => {
  it('sends one mail for two calls with the same key, and keeps one .eml whose SHA-256 matches', async () => {
    const { outbox, blobs, request, mailbox, owner, content } = await setup();

    const first = await outbox.sendOnce(request);
    const second = await outbox.sendOnce(request);

    expect(first.status).toBe('sent');
    expect(second).toEqual({ ...first, status: 'already-sent' });
    const mails = await mailbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.messageId).toBe(first.sesMessageId);
    expect(mails[0]?.to).toEqual([owner]);
    expect(mails[0]?.subject).toBe(content.subject);
    expect(mails[0]?.text).toContain('Friday 16 October 2026, 17:00 UK time');

    const eml = await blobs.get(first.rawKey);
    expect(first.rawKey).toMatch(new RegExp(`^cycles/${CYCLE}/mail/input-request_carol-[0-9a-f]{12}\\.eml$`));
    expect(sha256(eml)).toBe(first.sha256);
    const parsed = await simpleParser(eml);
    expect(parsed.messageId).toBe(first.messageId);
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');

    const sent = await outbox.listSent(CYCLE);
    expect(sent.map((record) => [record.key, record.sesMessageId, record.sha256])).toEqual([
      ['input-request:carol', first.sesMessageId, first.sha256],
    ]);
  });

  it('resends exactly once after a crash between SES accepting and the record saying SENT', async () => {
    const { outbox, blobs, clock, request, mailbox } = await setup('after-send');

    await expect(outbox.sendOnce(request)).rejects.toBeInstanceOf(ProcessDied);
    expect(await mailbox()).toHaveLength(1);
    await expect(outbox.sendOnce(request)).rejects.toBeInstanceOf(SendInProgress);

    clock.advance(60_001);
    const resent = await outbox.sendOnce(request);
    const again = await outbox.sendOnce(request);

    expect(resent.status).toBe('sent');
    expect(again.status).toBe('already-sent');
    const mails = await mailbox();
    expect(mails).toHaveLength(2);
    expect(mails[1]?.messageId).toBe(resent.sesMessageId);
    // The resend carries the same Message-ID, so a mail client that has the first shows it once.
    const eml = await blobs.get(resent.rawKey);
    expect(sha256(eml)).toBe(resent.sha256);
    expect((await simpleParser(eml)).messageId).toBe(resent.messageId);
  });

  it('sends exactly once after a crash between the claim and SES', async () => {
    const { outbox, clock, request, mailbox } = await setup('before-send');

    await expect(outbox.sendOnce(request)).rejects.toBeInstanceOf(ProcessDied);
    expect(await mailbox()).toHaveLength(0);

    clock.advance(60_001);
    expect((await outbox.sendOnce(request)).status).toBe('sent');
    expect((await outbox.sendOnce(request)).status).toBe('already-sent');
    expect(await mailbox()).toHaveLength(1);
  });
});
