/**
 * Opening a review cycle and collecting its inputs, in memory (test/support/memory-world.ts):
 *
 * - opening: the cycle on the programme version it opened under, one request per input, the open
 *   actions of earlier reviews it carries over; a bad start request writes nothing;
 * - requesting: one email per owner with a reply address of their own; run again, or after an SES
 *   outage half way, nothing is sent twice;
 * - following up: as the clock moves the workflow's check reminds each owner, then tells the ISMS
 *   manager, then the chair, each step once; at the deadline the missing inputs are recorded as not
 *   provided; a step claimed but never completed is finished once (crashes and races part way
 *   through a check: input-check-writes.test.ts);
 * - waiting: the task token is parked, owners or their delegates answer, and the last answer resumes
 *   the workflow exactly once.
 */
import { describe, expect, it } from 'vitest';
import { MailServiceUnavailable } from '#shared/adapters/ses-mailer.ts';
import {
  awaitPeople,
  checkInputs,
  CycleNotFound,
  InvalidStartRequest,
  openCycle,
  ProgrammeNotApplied,
  requestInputs,
  resumeWaiting,
} from '#shared/cycle/service.ts';
import {
  CycleNotFound as NoSuchCycle,
  InputNotRequested,
  NotOwnerOrDelegate,
  submitInput,
  UnknownSubmitter,
} from '#shared/cycle/submit-input.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { decodeReplyAddress } from '#shared/mail/reply-address.ts';
import { programmeCatalogue } from '#shared/programme/queries.ts';
import { aCycle, anAction } from '#test/unit/model/builders.ts';
import { DAY, HOUR, MEETING, memoryWorld, OPENED, type MemoryWorld } from '#test/support/memory-world.ts';
import { answer, answerBlock, theCycle } from './support.ts';
import { wakeStamp } from '#shared/cycle/wake-up.ts';
import { WorkflowTaskEnded } from '#shared/store/workflow.ts';

const start = (w: MemoryWorld, request: Record<string, unknown> = {}) =>
  openCycle(w.deps, {
    executionName: w.cycleId,
    request: { programmeId: w.programme.organisation.id, type: 'quarterly', meetingAt: MEETING, ...request },
  });

/** The owners of the example programme's inputs and what each is asked for. */
const OWNED = {
  ciso: ['b', 'd2'],
  'risk-owner': ['c', 'f'],
  auditor: ['d1', 'd3'],
  alice: ['d4', 'g'],
  'customer-lead': ['e'],
};

describe('opening a cycle', () => {
  it('refuses a bad start request, a programme never applied and a meeting before the opening, writing nothing', async () => {
    const w = await memoryWorld({ open: false });
    const refusal = (request: Record<string, unknown>, executionName = w.cycleId) =>
      openCycle(w.deps, { executionName, request }).then(
        () => new Error('opened'),
        (error: Error) => error,
      );

    const monthly = await refusal({ programmeId: 'example-ltd', type: 'monthly' });
    expect(monthly).toBeInstanceOf(InvalidStartRequest);
    expect(monthly.message).toContain('expected type quarterly, semiannual or annual');
    expect(await refusal({ programmeId: 'example-ltd', type: 'quarterly' }, 'cycle-1')).toBeInstanceOf(
      InvalidStartRequest,
    );
    const nameless = await refusal({ type: 'quarterly' });
    expect(nameless).toBeInstanceOf(InvalidStartRequest);
    expect(nameless.message).toContain('no programme id');
    const unknown = await refusal({ programmeId: 'other-ltd', type: 'quarterly' });
    expect(unknown).toBeInstanceOf(ProgrammeNotApplied);
    expect(unknown.message).toContain('programme other-ltd has not been applied');
    const early = await refusal({
      programmeId: 'example-ltd',
      type: 'quarterly',
      meetingAt: '2027-02-15T09:00:00.000Z',
    });
    expect(early).toBeInstanceOf(InvalidStartRequest);
    expect(early.message).toContain('must be after the cycle opens');

    expect(await w.repo.getCycle(w.cycleId)).toBeUndefined();
    expect(await w.repo.listEvents(w.cycleId)).toEqual([]);
    await expect(requestInputs(w.deps, w.cycleId)).rejects.toBeInstanceOf(CycleNotFound);
    expect(w.mailer.sent).toEqual([]);
  });

  it('creates the cycle on the programme version applied, one request per input, and its dates', async () => {
    const w = await memoryWorld({ open: false });
    const applied = (await w.repo.getCurrentProgramme('example-ltd'))!;

    const view = await start(w);
    // Inputs due ten days and the package five days before the meeting, at the meeting's London
    // time (10:00 BST on 29 March is 10:00 GMT ten days earlier).
    expect(view).toEqual({
      cycleId: w.cycleId,
      phase: 'OPEN',
      meetingAt: MEETING,
      inputsDueAt: '2027-03-19T10:00:00.000Z',
      packageSendAt: '2027-03-24T10:00:00.000Z',
    });
    expect(await w.repo.getCycle(w.cycleId)).toMatchObject({
      programmeId: 'example-ltd',
      programme: { programmeId: 'example-ltd', version: 1, hash: applied.hash },
      type: 'quarterly',
      comprehensive: false,
      status: 'active',
      openedAt: OPENED.toISOString(),
      version: 1,
    });

    const requests = await w.repo.listInputRequests(w.cycleId);
    const keys = programmeCatalogue(w.programme).map((input) => input.key);
    expect(requests.map((r) => r.inputKey).sort()).toEqual([...keys].sort());
    for (const request of requests) {
      expect(request).toMatchObject({
        status: 'REQUESTED',
        dueAt: view.inputsDueAt,
        remindersSent: 0,
        escalationLevel: 0,
        // No earlier review: the quarter before the opening.
        periodCovered: { from: '2026-12-01', to: '2027-02-28' },
      });
      // Input a (the status of earlier actions) is filled from the action register: nobody owns it.
      expect(request.automatic).toBe(request.inputKey === 'a');
      expect(request.ownerId).toBe(w.programme.inputs.owners[request.inputKey]);
    }

    const events = await w.repo.listEvents(w.cycleId);
    expect(events.map((e) => e.type)).toEqual(['cycle.opened']);
    expect(events[0]!.data).toMatchObject({
      type: 'quarterly',
      programme: { programmeId: 'example-ltd', version: 1, hash: applied.hash },
      meetingAt: MEETING,
      meetingLocal: '2027-03-29',
      inputs: requests.map((r) => r.inputKey),
      carriedActions: [],
    });
    expect(w.mailer.sent).toEqual([]);

    // The workflow's task run again: the same cycle, nothing written.
    expect(await start(w)).toEqual(view);
    expect((await w.repo.getCycle(w.cycleId))!.version).toBe(1);
    expect(await w.repo.listEvents(w.cycleId)).toHaveLength(1);
  });

  it('carries over the open actions of earlier reviews, and covers the time since the last meeting', async () => {
    const w = await memoryWorld({ open: false });
    const applied = (await w.repo.getCurrentProgramme('example-ltd'))!;
    const programme = { programmeId: 'example-ltd', version: 1, hash: applied.hash };
    const earlier = aCycle(
      { programmeId: 'example-ltd', programme, phase: 'FOLLOW_UP' },
      new Date('2026-10-01T08:00:00.000Z'),
    );
    await w.repo.createCycle(earlier, [], {
      event: { type: 'cycle.opened', at: earlier.openedAt, actor: 'system', data: {} },
    });
    const finished = { at: '2026-12-01T10:00:00.000Z', by: 'ciso', text: 'keys issued' };
    const [open, busy] = [anAction(earlier, 1), anAction(earlier, 2, { status: 'in_progress' })];
    await w.repo.createActions([
      open,
      busy,
      anAction(earlier, 3, { status: 'done', closureEvidence: finished }),
      anAction(earlier, 4, { status: 'cancelled', cancelReason: 'overtaken by the new policy' }),
    ]);

    await start(w);
    const [opened] = await w.repo.listEvents(w.cycleId);
    expect((opened!.data.carriedActions as string[]).sort()).toEqual([open.id, busy.id].sort());
    const [request] = await w.repo.listInputRequests(w.cycleId);
    // From the earlier review's meeting (29 October 2026) to the day before this opening.
    expect(request!.periodCovered).toEqual({ from: '2026-10-29', to: '2027-02-28' });
  });
});

describe('requesting the inputs', () => {
  it('emails each owner one request for all their inputs, with a reply address only they can use', async () => {
    const w = await memoryWorld();
    expect((await w.repo.getCycle(w.cycleId))!.phase).toBe('AWAITING_INPUTS');
    expect(w.mailer.sent).toHaveLength(Object.keys(OWNED).length);
    const { replyLocalPart: localPart, inboundDomain: domain, fromAddress } = w.programme.mail;

    for (const [ownerId, keys] of Object.entries(OWNED)) {
      const mail = w.oneMail(ownerId, 'needed for the Quarterly management review, 2027-03-29');
      expect(mail.from).toBe(fromAddress);
      expect(mail.to).toEqual([w.person(ownerId).email]);
      expect(mail.cc).toEqual([]);
      for (const key of Object.values(OWNED).flat()) {
        if (keys.includes(key)) expect(mail.text, ownerId).toContain(`[input ${key}]`);
        else expect(mail.text, ownerId).not.toContain(`[input ${key}]`);
      }
      // The reply address names a stored token for this owner's inputs, valid until a month after the meeting.
      expect(mail.replyTo).toHaveLength(1);
      const { id } = decodeReplyAddress(mail.replyTo[0]!, { localPart, domain });
      expect(await w.repo.getReplyToken(id)).toMatchObject({
        cycleId: w.cycleId,
        purpose: 'inputs',
        recipientId: ownerId,
        issuedAt: OPENED.toISOString(),
        expiresAt: new Date(Date.parse(MEETING) + 30 * DAY).toISOString(),
      });
      // A reply whose client drops the +token part is tied back to it by its Message-ID.
      expect(await w.repo.replyTokenOfMessage(mail.messageId)).toBe(id);
    }
    expect(w.oneMail('auditor', '').subject).toBe(
      '2 inputs needed for the Quarterly management review, 2027-03-29, by Fri 19 Mar, 10:00 UK time',
    );
    // In the owner's own time zone (New York).
    expect(w.oneMail('customer-lead', '').subject).toBe(
      'Input needed for the Quarterly management review, 2027-03-29: Feedback from interested parties, by Fri 19 Mar, 06:00 New York time',
    );

    // The outbox recorded each message with what SES answered; its raw copy is kept as evidence.
    const records = await w.outbox.listSent(w.cycleId);
    expect(records.map((r) => r.key).sort()).toEqual(
      Object.keys(OWNED)
        .map((id) => `input-request:${id}`)
        .sort(),
    );
    for (const record of records) {
      const mail = w.mailer.sent.find((m) => m.sesMessageId === record.sesMessageId)!;
      expect(mail.messageId).toBe(record.messageId);
      expect((await w.evidence.get(record.rawKey)).equals(mail.raw)).toBe(true);
    }

    const events = await w.repo.listEvents(w.cycleId);
    expect(events.map((e) => e.type)).toEqual([
      'cycle.opened',
      'cycle.phase_changed',
      ...Object.keys(OWNED).map(() => 'mail.sent'),
      'cycle.phase_changed',
    ]);
    expect(events.filter((e) => e.type === 'cycle.phase_changed').map((e) => e.data.to)).toEqual([
      'REQUESTING_INPUTS',
      'AWAITING_INPUTS',
    ]);
    const sentEvents = events.filter((e) => e.type === 'mail.sent');
    expect(sentEvents.map((e) => e.data.sesMessageId).sort()).toEqual(
      w.mailer.sent.map((m) => m.sesMessageId).sort(),
    );
    expect(verifyChain(events, { head: await w.repo.getChainHead(w.cycleId) })).toMatchObject({
      ok: true,
      count: events.length,
    });
  });

  it('sends nothing twice when the step runs again', async () => {
    const w = await memoryWorld();
    const events = await w.repo.listEvents(w.cycleId);
    const sent = w.mailer.sent.length;
    expect(await requestInputs(w.deps, w.cycleId)).toMatchObject({ phase: 'AWAITING_INPUTS' });
    expect(w.mailer.sent).toHaveLength(sent);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });

  it('after an SES outage half way, the retried step sends the rest, each owner once', async () => {
    const w = await memoryWorld({ open: false });
    await start(w);
    w.mailer.failNext(new MailServiceUnavailable('SES could not take the message now (Throttling)'), {
      after: 2,
    });
    await expect(requestInputs(w.deps, w.cycleId)).rejects.toBeInstanceOf(MailServiceUnavailable);
    expect(w.mailer.sent).toHaveLength(2);
    expect((await w.repo.getCycle(w.cycleId))!.phase).toBe('REQUESTING_INPUTS');

    w.clock.advance(60_000); // the workflow's retry
    expect(await requestInputs(w.deps, w.cycleId)).toMatchObject({ phase: 'AWAITING_INPUTS' });
    const owners = w.mailer.sent.map((m) => m.to.join());
    expect(owners).toHaveLength(Object.keys(OWNED).length);
    expect(new Set(owners).size).toBe(owners.length);
    const events = await w.repo.listEvents(w.cycleId);
    expect(events.filter((e) => e.type === 'mail.sent')).toHaveLength(Object.keys(OWNED).length);
    expect(verifyChain(events).ok).toBe(true);
  });
});

const LADDER = ['reminder-1', 'reminder-2', 'escalate-manager', 'escalate-chair'];

describe('the input check', () => {
  it('refuses a cycle that does not exist', async () => {
    const w = await memoryWorld({ open: false });
    await expect(checkInputs(w.deps, w.cycleId)).rejects.toBeInstanceOf(CycleNotFound);
  });

  it('reminds each owner twice, then tells the ISMS manager, then the chair, each step once', async () => {
    const w = await memoryWorld();
    // The risk owner answers both inputs on the first day: they are never reminded.
    w.clock.set(new Date(OPENED.getTime() + DAY));
    await answer(w, 'c');
    await answer(w, 'f');
    const { inputsDueAt } = await theCycle(w);
    const before = w.mailer.sent.length;

    // The workflow checks every twelve hours (and a retried check runs twice) until the deadline.
    let checks = 0;
    for (let at = OPENED.getTime() + 12 * HOUR; at < Date.parse(inputsDueAt); at += 12 * HOUR) {
      w.clock.set(new Date(at));
      expect((await checkInputs(w.deps, w.cycleId)).proceed).toBe(false);
      if (++checks % 5 === 0) expect((await checkInputs(w.deps, w.cycleId)).proceed).toBe(false);
    }

    const keys = (await w.outbox.listSent(w.cycleId)).map((m) => m.key).filter((k) => k.startsWith('input:'));
    for (const owner of ['ciso', 'auditor', 'alice', 'customer-lead']) {
      expect(
        keys.filter((k) => k.startsWith(`input:${owner}:`)),
        owner,
      ).toEqual(LADDER.map((step) => `input:${owner}:${step}`));
    }
    expect(keys.filter((k) => k.startsWith('input:risk-owner:'))).toEqual([]);
    expect(w.mailer.sent.length - before).toBe(4 * LADDER.length);

    // The auditor: two reminders with the block to answer, then the ISMS manager, then the chair.
    const reminders = w.mailsTo('auditor').filter((m) => m.subject.startsWith('Reminder'));
    expect(reminders.map((m) => m.subject)).toEqual([
      'Reminder: 2 inputs for the Quarterly management review, 2027-03-29, due Fri 19 Mar, 10:00 UK time',
      'Reminder 2: 2 inputs for the Quarterly management review, 2027-03-29, due Fri 19 Mar, 10:00 UK time',
    ]);
    for (const reminder of reminders) {
      expect(reminder.to).toEqual([w.person('auditor').email]);
      expect(reminder.replyTo[0]).toMatch(/^review\+/);
      expect(reminder.text).toContain('[input d1]');
    }
    const toManager = await w.sentUnder('input:auditor:escalate-manager');
    // Before the deadline the inputs are not received yet, not missing.
    expect(toManager.subject).toMatch(/^2 inputs not received .* after reminders/);
    expect(toManager.to).toEqual([w.person('alice').email]);
    expect(toManager.cc).toEqual([w.person('auditor').email]);
    const toChair = await w.sentUnder('input:auditor:escalate-chair');
    // Due Saturday 13 March, it waited for the chair's Monday morning: 4 days left, not 6.
    expect(toChair.subject).toMatch(/^Escalation: 2 inputs not received .*, 4 days left\)$/);
    expect(toChair.text).toContain('Hannah Becker');
    expect(toChair.to).toEqual([w.person('ceo').email]);
    expect([...toChair.cc].sort()).toEqual([w.person('alice').email, w.person('auditor').email].sort());
    // The ISMS manager's own missing inputs: told once, not copied to themselves.
    const own = (await w.outbox.listSent(w.cycleId)).find((m) => m.key === 'input:alice:escalate-manager')!;
    expect(own.recipients).toEqual([w.person('alice').email]);

    // Recorded on each request and, step by step, in the cycle's log.
    for (const request of await w.repo.listInputRequests(w.cycleId)) {
      if (request.automatic) continue;
      const answered = request.ownerId === 'risk-owner';
      expect(request, request.inputKey).toMatchObject(
        answered
          ? { status: 'SUBMITTED', remindersSent: 0, escalationLevel: 0 }
          : { status: 'REQUESTED', remindersSent: 2, escalationLevel: 2 },
      );
    }
    const d1 = (await w.repo.listEvents(w.cycleId)).filter(
      (e) => (e.type === 'input.reminder_sent' || e.type === 'input.escalated') && e.data.inputKey === 'd1',
    );
    // Every three days from Monday 1 March; a step due at the weekend waits for Monday 09:00 UK time.
    expect(d1.map((e) => [e.type, e.data.step, e.at])).toEqual([
      ['input.reminder_sent', 'reminder-1', '2027-03-04T09:00:00.000Z'],
      ['input.reminder_sent', 'reminder-2', '2027-03-08T09:00:00.000Z'], // due Sunday 7 March
      ['input.escalated', 'escalate-manager', '2027-03-10T09:00:00.000Z'],
      ['input.escalated', 'escalate-chair', '2027-03-15T09:00:00.000Z'], // due Saturday 13 March
    ]);

    // The deadline: every input still missing is recorded as not provided, and the cycle goes on.
    w.clock.set(new Date(inputsDueAt));
    const due = await checkInputs(w.deps, w.cycleId);
    expect(due.proceed).toBe(true);
    expect(due.missing.sort()).toEqual(['b', 'd1', 'd2', 'd3', 'd4', 'e', 'g']);
    const requests = await w.repo.listInputRequests(w.cycleId);
    expect(requests.filter((r) => r.status === 'NOT_PROVIDED').map((r) => r.inputKey)).toEqual(
      due.missing.sort(),
    );
    const cycle = await theCycle(w);
    expect(cycle.phase).toBe('COMPILING');
    const events = await w.repo.listEvents(w.cycleId);
    expect(events.filter((e) => e.type === 'input.not_provided')).toHaveLength(7);
    expect(events.at(-1)).toMatchObject({
      type: 'cycle.phase_changed',
      data: { from: 'AWAITING_INPUTS', to: 'COMPILING', reason: 'input deadline passed' },
    });

    // A retried check past the deadline changes nothing and sends nothing.
    const sent = w.mailer.sent.length;
    expect(await checkInputs(w.deps, w.cycleId)).toMatchObject({ proceed: true, missing: [] });
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
    expect(w.mailer.sent).toHaveLength(sent);
    expect(verifyChain(events, { head: await w.repo.getChainHead(w.cycleId) }).ok).toBe(true);
  });

  it('tells the workflow when to look again: the next step due, or the deadline', async () => {
    const w = await memoryWorld();
    const first = await checkInputs(w.deps, w.cycleId);
    // Opened Monday 1 March 09:00 UK time: the first reminder is due three days later, to the second.
    expect(first).toEqual({
      proceed: false,
      missing: [],
      nextCheckAt: '2027-03-04T09:00:00.000Z',
      sleepSeconds: 3 * 86_400,
      // What the wake-up was worked out from: the wait resumes at once if the cycle's dates moved since.
      stamp: wakeStamp(await theCycle(w)),
    });
    // Saturday 13 March: the escalations to the chair wait for Monday 09:00 UK time.
    w.clock.set(new Date('2027-03-13T09:00:00.000Z'));
    const weekend = await checkInputs(w.deps, w.cycleId);
    expect(weekend.nextCheckAt).toBe('2027-03-15T09:00:00.000Z');
    // Monday 09:00 UK time: the escalations go. The New York owner's reminders, held for 09:00 there,
    // are overtaken by them for good: nothing to wake for before the deadline.
    w.clock.set(new Date('2027-03-15T09:00:00.000Z'));
    const last = await checkInputs(w.deps, w.cycleId);
    expect(last.nextCheckAt).toBe((await theCycle(w)).inputsDueAt);
    w.clock.set(new Date('2027-03-15T13:00:00.000Z'));
    const sent = w.mailer.sent.length;
    expect((await checkInputs(w.deps, w.cycleId)).nextCheckAt).toBe((await theCycle(w)).inputsDueAt);
    expect(w.mailer.sent).toHaveLength(sent);
  });

  it('sends and records once a step claimed but never completed (a claim without its `:done`)', async () => {
    const w = await memoryWorld();
    // The auditor's first reminder was claimed, then the process died.
    w.clock.set(new Date(OPENED.getTime() + 3 * DAY + 60_000));
    expect(
      await w.repo.claimNotification(w.cycleId, 'input:auditor:reminder-1', w.clock.now().toISOString()),
    ).toBe(true);

    await checkInputs(w.deps, w.cycleId);
    w.clock.advance(HOUR);
    await checkInputs(w.deps, w.cycleId);

    const keys = (await w.outbox.listSent(w.cycleId)).map((m) => m.key);
    expect(keys.filter((key) => key === 'input:auditor:reminder-1')).toHaveLength(1);
    // Every owner's reminder of the same step went out as usual, once each; the New York owner's
    // waits for 09:00 New York time (it is 05:01 there).
    expect(keys.filter((key) => /^input:[^:]+:reminder-1$/.test(key))).toHaveLength(4);
    expect(keys).not.toContain('input:customer-lead:reminder-1');
    expect(w.mailsTo('auditor').filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1);
    const auditorRequests = (await w.repo.listInputRequests(w.cycleId)).filter(
      (r) => r.ownerId === 'auditor',
    );
    expect(auditorRequests.map((r) => r.remindersSent)).toEqual([1, 1]);
    const recorded = (await w.repo.listEvents(w.cycleId)).filter(
      (e) => e.type === 'input.reminder_sent' && e.data.ownerId === 'auditor',
    );
    expect(recorded).toHaveLength(auditorRequests.length);
  });
});

const TOKEN = 'inputs-task-token-1';

describe('answers from the command line', () => {
  it('refuses an unknown cycle, an input nobody answers, a stranger and a broken block, recording nothing', async () => {
    const w = await memoryWorld();
    const d2 = (await w.repo.getInputRequest(w.cycleId, 'd2'))!;
    const events = await w.repo.listEvents(w.cycleId);
    const submit = (overrides: Partial<Parameters<typeof submitInput>[1]>) =>
      submitInput(w.deps, { cycleId: w.cycleId, inputKey: 'd2', text: answerBlock(d2), ...overrides });

    await expect(submit({ cycleId: 'C-20990101T0000Z-Q' })).rejects.toBeInstanceOf(NoSuchCycle);
    await expect(submit({ inputKey: 'a' })).rejects.toBeInstanceOf(InputNotRequested);
    await expect(submit({ inputKey: 'z9' })).rejects.toThrow(/input z9 is not asked in cycle/);
    await expect(submit({ as: 'someone@elsewhere.example' })).rejects.toBeInstanceOf(UnknownSubmitter);
    const stranger = await submit({ as: w.person('auditor').email }).catch((error: Error) => error);
    expect(stranger).toBeInstanceOf(NotOwnerOrDelegate);
    expect((stranger as Error).message).toContain('is neither its owner nor a delegate');
    const broken = await submit({ text: answerBlock(d2).replace('period:', 'perod:') });
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problems.map((p) => p.problem).join('\n')).toContain("'period' is missing");

    expect(await w.repo.listSubmissions(w.cycleId)).toEqual([]);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });

  it("records a delegate's answer on behalf of the owner, and the same answer again as a repeat", async () => {
    const w = await memoryWorld();
    const d2 = (await w.repo.getInputRequest(w.cycleId, 'd2'))!;
    const text = answerBlock(d2);
    const first = await submitInput(w.deps, {
      cycleId: w.cycleId,
      inputKey: 'd2',
      text,
      as: w.person('deputy-ciso').email,
    });
    expect(first).toMatchObject({ ok: true, repeated: false, late: false, stillOpen: 8, resumed: false });
    expect(first.ok && first.submission).toMatchObject({
      submitterId: 'deputy-ciso',
      onBehalfOf: 'ciso',
      kind: 'report',
      source: { channel: 'cli' },
    });
    expect((await w.repo.getInputRequest(w.cycleId, 'd2'))!.status).toBe('SUBMITTED');
    const again = await submitInput(w.deps, {
      cycleId: w.cycleId,
      inputKey: 'd2',
      text,
      as: w.person('deputy-ciso').email,
    });
    expect(again).toMatchObject({ ok: true, repeated: true });
    expect(await w.repo.listSubmissions(w.cycleId)).toHaveLength(1);
    const submitted = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'input.submitted');
    expect(submitted.map((e) => [e.actor, e.data.inputKey, e.data.onBehalfOf])).toEqual([
      ['deputy-ciso', 'd2', 'ciso'],
    ]);
  });
});

describe('waiting for the last input', () => {
  it('parks the task token, and the last answer resumes the workflow once', async () => {
    const w = await memoryWorld();
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: TOKEN, purpose: 'inputs' });
    expect(await w.repo.getParkedTask(w.cycleId, 'inputs')).toMatchObject({
      status: 'parked',
      taskToken: TOKEN,
    });
    expect(w.workflow.calls).toEqual([]);

    const keys = (await w.repo.listInputRequests(w.cycleId))
      .filter((r) => !r.automatic)
      .map((r) => r.inputKey);
    const results = [];
    for (const [n, key] of keys.entries()) {
      w.clock.set(new Date(OPENED.getTime() + (n + 1) * DAY));
      results.push(await answer(w, key));
    }
    expect(results.map((r) => r.ok && r.stillOpen)).toEqual(keys.map((_, n) => keys.length - n - 1));
    expect(results.map((r) => r.ok && r.resumed)).toEqual(keys.map((_, n) => n === keys.length - 1));
    expect(w.workflow.calls).toEqual([
      { taskToken: TOKEN, output: { cycleId: w.cycleId, purpose: 'inputs' } },
    ]);
    expect(await w.repo.getParkedTask(w.cycleId, 'inputs')).toMatchObject({ status: 'completed' });

    // The same last answer again, and a racing resume, send nothing more.
    expect(await answer(w, keys.at(-1)!)).toMatchObject({ repeated: true, resumed: false });
    expect(await resumeWaiting(w.deps, w.cycleId, 'inputs')).toBe(false);
    expect(w.workflow.calls).toHaveLength(1);

    // Resumed, the workflow checks once more: everything answered, on to the package; no reminder went out.
    const check = await checkInputs(w.deps, w.cycleId);
    expect(check).toMatchObject({ proceed: true, missing: [] });
    expect((await theCycle(w)).phase).toBe('COMPILING');
    expect((await w.repo.listEvents(w.cycleId)).at(-1)).toMatchObject({
      type: 'cycle.phase_changed',
      data: { to: 'COMPILING', reason: 'all inputs answered' },
    });
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('Reminder'))).toEqual([]);
    expect(verifyChain(await w.repo.listEvents(w.cycleId)).ok).toBe(true);
  });

  it('resumes at once when the last answer came before the task was parked', async () => {
    const w = await memoryWorld();
    for (const request of await w.repo.listInputRequests(w.cycleId)) {
      if (!request.automatic) await answer(w, request.inputKey);
    }
    expect(w.workflow.calls).toEqual([]);
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: TOKEN, purpose: 'inputs' });
    expect(w.workflow.calls.map((c) => c.taskToken)).toEqual([TOKEN]);
    // The same invocation retried (Lambda or Step Functions retry) does not resume it a second time.
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: TOKEN, purpose: 'inputs' });
    expect(w.workflow.calls.map((c) => c.taskToken)).toEqual([TOKEN]);
  });

  it('a resume that finds the task timed out on its tick resumes nothing; the next park resumes at once', async () => {
    const w = await memoryWorld();
    for (const request of await w.repo.listInputRequests(w.cycleId)) {
      if (!request.automatic) await answer(w, request.inputKey);
    }
    const park = (taskToken: string) =>
      w.repo.parkTaskToken({
        cycleId: w.cycleId,
        purpose: 'inputs',
        taskToken,
        parkedAt: w.clock.now().toISOString(),
      });
    const failing = (error: Error) => ({
      ...w.deps,
      workflow: { sendTaskSuccess: () => Promise.reject(error) },
    });
    // Any other failure of the engine is not hidden.
    await park('token-throttled');
    await expect(resumeWaiting(failing(new Error('throttled')), w.cycleId, 'inputs')).rejects.toThrow(
      'throttled',
    );
    // The engine says the task is no longer waiting (it timed out, the workflow looks again).
    await park('token-timed-out');
    const ended = failing(new WorkflowTaskEnded('the task timed out'));
    expect(await resumeWaiting(ended, w.cycleId, 'inputs')).toBe(false);
    expect(w.workflow.calls).toEqual([]);
    // The workflow's next park finds every input answered and resumes itself.
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'token-next', purpose: 'inputs' });
    expect(w.workflow.calls.map((c) => c.taskToken)).toEqual(['token-next']);
  });
});
