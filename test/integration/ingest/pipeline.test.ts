/**
 * The inbound pipeline on the local stack: real .eml files (with real signed reply addresses filled
 * in) through `ingest`, DynamoDB Local holding the cycle, the local SES "sending" the answers.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import { ingest } from '#shared/ingest/pipeline.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { localStack } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { FixedClock } from '#shared/clock.ts';
import { aCycle, anInputRequest, aSubmission } from '#test/unit/model/builders.ts';
import { fixture, issueToken, NOW, PASS, snapshot, world, type World } from './support.ts';

const sent = (w: World) => w.outboxStore.listSent(w.cycle.id);

describe('ingest on the local stack', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('records an input reply, confirms it with what was recorded, and logs the message', async () => {
    const token = await issueToken(w, 'auditor');
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({
      outcome: 'accepted',
      cycleId: w.cycle.id,
      answer: 'sent',
      resumed: false,
    });

    const [submission] = await w.repo.listSubmissions(w.cycle.id, 'd1');
    expect(submission).toMatchObject({
      submitterId: 'auditor',
      kind: 'report',
      source: {
        channel: 'email',
        messageId: '<CAJx8mX0b1Q2r3s4t5u6v7w8x9y0zA1B2C3D4E5F6G7H8@mail.gmail.com>',
        rawS3Key: 'inbound/m1',
      },
      decisionNeeded: expect.stringContaining('contractor time'),
    });
    expect(submission!.metrics).toContainEqual({ name: 'Mean days to close', value: 23.5, unit: 'days' });
    expect((await w.repo.getInputRequest(w.cycle.id, 'd1'))!.status).toBe('SUBMITTED');

    const events = await w.repo.listEvents(w.cycle.id);
    const submitted = events.find((e) => e.type === 'input.submitted')!;
    expect(submitted.data).toMatchObject({
      inputKey: 'd1',
      rawSha256: createHash('sha256').update(raw).digest('hex'),
    });
    expect(events.at(-1)).toMatchObject({
      type: 'mail.received',
      data: { outcome: 'accepted', answer: 'sent' },
    });

    const answers = await sent(w);
    expect(answers.map((a) => a.recipients)).toEqual([[w.email('auditor')]]);
    const [mail] = await listSentMail(localStack().endpoints.ses, { to: w.email('auditor') });
    expect(mail!.subject).toContain('Recorded: your input d1');
    expect(mail!.text).toContain('metric: Mean days to close = 23.5 days');
    expect(mail!.text).toContain(submission!.id);
  });

  it('resumes the workflow once the last input of the cycle is answered', async () => {
    for (const request of await w.repo.listInputRequests(w.cycle.id)) {
      if (request.inputKey === 'd1') continue;
      await w.repo.updateInputRequest({
        ...request,
        status: 'NOT_PROVIDED',
        notProvidedAt: NOW.toISOString(),
      });
    }
    const token = await issueToken(w, 'auditor');
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'accepted', resumed: true });
    expect(w.workflow.calls).toEqual(['task-token-1']);
  });

  it('holds a forged token without an answer and without touching the cycle', async () => {
    const token = await issueToken(w, 'auditor');
    const forged = token.slice(0, -4) + (token.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    const before = await snapshot(w);
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': forged,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result.outcome).toBe('held');
    expect(result.reason).toContain('not one we issued');
    expect(result.answer).toBe('none');
    expect(await w.repo.getHeldMessage(result.heldId!)).toMatchObject({
      status: 'held',
      rawS3Key: 'inbound/m1',
    });
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
  });

  it('rejects an expired token, telling the sender to reply to the latest request', async () => {
    const token = await issueToken(w, 'auditor', { expiresAt: '2026-10-05T00:00:00.000Z' });
    const before = await snapshot(w);
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(result.reason).toMatch(/expired.*latest/);
    expect(await snapshot(w)).toEqual(before);
    const [mail] = await listSentMail(localStack().endpoints.ses, { to: w.email('auditor') });
    expect(mail!.subject).toContain('Not recorded');
    expect(mail!.text).toContain('latest email');
  });

  it('holds a reply from someone who is neither the recipient nor a delegate, and tells them nothing', async () => {
    const token = await issueToken(w, 'auditor');
    const before = await snapshot(w);
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('cto'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(result.reason).toContain('neither them nor a delegate');
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
  });

  it('holds a DMARC failure outside the chain and does not answer the forged sender', async () => {
    const token = await issueToken(w, 'ceo', { purpose: 'minutes' });
    const before = await snapshot(w);
    const raw = fixture('spoofed-chair-dmarc-fail.eml', {
      '{{reply_token}}': token,
      'helen.okafor@example.com': w.email('ceo'),
    });
    const verdicts: SesVerdicts = {
      ...PASS,
      spfVerdict: { status: 'FAIL' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'FAIL' },
    };
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: verdicts,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(result.reason).toContain('DMARC');
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
    expect((await w.repo.listEvents(w.cycle.id)).map((e) => e.type)).not.toContain('mail.received');
    expect(await w.repo.getHeldMessage(result.heldId!)).toMatchObject({ cycleId: w.cycle.id });
  });

  it('rejects a template full of mistakes with every problem named once, and the block to fill in', async () => {
    const v = await world({
      inputs: ['d1', 'd2', 'd4'].map((key) => ({ key, owner: 'auditor' })),
    });
    const token = await issueToken(v, 'auditor');
    const before = await snapshot(v);
    const result = await ingest(v.deps, {
      raw: fixture('wrong-template.eml', {
        '{{reply_token}}': token,
        'priya.shah@example.com': v.email('auditor'),
      }),
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(await snapshot(v)).toEqual(before);
    const [mail] = await listSentMail(localStack().endpoints.ses, { to: v.email('auditor') });
    const text = mail!.text!.replace(/\s+/g, ' ');
    expect(text).not.toMatch(/input (d\d): input \1:/);
    for (const problem of [
      "'period' is missing",
      "'sumary:' is not a field name Fix: Did you mean 'summary:'?",
      'this request did not ask for input d9',
      "'nothing to report' needs a reason",
    ]) {
      expect(text).toContain(problem);
    }
    expect(text).toContain('[input d4] Input d4 period: 2026-07-01 to 2026-09-30');
    expect(text).not.toContain('reply to this email with the block');
  });

  it('answers at most five rejections per sender and UTC day, and still logs every message', async () => {
    const token = await issueToken(w, 'auditor');
    const broken = (n: number, day = '2026-10-06') => ({
      raw: Buffer.from(
        [
          `From: ${w.email('auditor')}`,
          `To: review+${token}@reply.example.com`,
          'Subject: Re: input',
          `Message-ID: <broken-${day}-${n}@mail.example.com>`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'no block here',
          '',
        ].join('\r\n'),
      ),
      rawS3Key: `inbound/broken-${day}-${n}`,
      sesVerdicts: PASS,
      receivedAt: `${day}T08:00:00.000Z`,
    });
    const answers: string[] = [];
    for (let n = 1; n <= 7; n += 1) answers.push((await ingest(w.deps, broken(n))).answer);
    expect(answers).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'capped', 'capped']);
    const nextDay = { ...w.deps, clock: new FixedClock(new Date('2026-10-07T08:00:00.000Z')) };
    expect((await ingest(nextDay, broken(1, '2026-10-07'))).answer).toBe('sent');
    const received = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.type === 'mail.received');
    expect(received.map((e) => e.data.answer)).toEqual([...answers, 'sent']);
    expect(await sent(w)).toHaveLength(6);
  });

  it('ignores an out-of-office reply and a bounce, answering neither', async () => {
    const token = await issueToken(w, 'auditor');
    const before = await snapshot(w);
    const ooo = fixture('exchange-out-of-office.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const bounce = fixture('bounce-postfix-dsn.eml', { '{{reply_token}}': token });
    const first = await ingest(w.deps, {
      raw: ooo,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    const second = await ingest(w.deps, {
      raw: bounce,
      rawS3Key: 'inbound/m2',
      envelope: { mailFrom: '', rcptTo: [`review+${token}@reply.example.com`] },
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(first).toMatchObject({ outcome: 'ignored', answer: 'none' });
    expect(first.reason).toContain('Auto-Submitted');
    expect(second).toMatchObject({ outcome: 'ignored', answer: 'none' });
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
  });

  it('ignores a second delivery of the same message: one record, one answer, one log entry', async () => {
    const token = await issueToken(w, 'auditor');
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const request = { raw, rawS3Key: 'inbound/m1', sesVerdicts: PASS, receivedAt: NOW.toISOString() };
    await ingest(w.deps, request);
    const before = await w.repo.listEvents(w.cycle.id);
    const again = await ingest(w.deps, { ...request, rawS3Key: 'inbound/m1-again' });
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'duplicate', answer: 'none' });
    expect(await w.repo.listSubmissions(w.cycle.id)).toHaveLength(1);
    expect(await w.repo.listEvents(w.cycle.id)).toEqual(before);
    expect(await sent(w)).toHaveLength(1);
  });

  it('ignores bytes that are not an email', async () => {
    const result = await ingest(w.deps, {
      raw: Buffer.from([0, 1, 2, 3, 255, 254]),
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result.outcome).toBe('ignored');
    expect(result.answer).toBe('none');
  });
});

describe('the input request', () => {
  it("groups the owner's inputs in one email, in their time zone, with the block to answer and the last answer", async () => {
    const w = await world();
    const earlier = aCycle(
      { programmeId: 'acme', programme: w.cycle.programme, phase: 'CLOSED', status: 'closed' },
      new Date('2026-07-01T08:00:00.000Z'),
    );
    const earlierRequest = anInputRequest(earlier, 'd1', { ownerId: 'auditor', programmeId: 'acme' });
    await w.repo.createCycle(earlier, [earlierRequest], {
      event: { type: 'cycle.opened', at: earlier.openedAt, actor: 'system', data: {} },
    });
    const last = aSubmission(earlierRequest, new Date('2026-07-08T10:15:00.000Z'), {
      summary: 'Six open, three closed.',
    });
    const owner = w.programme.people.find((p) => p.id === 'auditor')!;
    const requests = (await w.repo.listInputRequests(w.cycle.id)).filter((r) => r.ownerId === 'auditor');
    const send = () =>
      w.deps.notifier.inputRequest({
        cycle: w.cycle,
        programme: w.programme,
        owner,
        requests,
        previous: new Map([['d1', last]]),
      });
    await send();
    await send(); // a retried step sends nothing more

    const mails = await listSentMail(localStack().endpoints.ses, { to: w.email('auditor') });
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toContain('2 inputs needed');
    expect(mail!.replyTo[0]).toMatch(
      /^review\+[a-z2-7]{1,2}\.[a-z2-7]{10}\.[a-z2-7]{16}@reply\.example\.com$/,
    );
    for (const part of [mail!.text!, mail!.html!.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"')]) {
      const flat = part.replace(/\s+/g, ' ');
      expect(flat).toContain('Input d1 (input d1)');
      expect(flat).toContain('Input d3 (input d3)');
      expect(flat).toContain('ISO/IEC 27001:2022 9.3.2 d) 1)');
      expect(flat).toContain('1 July 2026 to 30 September 2026');
      // Times in the owner's zone, named in words.
      expect(flat).toContain('Berlin time');
      expect(flat).toContain('nothing to report');
      expect(flat).toContain('CSV, XLSX or PDF');
      expect(flat).toContain('metric: Open nonconformities = 4');
      expect(flat).toContain('Your last answer: Quarterly management review, 2026-07-29, received');
      expect(flat).toContain('Six open, three closed.');
      expect(flat).toContain('[input d1] Input d1 period: 2026-07-01 to 2026-09-30 summary:');
      expect(flat).toContain('[input d3]');
    }
    // The block to copy is the block alone: the email explains the fields once.
    expect(mail!.text!.match(/How to answer/g)).toHaveLength(1);
  });
});

describe('a reply whose +token part was dropped', () => {
  /** Sends the real input request to the auditor and returns its Message-ID. */
  async function requestSent(w: World): Promise<string> {
    const owner = w.programme.people.find((p) => p.id === 'auditor')!;
    const requests = (await w.repo.listInputRequests(w.cycle.id)).filter((r) => r.ownerId === 'auditor');
    await w.deps.notifier.inputRequest({
      cycle: w.cycle,
      programme: w.programme,
      owner,
      requests,
      previous: new Map(),
    });
    const record = await w.outboxStore.get(w.cycle.id, 'input-request:auditor');
    expect(record?.status).toBe('SENT');
    return record!.messageId!;
  }

  function bareReply(w: World, from: string, inReplyTo: string, n = 1): Buffer {
    return Buffer.from(
      [
        `From: ${from}`,
        'To: ISMS Review <review@reply.example.com>',
        'Subject: RE: Input needed',
        `Message-ID: <bare-${n}@mail.example.com>`,
        `In-Reply-To: ${inReplyTo}`,
        `References: <older@mail.example.com> ${inReplyTo}`,
        'Date: Tue, 6 Oct 2026 09:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        '[input d1] Input d1',
        'period: 2026-07-01 to 2026-09-30',
        'summary: Four open, seven closed.',
        'metric: Nonconformities opened = 5',
        'metric: Nonconformities closed = 7',
        'metric: Nonconformities overdue = 1',
        'metric: Open nonconformities = 4',
        '[end]',
        '',
      ].join('\r\n'),
    );
  }

  it('is tied to the request it answers through In-Reply-To, and recorded', async () => {
    const w = await world();
    const messageId = await requestSent(w);
    const result = await ingest(w.deps, {
      raw: bareReply(w, w.email('auditor'), messageId),
      rawS3Key: 'inbound/bare-1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'accepted', cycleId: w.cycle.id, answer: 'sent' });
    const [submission] = await w.repo.listSubmissions(w.cycle.id, 'd1');
    expect(submission).toMatchObject({
      submitterId: 'auditor',
      source: { messageId: '<bare-1@mail.example.com>' },
    });
  });

  it('still checks the sender: a colleague is held and nothing is recorded', async () => {
    const w = await world();
    const messageId = await requestSent(w);
    const before = await snapshot(w);
    const result = await ingest(w.deps, {
      raw: bareReply(w, w.email('cto'), messageId),
      rawS3Key: 'inbound/bare-1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(result.reason).toContain('neither them nor a delegate');
    expect(await snapshot(w)).toEqual(before);
  });

  it('is held without an answer when In-Reply-To names no request of ours', async () => {
    const w = await world();
    await requestSent(w);
    const before = await snapshot(w);
    const sentBefore = (await w.outboxStore.listSent(w.cycle.id)).length;
    const result = await ingest(w.deps, {
      raw: bareReply(w, w.email('auditor'), '<made-up@isms-review.example.com>'),
      rawS3Key: 'inbound/bare-1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(result.cycleId).toBeUndefined();
    expect(result.reason).toContain('not addressed to a reply address');
    expect(await snapshot(w)).toEqual(before);
    expect(await w.outboxStore.listSent(w.cycle.id)).toHaveLength(sentBefore);
  });

  it('is rejected with an answer when the request it answers has expired', async () => {
    const w = await world();
    const messageId = await requestSent(w);
    const later = { ...w.deps, clock: new FixedClock(new Date('2027-06-01T00:00:00.000Z')) };
    const before = await snapshot(w);
    const result = await ingest(later, {
      raw: bareReply(w, w.email('auditor'), messageId),
      rawS3Key: 'inbound/bare-1',
      sesVerdicts: PASS,
      receivedAt: '2027-06-01T00:00:00.000Z',
    });
    expect(result).toMatchObject({ outcome: 'rejected', cycleId: w.cycle.id, answer: 'sent' });
    expect(result.reason).toMatch(/could be answered until .*latest/);
    expect(await snapshot(w)).toEqual(before);
  });
});

describe('50 concurrent replies', () => {
  it('records every one and resumes the workflow exactly once', async () => {
    const w = await world();
    const owners: Record<string, string[]> = { auditor: ['d1', 'd3'], ciso: ['b', 'f'], alice: ['g'] };
    const tokens = Object.fromEntries(
      await Promise.all(Object.keys(owners).map(async (id) => [id, await issueToken(w, id)] as const)),
    );
    const messages = Array.from({ length: 50 }, (_, n) => {
      const owner = Object.keys(owners)[n % 3]!;
      const key = owners[owner]![n % owners[owner]!.length]!;
      const body = [
        `[input ${key}] Input ${key}`,
        'period: 2026-07-01 to 2026-09-30',
        `summary: answer number ${n}`,
        `metric: Answer = ${n}`,
        // The figures the catalogue requires for the input (shared/catalogue/catalogue.ts).
        ...inputFields(key)
          .fields.filter((field) => field.required)
          .map((field) => `metric: ${field.label} = ${n}`),
        '[end]',
      ].join('\r\n');
      const raw = [
        `From: ${w.email(owner)}`,
        `To: review+${tokens[owner]}@reply.example.com`,
        `Subject: Re: input ${key}`,
        `Message-ID: <reply-${n}@mail.example.com>`,
        'Date: Tue, 6 Oct 2026 09:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
        '',
      ].join('\r\n');
      return {
        raw: Buffer.from(raw),
        rawS3Key: `inbound/r${n}`,
        sesVerdicts: PASS,
        receivedAt: NOW.toISOString(),
      };
    });
    const results = await Promise.all(messages.map((m) => ingest(w.deps, m)));
    expect(results.map((r) => r.outcome)).toEqual(Array(50).fill('accepted'));
    expect(await w.repo.listSubmissions(w.cycle.id)).toHaveLength(50);
    expect(w.workflow.calls).toEqual(['task-token-1']);
    expect(results.filter((r) => r.resumed)).toHaveLength(1);
    const events = await w.repo.listEvents(w.cycle.id);
    expect(events.filter((e) => e.type === 'input.submitted')).toHaveLength(50);
    expect(events.filter((e) => e.type === 'mail.received')).toHaveLength(50);
  }, 120_000);
});
