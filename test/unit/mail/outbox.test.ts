import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import type { MessageSpec } from '#shared/mail/compose.ts';
import {
  InvalidSendRequest,
  mailBlobKey,
  Outbox,
  OutboxKeyReused,
  RecipientsMismatch,
  SendInProgress,
  type Mailer,
  type SendOptions,
  type SentFields,
  type SentMessage,
} from '#shared/mail/outbox.ts';
import { MemoryOutboxStore } from '#shared/mail/memory-outbox-store.ts';
import { MemoryBlobStore } from '#shared/store/blob-store.ts';

const CYCLE = 'C-20261001T0800Z-Q';

/** Records every message handed to it, like SES would; can be told to fail the next sends. */
class RecordingMailer implements Mailer {
  readonly sent: { raw: Buffer; opts: SendOptions | undefined }[] = [];
  failures: Error[] = [];
  async sendRaw(raw: Buffer, opts?: SendOptions): Promise<{ messageId: string }> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ raw, opts });
    return { messageId: `ses-${this.sent.length}` };
  }
}

class ProcessDied extends Error {
  override name = 'ProcessDied' as const;
}

/** A store whose markSent "dies" once: the process is gone after SES accepted the message. */
class DiesBeforeMarkingSent extends MemoryOutboxStore {
  died = false;
  override async markSent(cycleId: string, key: string, attempt: number, sent: SentFields): Promise<boolean> {
    if (!this.died) {
      this.died = true;
      throw new ProcessDied('the function was stopped');
    }
    return super.markSent(cycleId, key, attempt, sent);
  }
}

function spec(overrides: Partial<MessageSpec> = {}): MessageSpec {
  return {
    from: { name: 'ISMS review', address: 'review@example.org' },
    to: [{ name: 'Carol Risk', address: 'Carol@Example.com' }],
    replyTo: 'in+abc@reply.example.org',
    subject: 'Input needed for the Q4 2026 management review',
    text: 'Please reply with your input.',
    html: '<p>Please reply with your input.</p>',
    ...overrides,
  };
}

function setup(store = new MemoryOutboxStore()) {
  const clock = new FixedClock(new Date('2026-10-01T08:00:00.000Z'));
  const mailer = new RecordingMailer();
  const blobs = new MemoryBlobStore();
  let builds = 0;
  const outbox = new Outbox({
    store,
    mailer,
    blobs,
    clock,
    leaseMs: 60_000,
    configurationSet: 'isms-review',
  });
  const request = (overrides: Record<string, unknown> = {}) => ({
    key: 'input-request:carol',
    cycleId: CYCLE,
    purpose: 'input-request',
    recipients: ['carol@example.com'],
    build: async () => {
      builds += 1;
      return spec();
    },
    ...overrides,
  });
  return { clock, mailer, blobs, store, outbox, request, builds: () => builds };
}

const sha256 = (body: Buffer) => createHash('sha256').update(body).digest('hex');

describe('Outbox.sendOnce', () => {
  it('refuses a request with a bad key, cycle id, purpose or no recipient, sending nothing', async () => {
    const { outbox, mailer, request } = setup();
    for (const bad of [
      { key: '' },
      { key: 'has space' },
      { key: '../../etc/passwd' },
      { cycleId: 'cycle-1' },
      { purpose: 'Input Request!' },
      { recipients: [] },
      { recipients: ['not an address'] },
    ]) {
      await expect(outbox.sendOnce(request(bad))).rejects.toBeInstanceOf(InvalidSendRequest);
    }
    expect(mailer.sent).toHaveLength(0);
  });

  it('refuses a message addressed to other people than the claim says, and lets a correct retry send', async () => {
    const { outbox, mailer, blobs, request } = setup();
    await expect(
      outbox.sendOnce(request({ build: async () => spec({ cc: ['ciso@example.com'] }) })),
    ).rejects.toBeInstanceOf(RecipientsMismatch);
    expect(mailer.sent).toHaveLength(0);
    expect(blobs.keys()).toEqual([]);
    // The failed attempt released its claim: the retry goes ahead at once.
    expect((await outbox.sendOnce(request())).status).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });

  it('refuses to reuse a key for another purpose or other recipients', async () => {
    const { outbox, request } = setup();
    await outbox.sendOnce(request());
    await expect(outbox.sendOnce(request({ purpose: 'input-reminder' }))).rejects.toBeInstanceOf(
      OutboxKeyReused,
    );
    await expect(
      outbox.sendOnce(
        request({ recipients: ['dave@example.com'], build: async () => spec({ to: ['dave@example.com'] }) }),
      ),
    ).rejects.toBeInstanceOf(OutboxKeyReused);
  });

  it('sends, keeps the raw message, and records it as sent', async () => {
    const { outbox, mailer, blobs, store, request } = setup();
    const result = await outbox.sendOnce(request());

    expect(mailer.sent).toHaveLength(1);
    const raw = mailer.sent[0]?.raw as Buffer;
    expect(mailer.sent[0]?.opts).toEqual({
      configurationSet: 'isms-review',
      tags: { cycle: CYCLE, purpose: 'input-request' },
    });
    expect(result).toEqual({
      status: 'sent',
      messageId: expect.stringMatching(/^<[0-9a-f-]{36}@example\.org>$/),
      sesMessageId: 'ses-1',
      rawKey: mailBlobKey(CYCLE, 'input-request:carol'),
      sha256: sha256(raw),
    });
    expect(blobs.keys()).toEqual([result.rawKey]);
    expect(blobs.contentTypeOf(result.rawKey)).toBe('message/rfc822');
    expect(await blobs.get(result.rawKey)).toEqual(raw);

    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(result.messageId);
    expect(parsed.date?.toISOString()).toBe('2026-10-01T08:00:00.000Z');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');

    expect(await store.get(CYCLE, 'input-request:carol')).toMatchObject({
      status: 'SENT',
      attempt: 1,
      recipients: ['carol@example.com'],
      messageId: result.messageId,
      sesMessageId: 'ses-1',
      sha256: result.sha256,
      size: raw.length,
      sentAt: '2026-10-01T08:00:00.000Z',
    });
    expect((await outbox.listSent(CYCLE)).map((sent) => sent.key)).toEqual(['input-request:carol']);
  });

  it('sends nothing the second time and does not even build the message', async () => {
    const { outbox, mailer, request, builds } = setup();
    const first = await outbox.sendOnce(request());
    const second = await outbox.sendOnce(request());
    expect(second).toEqual({ ...first, status: 'already-sent' });
    expect(mailer.sent).toHaveLength(1);
    expect(builds()).toBe(1);
  });

  it('resends exactly once after a crash between SES and the record, with the same Message-ID', async () => {
    const { outbox, mailer, clock, request } = setup(new DiesBeforeMarkingSent());
    await expect(outbox.sendOnce(request())).rejects.toBeInstanceOf(ProcessDied);
    expect(mailer.sent).toHaveLength(1);

    // A retry within the lease might race a slow attempt: it waits.
    clock.advance(30_000);
    await expect(outbox.sendOnce(request())).rejects.toBeInstanceOf(SendInProgress);
    expect(mailer.sent).toHaveLength(1);

    clock.advance(30_001);
    const resent = await outbox.sendOnce(request());
    expect(resent.status).toBe('sent');
    expect(mailer.sent).toHaveLength(2);
    const [first, second] = await Promise.all(mailer.sent.map((sent) => simpleParser(sent.raw)));
    expect(second?.messageId).toBe(first?.messageId);
    expect(resent.sha256).toBe(sha256(mailer.sent[1]?.raw as Buffer));

    expect((await outbox.sendOnce(request())).status).toBe('already-sent');
    expect(mailer.sent).toHaveLength(2);
  });

  it('lets the retry go at once when SES refused the message, and sends it once', async () => {
    const { outbox, mailer, request } = setup();
    mailer.failures.push(
      Object.assign(new Error('Maximum sending rate exceeded'), { name: 'MailServiceUnavailable' }),
    );
    await expect(outbox.sendOnce(request())).rejects.toThrow('Maximum sending rate exceeded');
    expect(mailer.sent).toHaveLength(0);
    expect((await outbox.sendOnce(request())).status).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });

  it('releases the claim when building the message fails', async () => {
    const { outbox, mailer, blobs, request } = setup();
    await expect(
      outbox.sendOnce(
        request({
          build: async () => {
            throw new Error('package not frozen yet');
          },
        }),
      ),
    ).rejects.toThrow('package not frozen yet');
    expect(blobs.keys()).toEqual([]);
    expect((await outbox.sendOnce(request())).status).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });

  it('runs onSent once when it succeeds, and again on the next attempt when it failed, without resending', async () => {
    const { outbox, mailer, request } = setup();
    const calls: SentMessage[] = [];
    let fail = true;
    const onSent = async (sent: SentMessage) => {
      calls.push(sent);
      if (fail) {
        fail = false;
        throw new Error('event log unavailable');
      }
    };
    await expect(outbox.sendOnce(request({ onSent }))).rejects.toThrow('event log unavailable');
    const second = await outbox.sendOnce(request({ onSent }));
    const third = await outbox.sendOnce(request({ onSent }));

    expect(mailer.sent).toHaveLength(1);
    expect(second.status).toBe('already-sent');
    expect(third.status).toBe('already-sent');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(calls[0]);
    expect(calls[0]).toMatchObject({
      cycleId: CYCLE,
      key: 'input-request:carol',
      purpose: 'input-request',
      recipients: ['carol@example.com'],
      sesMessageId: 'ses-1',
      attempt: 1,
      sentAt: '2026-10-01T08:00:00.000Z',
    });
  });

  it('calls onSent exactly once on the happy path', async () => {
    const { outbox, request } = setup();
    let calls = 0;
    const onSent = async () => {
      calls += 1;
    };
    await outbox.sendOnce(request({ onSent }));
    await outbox.sendOnce(request({ onSent }));
    expect(calls).toBe(1);
  });

  it('sends once when two attempts race', async () => {
    const { outbox, mailer, request } = setup();
    const results = await Promise.allSettled([outbox.sendOnce(request()), outbox.sendOnce(request())]);
    expect(mailer.sent).toHaveLength(1);
    const statuses = results.map((result) =>
      result.status === 'fulfilled' ? result.value.status : (result.reason as Error).name,
    );
    expect(statuses.sort()).toEqual(['SendInProgress', 'sent']);
  });
});

describe('mailBlobKey', () => {
  it('keeps a safe key as it is', () => {
    expect(mailBlobKey(CYCLE, 'package.v1')).toBe(`cycles/${CYCLE}/mail/package.v1.eml`);
  });

  it('replaces unsafe characters and keeps keys that would meet apart', () => {
    const colon = mailBlobKey(CYCLE, 'action:A-1');
    const underscore = mailBlobKey(CYCLE, 'action_A-1');
    expect(colon).toMatch(new RegExp(`^cycles/${CYCLE}/mail/action_A-1-[0-9a-f]{12}\\.eml$`));
    expect(underscore).toBe(`cycles/${CYCLE}/mail/action_A-1.eml`);
    expect(colon).not.toBe(underscore);
    expect(mailBlobKey(CYCLE, 'a#b')).not.toBe(mailBlobKey(CYCLE, 'a:b'));
  });
});

describe('sendAll', () => {
  const dave = (overrides: Record<string, unknown> = {}) => ({
    key: 'input-request:dave',
    cycleId: CYCLE,
    purpose: 'input-request',
    recipients: ['dave@example.com'],
    build: async () => spec({ to: [{ name: 'Dave', address: 'dave@example.com' }] }),
    ...overrides,
  });

  it('refuses the same message twice in one batch, sending nothing', async () => {
    const { outbox, request, mailer, store } = setup();
    await expect(outbox.sendAll([request(), request()])).rejects.toBeInstanceOf(InvalidSendRequest);
    expect(mailer.sent).toHaveLength(0);
    expect(await store.get(CYCLE, 'input-request:carol')).toBeUndefined();
  });

  it('sends each message once and records each as sent', async () => {
    const { outbox, request, mailer, store } = setup();
    const results = await outbox.sendAll([request(), dave()]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(mailer.sent).toHaveLength(2);
    for (const key of ['input-request:carol', 'input-request:dave']) {
      expect((await store.get(CYCLE, key))?.status).toBe('SENT');
    }
    // Asked again (a retried step): found sent, nothing sent twice.
    const again = await outbox.sendAll([request(), dave()]);
    expect(again.map((r) => r.status)).toEqual(['already-sent', 'already-sent']);
    expect(mailer.sent).toHaveLength(2);
  });

  it('records the messages sent before a failing send, gives back the rest, and throws', async () => {
    const { outbox, request, mailer, store } = setup();
    const third = dave({ key: 'input-request:erin' });
    mailer.failures = [];
    const refusing = {
      sendRaw: async (raw: Buffer, opts?: SendOptions) => {
        if (mailer.sent.length === 1) throw new Error('SES refused the message');
        return mailer.sendRaw(raw, opts);
      },
    };
    const failing = new Outbox({
      store,
      mailer: refusing,
      blobs: new MemoryBlobStore(),
      clock: new FixedClock(new Date('2026-10-01T08:00:00.000Z')),
    });
    await expect(failing.sendAll([request(), dave(), third])).rejects.toThrow('SES refused the message');
    expect((await store.get(CYCLE, 'input-request:carol'))?.status).toBe('SENT');
    const given = await store.get(CYCLE, 'input-request:dave');
    expect(given?.status).toBe('PENDING');
    expect(given?.leaseUntil).toBe('2026-10-01T08:00:00.000Z');
    // The next attempt sends the two not sent, and not the first again.
    const retried = await outbox.sendAll([request(), dave(), third]);
    expect(retried.map((r) => r.status)).toEqual(['already-sent', 'sent', 'sent']);
    expect(mailer.sent).toHaveLength(3);
  });
});
