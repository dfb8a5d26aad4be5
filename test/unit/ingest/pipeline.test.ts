/**
 * The inbound mail pipeline in memory, on replies to the very requests the cycle sent: an owner's
 * answer is recorded and confirmed; a second delivery of it changes nothing; a reply address we
 * never issued, or one that has expired, is held or answered as the pipeline decides; a forged
 * sender is held and told nothing; and the reply that completes the inputs resumes the workflow
 * exactly once, even when the last two arrive together.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { awaitPeople } from '#shared/cycle/service.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { InvalidIngestRequest } from '#shared/ingest/pipeline.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { memoryWorld, PASS, type MemoryWorld } from '#test/support/memory-world.ts';
import { answer, answerBlock } from '#test/unit/cycle/support.ts';

/** The auditor's input request, and a reply answering its input d1. */
async function auditorReply(w: MemoryWorld, options: Parameters<MemoryWorld['replyTo']>[3] = {}) {
  const request = w.oneMail('auditor', 'inputs needed');
  const d1 = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
  const body = `Hello,\n\nhere is our audit input.\n\n${answerBlock(d1, 'Four nonconformities open, down from seven.')}\n\nHannah`;
  return w.replyTo(request, 'auditor', body, options);
}

/** What a message may change in the cycle: its records and its log (mail events aside). */
async function snapshot(w: MemoryWorld) {
  const records = (await w.repo.getCycleRecords(w.cycleId))!;
  return {
    phase: records.cycle.phase,
    submissions: records.submissions.map((s) => s.id),
    requests: records.inputRequests.map((r) => `${r.inputKey}:${r.status}`),
    events: records.events.map((e) => e.type),
  };
}

describe('the inbound pipeline', () => {
  it('refuses a malformed request, and ignores bytes that are not an email', async () => {
    const w = await memoryWorld();
    const before = await snapshot(w);
    const valid = await auditorReply(w);
    await expect(w.deliver({ ...valid, receivedAt: 'yesterday' })).rejects.toBeInstanceOf(
      InvalidIngestRequest,
    );
    await expect(
      w.deliver({ ...valid, raw: valid.raw.toString('utf8') as unknown as Buffer }),
    ).rejects.toThrow(/raw must be the message bytes/);
    const garbage = await w.deliver({
      ...valid,
      raw: Buffer.from([0, 1, 2, 3, 255, 254]),
      rawS3Key: 'inbound/x',
    });
    expect(garbage).toMatchObject({ outcome: 'ignored', answer: 'none' });
    const fromless = Buffer.from('To: review@reply.example.com\r\nSubject: hi\r\n\r\nhello\r\n');
    expect(await w.deliver({ ...valid, raw: fromless, rawS3Key: 'inbound/y' })).toMatchObject({
      outcome: 'ignored',
    });
    expect(await snapshot(w)).toEqual(before);
    expect(w.mailer.sent).toHaveLength(5); // the requests, nothing more
  });

  it("records an owner's answer, confirms it with what was recorded, and keeps the message", async () => {
    const w = await memoryWorld();
    const reply = await auditorReply(w);
    const result = await w.deliver(reply);
    expect(result).toMatchObject({
      outcome: 'accepted',
      cycleId: w.cycleId,
      purpose: 'inputs',
      answer: 'sent',
      resumed: false,
    });

    const [submission] = await w.repo.listSubmissions(w.cycleId, 'd1');
    expect(submission).toMatchObject({
      submitterId: 'auditor',
      kind: 'report',
      summary: 'Four nonconformities open, down from seven.',
      metrics: [
        { name: 'Open items', value: 4 },
        { name: 'Nonconformities opened', value: 1 },
        { name: 'Nonconformities closed', value: 2 },
        { name: 'Nonconformities overdue', value: 3 },
      ],
      source: { channel: 'email', messageId: result.messageId, rawS3Key: reply.rawS3Key },
    });
    expect(await w.repo.getInputRequest(w.cycleId, 'd1')).toMatchObject({
      status: 'SUBMITTED',
      submissionId: submission!.id,
    });
    expect((await w.repo.getInputRequest(w.cycleId, 'd3'))!.status).toBe('REQUESTED');

    const events = await w.repo.listEvents(w.cycleId);
    const [submitted, received] = events.slice(-2);
    expect(submitted).toMatchObject({
      type: 'input.submitted',
      actor: 'auditor',
      data: { inputKey: 'd1', submissionId: submission!.id },
    });
    expect(submitted!.data.rawSha256).toBe(createHash('sha256').update(reply.raw).digest('hex'));
    expect(received).toMatchObject({
      type: 'mail.received',
      actor: 'auditor',
      data: { outcome: 'accepted', answer: 'sent', purpose: 'inputs', rawS3Key: reply.rawS3Key },
    });
    // The raw message is kept in the evidence bucket, as received.
    expect((await w.evidence.get(String(received!.data.evidenceKey))).equals(reply.raw)).toBe(true);
    expect(verifyChain(events, { head: await w.repo.getChainHead(w.cycleId) }).ok).toBe(true);

    // The confirmation: to the owner, in the thread, saying what was recorded.
    const confirmation = w.mailer.sent.at(-1)!;
    expect(confirmation.to).toEqual([w.person('auditor').email]);
    expect(confirmation.subject).toMatch(/^Recorded: your input d1 \(Quarterly management review/);
    expect(confirmation.headers.get('in-reply-to')).toBe(result.messageId);
    expect(confirmation.headers.get('auto-submitted')).toBe('auto-replied');
    expect(confirmation.text).toContain(submission!.id);
    expect(confirmation.text).toContain('Four nonconformities open, down from seven.');
  });

  it('sends a placeholder answer back asking for what is missing, keeps the message, and records nothing', async () => {
    const w = await memoryWorld();
    const request = w.oneMail('auditor', 'inputs needed');
    const d1 = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    const body = [
      `[input d1] ${d1.title}`,
      `period: ${d1.periodCovered.from} to ${d1.periodCovered.to}`,
      'summary: Reviewed for the period; details in the register.',
      'metric: Nonconformities opened = 2',
      'metric: Nonconformities closed = 1',
      'metric: Nonconformities overdue = 0',
      '[end]',
    ].join('\n');
    const result = await w.deliver(w.replyTo(request, 'auditor', body));
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(await w.repo.listSubmissions(w.cycleId)).toEqual([]);
    expect((await w.repo.getInputRequest(w.cycleId, 'd1'))!.status).toBe('REQUESTED');
    const rejection = w.mailer.sent.at(-1)!;
    expect(rejection.to).toEqual([w.person('auditor').email]);
    expect(rejection.text).toContain('points elsewhere, and nothing came with the answer');
    expect(rejection.text).toContain(
      'Write in the summary what the register or document shows for this period',
    );
    // The raw message is kept as evidence all the same.
    const received = (await w.repo.listEvents(w.cycleId)).at(-1)!;
    expect(received).toMatchObject({ type: 'mail.received', data: { outcome: 'rejected' } });
    expect((await w.evidence.get(String(received.data.evidenceKey))).length).toBeGreaterThan(0);
  });

  it('records a thin answer, tells the owner why it is thin, and logs it for the ISMS manager', async () => {
    const w = await memoryWorld();
    const request = w.oneMail('auditor', 'inputs needed');
    const d1 = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    const body = answerBlock(d1, 'Four open.');
    const result = await w.deliver(w.replyTo(request, 'auditor', body));
    expect(result).toMatchObject({ outcome: 'accepted', answer: 'sent' });
    const [submission] = await w.repo.listSubmissions(w.cycleId, 'd1');
    const thin = (await w.repo.listEvents(w.cycleId)).filter((event) => event.type === 'input.thin');
    expect(thin).toMatchObject([
      {
        actor: 'auditor',
        data: {
          inputKey: 'd1',
          submissionId: submission!.id,
          reasons: [{ code: 'short-summary', message: 'the summary is very short ("Four open.")' }],
        },
      },
    ]);
    expect(w.mailer.sent.at(-1)!.text).toContain(
      'the ISMS manager will see before the package is compiled that it is thin (input d1: the summary is very short ("Four open."))',
    );
  });

  it('ignores a second delivery of the same message: one record, one answer, one log entry', async () => {
    const w = await memoryWorld();
    const reply = await auditorReply(w);
    await w.deliver(reply);
    const before = await w.repo.listEvents(w.cycleId);
    const sent = w.mailer.sent.length;

    const again = await w.deliver({ ...reply, rawS3Key: 'inbound/delivered-again' });
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'duplicate', answer: 'none' });
    expect(await w.repo.listSubmissions(w.cycleId)).toHaveLength(1);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(before);
    expect(w.mailer.sent).toHaveLength(sent);
  });

  it('holds a reply to an address we never issued, or altered, answering nothing and touching nothing', async () => {
    const w = await memoryWorld();
    const genuine = w.oneMail('auditor', 'inputs needed').replyTo[0]!;
    // The same address with one character of its MAC changed.
    const at = genuine.indexOf('@') - 1;
    const forged = `${genuine.slice(0, at)}${genuine[at] === 'a' ? 'b' : 'a'}${genuine.slice(at + 1)}`;
    const before = await snapshot(w);
    const result = await w.deliver(await auditorReply(w, { to: forged }));
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(result.reason).toContain('is not one we issued');
    expect(await w.repo.getHeldMessage(result.heldId!)).toMatchObject({
      status: 'held',
      from: w.person('auditor').email,
    });
    // An address whose id we never stored is held alike.
    const unknown = 'review+b.aaaaaaaaaa.aaaaaaaaaaaaaaaa@reply.example.com';
    const stranger = await w.deliver(
      await auditorReply(w, { to: unknown, messageId: '<unknown-1@mail.example.net>' }),
    );
    expect(stranger).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(stranger.reason).toContain(`the reply address ${unknown} is not one we issued`);
    expect(await snapshot(w)).toEqual(before);
    expect(w.mailer.sent).toHaveLength(5);
  });

  it('tells the owner that an expired reply address takes nothing, and records nothing', async () => {
    const w = await memoryWorld();
    // The address was valid until a month after the meeting (28 April 2027).
    w.clock.set(new Date('2027-05-10T09:00:00.000Z'));
    const before = await snapshot(w);
    const result = await w.deliver(await auditorReply(w));
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(result.reason).toMatch(/expired on 2027-04-28; reply to the latest email/);
    expect(await w.repo.listSubmissions(w.cycleId)).toEqual([]);
    expect((await snapshot(w)).requests).toEqual(before.requests);
    const answer = w.mailer.sent.at(-1)!;
    expect(answer.to).toEqual([w.person('auditor').email]);
    expect(answer.subject).toMatch(/^Not recorded: please correct your message "Re: 2 inputs needed/);
    expect((await w.repo.listEvents(w.cycleId)).at(-1)).toMatchObject({
      type: 'mail.received',
      data: { outcome: 'rejected', answer: 'sent' },
    });
  });

  it('holds a message whose sender is forged (DMARC fails), outside the chain and unanswered', async () => {
    const w = await memoryWorld();
    const verdicts: SesVerdicts = {
      ...PASS,
      spfVerdict: { status: 'FAIL' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'FAIL' },
    };
    const before = await snapshot(w);
    const result = await w.deliver(await auditorReply(w, { verdicts }));
    expect(result).toMatchObject({ outcome: 'held', answer: 'none', cycleId: w.cycleId });
    expect(result.reason).toContain('DMARC');
    expect(await w.repo.getHeldMessage(result.heldId!)).toMatchObject({
      cycleId: w.cycleId,
      verdicts: { dmarcVerdict: { status: 'FAIL' } },
    });
    expect(await snapshot(w)).toEqual(before);
    expect(w.mailer.sent).toHaveLength(5);
  });

  it('holds an authenticated reply from someone who is neither the owner nor their delegate', async () => {
    const w = await memoryWorld();
    const before = await snapshot(w);
    const request = w.oneMail('auditor', 'inputs needed');
    const d1 = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    const result = await w.deliver(w.replyTo(request, 'cto', answerBlock(d1)));
    expect(result).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(result.reason).toContain('is neither them nor a delegate registered in the review programme');
    expect(await snapshot(w)).toEqual(before);
  });

  it("records a registered delegate's answer on behalf of the owner", async () => {
    const w = await memoryWorld();
    const request = w.oneMail('ciso', 'inputs needed');
    const b = (await w.repo.getInputRequest(w.cycleId, 'b'))!;
    const result = await w.deliver(w.replyTo(request, 'deputy-ciso', answerBlock(b)));
    expect(result).toMatchObject({ outcome: 'accepted', answer: 'sent' });
    expect((await w.repo.listSubmissions(w.cycleId, 'b'))[0]).toMatchObject({
      submitterId: 'deputy-ciso',
      onBehalfOf: 'ciso',
    });
    expect(w.mailer.sent.at(-1)!.to).toEqual([w.person('deputy-ciso').email]);
  });
});

describe('the reply that completes the inputs', () => {
  it('resumes the waiting workflow once; a redelivery resumes nothing', async () => {
    const w = await memoryWorld();
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'inputs-token', purpose: 'inputs' });
    for (const request of await w.repo.listInputRequests(w.cycleId)) {
      if (!request.automatic && request.inputKey !== 'd1') await answer(w, request.inputKey);
    }
    expect(w.workflow.calls).toEqual([]);

    const reply = await auditorReply(w);
    expect(await w.deliver(reply)).toMatchObject({ outcome: 'accepted', resumed: true });
    expect(w.workflow.calls).toEqual([
      { taskToken: 'inputs-token', output: { cycleId: w.cycleId, purpose: 'inputs' } },
    ]);
    expect(await w.deliver({ ...reply, rawS3Key: 'inbound/again' })).toMatchObject({ reason: 'duplicate' });
    expect(w.workflow.calls).toHaveLength(1);
  });

  it('resumes it once when the last two answers arrive at the same moment', async () => {
    const w = await memoryWorld();
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'inputs-token', purpose: 'inputs' });
    for (const request of await w.repo.listInputRequests(w.cycleId)) {
      if (!request.automatic && !['d1', 'e'].includes(request.inputKey)) await answer(w, request.inputKey);
    }
    const e = (await w.repo.getInputRequest(w.cycleId, 'e'))!;
    const replies = [
      await auditorReply(w),
      w.replyTo(w.oneMail('customer-lead', 'Input needed'), 'customer-lead', answerBlock(e)),
    ];
    const results = await Promise.all(replies.map((reply) => w.deliver(reply)));
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(results.filter((r) => r.resumed)).toHaveLength(1);
    expect(w.workflow.calls).toHaveLength(1);
    const events = await w.repo.listEvents(w.cycleId);
    expect(events.filter((ev) => ev.type === 'input.submitted')).toHaveLength(9);
    expect(verifyChain(events).ok).toBe(true);
  });
});
