/**
 * Held mail (released in process and through the ingest function's release request), exactly-once
 * receipts, the newer answer winning by receipt time, and the daily caps of a reply address, against
 * DynamoDB Local, the local S3 and the local SES.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { ingestHandler, InvalidIngestEvent } from '#functions/ingest-email.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { FixedClock } from '#shared/clock.ts';
import {
  HeldMailAlreadyReleased,
  HeldMailNotFound,
  InvalidRelease,
  ReleaseNotRecorded,
  listHeldMail,
  releaseHeldMail,
  sendHeldMailDigest,
} from '#shared/ingest/held.ts';
import { ingest, type IngestDeps } from '#shared/ingest/pipeline.ts';
import { ReleaseAnswer } from '#shared/ingest/release.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { heldMailId } from '#shared/store/held-mail.ts';
import { Wiring, type Parts } from '#shared/wiring/wiring.ts';
import { localStack } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { fixture, issueToken, NOW, PASS, snapshot, world, type World } from './support.ts';

// The handler's logger and metrics read these when they are made, as the modules load.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
});

const DMARC_FAIL: SesVerdicts = {
  ...PASS,
  spfVerdict: { status: 'FAIL' },
  dkimVerdict: { status: 'GRAY' },
  dmarcVerdict: { status: 'FAIL' },
};

/** The corpus's Gmail reply, from `from`, to the reply address of `token`, with its own Message-ID. */
function reply(w: World, token: string, from: string, messageId: string): Buffer {
  const raw = fixture('gmail-top-posted-input.eml', {
    '{{reply_token}}': token,
    'priya.shah@example.com': from,
  }).toString('latin1');
  return Buffer.from(
    raw.replace(/^Message-ID: .*$/im, `Message-ID: <${messageId}@mail.example.com>`),
    'latin1',
  );
}

async function heldFrom(w: World, from: string, key: string, messageId: string) {
  const token = await issueToken(w, 'auditor');
  const raw = reply(w, token, from, messageId);
  await w.deps.evidence.put(key, raw, 'message/rfc822');
  const result = await ingest(w.deps, {
    raw,
    rawS3Key: key,
    envelope: { mailFrom: from, rcptTo: [] },
    sesVerdicts: DMARC_FAIL,
    receivedAt: NOW.toISOString(),
  });
  expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
  return result.heldId!;
}

const releaseDeps = (w: World) => ({ ...w.deps, rawMail: w.deps.evidence });

describe('held mail: release', () => {
  it('refuses an unknown id, a bad releaser, and a second release', async () => {
    const w = await world();
    const deps = releaseDeps(w);
    await expect(
      releaseHeldMail(deps, { id: heldMailId(NOW.toISOString(), 'f'.repeat(64)), by: 'alice' }),
    ).rejects.toBeInstanceOf(HeldMailNotFound);
    await expect(releaseHeldMail(deps, { id: 'not-an-id', by: 'alice' })).rejects.toBeInstanceOf(
      HeldMailNotFound,
    );
    const id = await heldFrom(w, w.email('auditor'), 'inbound/held-1', 'held-1');
    await expect(releaseHeldMail(deps, { id, by: 'alice; drop' })).rejects.toBeInstanceOf(InvalidRelease);
    await releaseHeldMail(deps, { id, by: 'alice' });
    await expect(releaseHeldMail(deps, { id, by: 'alice' })).rejects.toBeInstanceOf(HeldMailAlreadyReleased);
  });

  it('keeps a message held once however often it is delivered, outside the chain, and lists it', async () => {
    const w = await world();
    const before = await snapshot(w);
    const id = await heldFrom(w, w.email('auditor'), 'inbound/held-2', 'held-2');
    const token = await issueToken(w, 'auditor');
    const again = await ingest(w.deps, {
      raw: reply(w, token, w.email('auditor'), 'held-2'),
      rawS3Key: 'inbound/held-2-again',
      sesVerdicts: DMARC_FAIL,
      receivedAt: new Date(NOW.getTime() + 60_000).toISOString(),
    });
    expect(again).toMatchObject({ outcome: 'held', heldId: id });
    expect(await snapshot(w)).toEqual(before);
    expect((await w.repo.listEvents(w.cycle.id)).map((e) => e.type)).toEqual(['cycle.opened']);
    const listed = await listHeldMail({ repo: w.repo, clock: w.deps.clock }, { days: 7 });
    expect(listed.map((h) => h.id)).toEqual([id]);
    expect(listed[0]).toMatchObject({
      status: 'held',
      from: w.email('auditor'),
      cycleId: w.cycle.id,
      rawS3Key: 'inbound/held-2',
      reason: expect.stringContaining('failed DMARC'),
    });
    // Released ones are listed only on request.
    await releaseHeldMail(releaseDeps(w), { id, by: 'alice' });
    expect(await listHeldMail({ repo: w.repo, clock: w.deps.clock }, { days: 7 })).toEqual([]);
    expect(
      (await listHeldMail({ repo: w.repo, clock: w.deps.clock }, { days: 7, status: 'all' })).map(
        (h) => h.status,
      ),
    ).toEqual(['released']);
  });

  it('records a released message as if it had just arrived, and logs the release after its receipt', async () => {
    const w = await world();
    const id = await heldFrom(w, w.email('auditor'), 'inbound/held-3', 'held-3');
    const { held, result } = await releaseHeldMail(releaseDeps(w), { id, by: 'alice' });
    expect(result).toMatchObject({ outcome: 'accepted', answer: 'sent', cycleId: w.cycle.id });
    expect(held).toMatchObject({
      status: 'released',
      releasedBy: 'alice',
      releaseOutcome: expect.stringContaining('accepted'),
    });
    expect(await w.repo.listSubmissions(w.cycle.id, 'd1')).toHaveLength(1);
    const events = await w.repo.listEvents(w.cycle.id);
    expect(events.map((e) => e.type)).toEqual([
      'cycle.opened',
      'input.submitted',
      'mail.received',
      'mail.released',
    ]);
    expect(events[2]!.data).toMatchObject({ releasedHeldId: id, outcome: 'accepted' });
    expect(events[3]).toMatchObject({ actor: 'alice', data: { heldId: id, outcome: 'accepted' } });
  });

  it('leaves a message from someone who is not the recipient or a delegate held', async () => {
    const w = await world();
    const id = await heldFrom(w, w.email('cto'), 'inbound/held-4', 'held-4');
    await expect(releaseHeldMail(releaseDeps(w), { id, by: 'alice' })).rejects.toBeInstanceOf(
      ReleaseNotRecorded,
    );
    expect(await w.repo.getHeldMessage(id)).toMatchObject({ status: 'held' });
    expect(await w.repo.listSubmissions(w.cycle.id, 'd1')).toEqual([]);
  });
});

describe('held mail: the release request the web function sends the ingest function', () => {
  const context = { functionName: 'ingest-email', awsRequestId: 'r-1' } as Context;
  /** functions/ingest-email.ts's handler on the world's parts (the raw mail is in its evidence bucket). */
  const handlerOn = (w: World) => {
    const wiring = new Wiring({
      overrides: {
        repo: w.repo,
        clock: w.deps.clock,
        workflow: w.workflow,
        notifier: w.deps.notifier as Parts['notifier'],
        outbox: w.deps.outbox as Parts['outbox'],
        evidence: w.deps.evidence,
        rawMail: w.deps.evidence,
        replyKey: w.deps.replyKey,
        ingestSettings: w.deps.settings,
      },
    });
    const handler = ingestHandler(() => wiring);
    return (event: unknown) => handler(event, context) as Promise<unknown>;
  };

  it('refuses a request that does not read before touching anything, then releases once; a second release is a typed refusal', async () => {
    const w = await world();
    const invoke = handlerOn(w);
    const id = await heldFrom(w, w.email('auditor'), 'inbound/held-r1', 'held-r1');
    const before = await snapshot(w);
    await expect(invoke({ kind: 'release-held-mail', heldId: id, by: 'alice; drop' })).rejects.toThrow(
      InvalidIngestEvent,
    );
    await expect(
      invoke({ kind: 'release-held-mail', heldId: 'inbound/held-r1', by: 'alice' }),
    ).rejects.toThrow(/heldId: is not a held message id/);
    expect(await snapshot(w)).toEqual(before);
    expect(
      await invoke({
        kind: 'release-held-mail',
        heldId: heldMailId(NOW.toISOString(), 'f'.repeat(64)),
        by: 'alice',
      }),
    ).toMatchObject({
      released: false,
      refusal: { name: 'HeldMailNotFound' },
    });

    const first = ReleaseAnswer.parse(await invoke({ kind: 'release-held-mail', heldId: id, by: 'alice' }));
    expect(first).toMatchObject({
      released: true,
      held: { id, status: 'released', releasedBy: 'alice' },
      result: { outcome: 'accepted', answer: 'sent', cycleId: w.cycle.id },
    });
    expect(await w.repo.listSubmissions(w.cycle.id, 'd1')).toHaveLength(1);
    expect((await w.repo.listEvents(w.cycle.id)).map((e) => e.type)).toEqual([
      'cycle.opened',
      'input.submitted',
      'mail.received',
      'mail.released',
    ]);

    const second = ReleaseAnswer.parse(await invoke({ kind: 'release-held-mail', heldId: id, by: 'alice' }));
    expect(second).toEqual({
      released: false,
      refusal: {
        name: 'HeldMailAlreadyReleased',
        message: expect.stringContaining(`held message ${id} was released already`),
      },
    });
    expect(await w.repo.listSubmissions(w.cycle.id, 'd1')).toHaveLength(1);
  });

  it('answers a message that still cannot be recorded with ReleaseNotRecorded, leaving it held', async () => {
    const w = await world();
    const id = await heldFrom(w, w.email('cto'), 'inbound/held-r2', 'held-r2');
    const answer = ReleaseAnswer.parse(
      await handlerOn(w)({ kind: 'release-held-mail', heldId: id, by: 'alice' }),
    );
    expect(answer).toMatchObject({ released: false, refusal: { name: 'ReleaseNotRecorded' } });
    expect(await w.repo.getHeldMessage(id)).toMatchObject({ status: 'held' });
  });
});

describe('held mail: the daily digest to the ISMS manager', () => {
  it('sends nothing when nothing is held, then once a day, to the ISMS manager only', async () => {
    const w = await world();
    const mailer = SesMailer.fromEnv();
    const deps = { repo: w.repo, mailer, clock: w.deps.clock };
    expect(await sendHeldMailDigest(deps, w.programme)).toEqual({ sent: false, why: 'nothing held' });
    const id = await heldFrom(w, w.email('cto'), 'inbound/held-5', 'held-5');
    const digest = await sendHeldMailDigest(deps, w.programme);
    expect(digest).toMatchObject({ sent: true, count: 1 });
    expect(await sendHeldMailDigest(deps, w.programme)).toEqual({ sent: false, why: 'already sent today' });
    const manager = w.email(w.programme.roles.ismsManager);
    const [mail, ...more] = await listSentMail(localStack().endpoints.ses, {
      to: manager,
      subjectIncludes: 'Held mail',
    });
    expect(more).toEqual([]);
    expect(mail!.to).toEqual([manager]);
    expect(mail!.text).toContain(`isms-review mail release ${id}`);
    expect(mail!.text).toContain(w.email('cto'));
    // The next day, it is sent again while the message is still held.
    const tomorrow = { ...deps, clock: new FixedClock(new Date(NOW.getTime() + 86_400_000)) };
    expect(await sendHeldMailDigest(tomorrow, w.programme)).toMatchObject({ sent: true, count: 1 });
  });
});

describe('exactly once, in the right order', () => {
  it('a crash before the receipt is recorded loses neither the answer nor the event on retry', async () => {
    const w = await world();
    const token = await issueToken(w, 'auditor');
    const raw = reply(w, token, w.email('auditor'), 'retry-1');
    let failures = 1;
    const crashing = new Proxy(w.repo, {
      get(target, property, receiver) {
        if (property === 'recordMessageReceived' && failures > 0) {
          return async () => {
            failures -= 1;
            throw new Error('the process died here');
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const request = { raw, rawS3Key: 'inbound/retry-1', sesVerdicts: PASS, receivedAt: NOW.toISOString() };
    await expect(ingest({ ...w.deps, repo: crashing } as IngestDeps, request)).rejects.toThrow('died here');
    expect(await w.outboxStore.listSent(w.cycle.id)).toHaveLength(1);
    const retried = await ingest(w.deps, request);
    expect(retried).toMatchObject({ outcome: 'accepted', answer: 'already-sent' });
    const again = await ingest(w.deps, request);
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'duplicate' });
    expect(await w.outboxStore.listSent(w.cycle.id)).toHaveLength(1);
    expect(await w.repo.listSubmissions(w.cycle.id, 'd1')).toHaveLength(1);
    expect((await w.repo.listEvents(w.cycle.id)).map((e) => e.type)).toEqual([
      'cycle.opened',
      'input.submitted',
      'mail.received',
    ]);
  });

  it('a newer answer wins by receipt time, not by the order the messages are processed', async () => {
    const w = await world();
    const token = await issueToken(w, 'auditor');
    const later = await ingest(w.deps, {
      raw: reply(w, token, w.email('auditor'), 'newer'),
      rawS3Key: 'inbound/newer',
      sesVerdicts: PASS,
      receivedAt: '2026-10-06T07:50:00.000Z',
    });
    const earlier = await ingest(w.deps, {
      raw: reply(w, token, w.email('auditor'), 'older'),
      rawS3Key: 'inbound/older',
      sesVerdicts: PASS,
      receivedAt: '2026-10-06T07:40:00.000Z',
    });
    expect([later.outcome, earlier.outcome]).toEqual(['accepted', 'accepted']);
    const submissions = await w.repo.listSubmissions(w.cycle.id, 'd1');
    expect(submissions).toHaveLength(2);
    const newer = submissions.find(
      (s) => s.source.channel === 'email' && s.source.messageId.includes('newer'),
    )!;
    const older = submissions.find(
      (s) => s.source.channel === 'email' && s.source.messageId.includes('older'),
    )!;
    expect((await w.repo.getInputRequest(w.cycle.id, 'd1'))!.submissionId).toBe(newer.id);
    expect(older.supersedes).toBeUndefined();
    const olderEvent = (await w.repo.listEvents(w.cycle.id)).find(
      (e) => e.type === 'input.submitted' && e.data.submissionId === older.id,
    );
    expect(olderEvent!.data).toMatchObject({ supersededBy: newer.id });
  });
});

describe('flood containment: daily caps per reply address', () => {
  it('rejects, to the owner only, what passes the messages or bytes cap of the day', async () => {
    const w = await world();
    const capped: IngestDeps = {
      ...w.deps,
      settings: { ...w.deps.settings, dailyMessagesPerReplyAddress: 2 },
    };
    const token = await issueToken(w, 'auditor');
    const outcomes: string[] = [];
    for (const n of [1, 2, 3]) {
      const result = await ingest(capped, {
        raw: reply(w, token, w.email('auditor'), `cap-${n}`),
        rawS3Key: `inbound/cap-${n}`,
        sesVerdicts: PASS,
        receivedAt: NOW.toISOString(),
      });
      outcomes.push(result.outcome);
      if (n === 3) {
        expect(result.reason).toContain('already taken 2 messages today');
        expect(result.answer).toBe('sent');
      }
    }
    expect(outcomes).toEqual(['accepted', 'accepted', 'rejected']);
    const sent = await w.outboxStore.listSent(w.cycle.id);
    expect(sent.every((s) => s.recipients.join() === w.email('auditor'))).toBe(true);
    // The next day the address takes messages again.
    const nextDay = await ingest(
      { ...capped, clock: new FixedClock(new Date(NOW.getTime() + 86_400_000)) },
      {
        raw: reply(w, token, w.email('auditor'), 'cap-4'),
        rawS3Key: 'inbound/cap-4',
        sesVerdicts: PASS,
        receivedAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
      },
    );
    expect(nextDay.outcome).toBe('accepted');

    const bytes = await ingest(
      { ...w.deps, settings: { ...w.deps.settings, dailyBytesPerReplyAddress: 1000 } },
      {
        raw: reply(w, await issueToken(w, 'auditor'), w.email('auditor'), 'big'),
        rawS3Key: 'inbound/big',
        sesVerdicts: PASS,
        receivedAt: NOW.toISOString(),
      },
    );
    expect(bytes).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('MB today') });
  });
});

describe('the receipt and quota store', () => {
  it('marks a message seen with its event atomically, once', async () => {
    const w = await world();
    const event = { type: 'mail.received', at: NOW.toISOString(), actor: 'system', data: { n: 1 } };
    await expect(
      w.repo.recordMessageReceived('  ', { at: NOW.toISOString() }, { cycleId: w.cycle.id, event }),
    ).rejects.toThrow('is empty');
    expect(await w.repo.messageSeen('<m-1@example.com>')).toBe(false);
    const first = await w.repo.recordMessageReceived(
      '<m-1@example.com>',
      { at: NOW.toISOString() },
      { cycleId: w.cycle.id, event },
    );
    expect(first.first).toBe(true);
    expect(first.event).toMatchObject({ seq: 2, type: 'mail.received' });
    expect(await w.repo.messageSeen('m-1@example.com')).toBe(true);
    const second = await w.repo.recordMessageReceived(
      '<m-1@example.com>',
      { at: NOW.toISOString() },
      { cycleId: w.cycle.id, event },
    );
    expect(second).toEqual({ first: false });
    expect((await w.repo.listEvents(w.cycle.id)).map((e) => e.type)).toEqual([
      'cycle.opened',
      'mail.received',
    ]);
  });

  it('never lets a daily quota pass its limit, even with concurrent takers', async () => {
    const w = await world();
    await expect(w.repo.consumeDailyQuota('bad scope!', '2026-10-06', 1, 5)).rejects.toThrow();
    expect(await w.repo.consumeDailyQuota('q', '2026-10-06', 6, 5)).toBe(false);
    const taken = await Promise.all(
      Array.from({ length: 12 }, () => w.repo.consumeDailyQuota('q', '2026-10-06', 1, 5)),
    );
    expect(taken.filter(Boolean)).toHaveLength(5);
    expect(await w.repo.consumeDailyQuota('q', '2026-10-07', 5, 5)).toBe(true);
  });
});
