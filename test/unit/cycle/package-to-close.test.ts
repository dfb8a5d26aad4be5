/**
 * From the package to the end of the cycle, in memory (test/support/memory-world.ts):
 *
 * - the package: nothing is built while an input may still arrive; then it is frozen in the evidence
 *   bucket and sent once to top management with the calendar invitation (after an SES outage too);
 *   a late answer makes a new version before it goes out;
 * - the meeting moved: only the date changes before the package is sent; after it, every attendee
 *   gets one updated invitation, and the minutes are asked for at the new time;
 * - the minutes: asked for once the meeting has ended, reminders to the ISMS manager and then the
 *   chair as the days pass; accepted minutes resume the workflow, are archived and sent to every
 *   attendee;
 * - the end: the cycle follows its actions up and closes, its event chain sealed and unbroken; a
 *   failed step is recorded and the ISMS manager told, once.
 */
import { describe, expect, it } from 'vitest';
import { MailServiceUnavailable } from '#shared/adapters/ses-mailer.ts';
import { changeAction } from '#shared/actions/register.ts';
import {
  awaitPeople,
  checkInputs,
  checkMinutes,
  closeCycle,
  compilePackage,
  CycleNotFound,
  distributePackage,
  followUpActions,
  recordFailure,
  recordOutcomes,
  requestMinutes,
} from '#shared/cycle/service.ts';
import { MeetingCannotMove, moveMeeting } from '#shared/cycle/meeting.ts';
import { PackageNotReady, PackageSourceMissing } from '#shared/cycle/package-gate.ts';
import type { StoredPackage } from '#shared/cycle/ports.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { submitMinutes } from '#shared/minutes/submit.ts';
import { sha256Of } from '#shared/store/blob-store.ts';
import { DAY, HOUR, MEETING, memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import {
  answer,
  answerApproval,
  exampleMinutes,
  theCycle,
  toAwaitingMinutes,
  toApproved,
  toCompiled,
  toDistributed,
  toFollowUp,
} from './support.ts';

const ATTENDEES = ['ceo', 'cfo', 'cto', 'alice'];

const addresses = (w: MemoryWorld, ids: readonly string[]) => ids.map((id) => w.person(id).email).sort();

async function builtEvents(w: MemoryWorld) {
  return (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'package.built');
}

describe('steps the workflow cannot take', () => {
  it('refuse a cycle that does not exist', async () => {
    const w = await memoryWorld({ open: false });
    for (const step of [
      compilePackage,
      distributePackage,
      requestMinutes,
      checkMinutes,
      recordOutcomes,
      followUpActions,
      closeCycle,
    ]) {
      await expect(step(w.deps, w.cycleId), step.name).rejects.toBeInstanceOf(CycleNotFound);
    }
  });

  it('record no outcomes before minutes are accepted', async () => {
    const w = await memoryWorld();
    await toAwaitingMinutes(w);
    const events = await w.repo.listEvents(w.cycleId);
    await expect(recordOutcomes(w.deps, w.cycleId)).rejects.toThrow(
      /the workflow records outcomes only after minutes are accepted/,
    );
    expect((await theCycle(w)).phase).toBe('AWAITING_MINUTES');
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });

  it('records nothing for a failure without a known cycle', async () => {
    const w = await memoryWorld();
    expect(await recordFailure(w.deps, { error: { Error: 'States.Timeout' } })).toEqual({ recorded: false });
    expect(await recordFailure(w.deps, { cycleId: 'C-20990101T0000Z-Q' })).toEqual({ recorded: false });
    await expect(recordFailure(w.deps, { cycleId: 42 })).rejects.toThrow(/cycleId/);
    expect((await theCycle(w)).phase).toBe('AWAITING_INPUTS');
  });
});

describe('compiling the package', () => {
  it('builds nothing while an input may still arrive', async () => {
    const w = await memoryWorld();
    w.clock.set(new Date('2027-03-10T09:00:00.000Z'));
    const events = await w.repo.listEvents(w.cycleId);
    const refused = await compilePackage(w.deps, w.cycleId).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(PackageNotReady);
    expect((refused as Error).message).toContain(
      'input d1 (Nonconformities and corrective actions) may still arrive',
    );
    expect(w.evidence.keys().filter((k) => k.includes('/package/'))).toEqual([]);
    expect((await theCycle(w)).phase).toBe('AWAITING_INPUTS');
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });

  it('freezes the package from the inputs as recorded, once, and keeps the summary for later reviews', async () => {
    const w = await memoryWorld();
    await answer(w, 'd1');
    const cycle = await toCompiled(w);
    expect(cycle.phase).toBe('AWAITING_DISTRIBUTION');

    const [built] = await builtEvents(w);
    const stored = built!.data as unknown as StoredPackage;
    expect(stored).toMatchObject({ version: 1, sha256: cycle.packageHash });
    const d1 = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    expect(stored.inputVersions).toMatchObject({ d1: d1.submissionId, d2: null });
    // Every form is in the evidence bucket, and the manifest is the one the event commits to.
    for (const key of [stored.htmlKey, stored.textKey, stored.pdfKey!, stored.manifestKey!]) {
      expect(w.evidence.keys()).toContain(key);
    }
    expect(sha256Of(await w.evidence.get(stored.manifestKey!))).toBe(stored.manifestSha256);
    expect((await w.evidence.get(stored.pdfKey!)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = (await w.evidence.get(stored.textKey)).toString('utf8');
    expect(text).toContain('Reviewed for the period; nothing alarming in d1.');
    expect(await w.repo.listCycleSummaries('example-ltd')).toHaveLength(1);

    // A retried compile builds nothing more.
    const keys = w.evidence.keys();
    expect(await compilePackage(w.deps, w.cycleId)).toMatchObject({ phase: 'AWAITING_DISTRIBUTION' });
    expect(w.evidence.keys()).toEqual(keys);
    expect(await builtEvents(w)).toHaveLength(1);
  });
});

describe('distributing the package', () => {
  it('sends it once to top management and the ISMS manager, with the invitation; the minutes form to the ISMS manager alone', async () => {
    const w = await memoryWorld();
    const cycle = await toDistributed(w);
    expect(cycle).toMatchObject({ phase: 'DISTRIBUTED', packageSentAt: cycle.packageSendAt });

    const mail = await w.sentUnder('package:v1');
    expect([...mail.to].sort()).toEqual(addresses(w, ATTENDEES));
    expect(mail.subject).toBe('Management review package: Quarterly management review, 2027-03-29');
    expect(mail.headers.get('x-isms-review-package-sha256')).toBe(cycle.packageHash);
    // The evidence key's fingerprint, witnessed by every recipient's inbox.
    expect(mail.headers.get('x-isms-review-evidence-key')).toMatch(/^SHA256:/);
    const files = mail.attachments.map((a) => a.filename);
    expect(files).toContain(`review-package-${w.cycleId}-v1.pdf`);
    // The minutes form goes to the ISMS manager alone, who writes the minutes; not to top management.
    expect(files.some((name) => name?.startsWith('minutes-template'))).toBe(false);
    const form = await w.sentUnder('minutes-form:v1');
    expect(form.to).toEqual([w.person('alice').email]);
    expect(form.cc).toEqual([]);
    expect(form.subject).toMatch(/^Minutes form for the meeting of /);
    const template = form.attachments.find((a) => a.filename === `minutes-template-${w.cycleId}.yaml`)!;
    expect(template.content.toString('utf8')).toContain(`cycle: ${w.cycleId}`);
    const invitation = mail.attachments.find((a) => a.contentType === 'text/calendar')!;
    expect(invitation.content.toString('utf8')).toContain('SEQUENCE:0');

    const events = await w.repo.listEvents(w.cycleId);
    expect(events.at(-1)).toMatchObject({
      type: 'package.distributed',
      data: { sha256: cycle.packageHash, version: 1, icsSequence: 0 },
    });
    expect([...(events.at(-1)!.data.recipients as string[])].sort()).toEqual(addresses(w, ATTENDEES));

    const sent = w.mailer.sent.length;
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ phase: 'DISTRIBUTED' });
    expect(w.mailer.sent).toHaveLength(sent);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
    expect(verifyChain(events).ok).toBe(true);
  });

  it('after an SES outage, sends it once when the workflow retries', async () => {
    const w = await memoryWorld();
    const compiled = await toApproved(w);
    w.clock.set(new Date(compiled.packageSendAt));
    w.mailer.failNext(new MailServiceUnavailable('SES could not take the message now (Throttling)'));
    await expect(distributePackage(w.deps, w.cycleId)).rejects.toBeInstanceOf(MailServiceUnavailable);
    expect((await theCycle(w)).phase).toBe('AWAITING_DISTRIBUTION');
    expect((await w.repo.listEvents(w.cycleId)).map((e) => e.type)).not.toContain('package.distributed');

    w.clock.advance(60_000);
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ phase: 'DISTRIBUTED' });
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('Management review package'))).toHaveLength(1);
    const types = (await w.repo.listEvents(w.cycleId)).map((e) => e.type);
    expect(types.filter((t) => t === 'package.distributed')).toHaveLength(1);
    expect(types.filter((t) => t === 'package.built')).toHaveLength(1);
  });

  it('makes a new version when an answer arrived after the package was approved, and sends it once approved', async () => {
    const w = await memoryWorld();
    const compiled = await toApproved(w);
    const late = await answer(w, 'g');
    expect(late).toMatchObject({ ok: true, late: true });

    w.clock.set(new Date(compiled.packageSendAt));
    // Version 1 is not sent, and nothing is built here: the workflow goes back through the approval
    // check to CompilePackage, which builds version 2 for the ISMS manager to approve.
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({
      phase: 'AWAITING_DISTRIBUTION',
      packageApproved: false,
    });
    expect(await builtEvents(w)).toHaveLength(1);
    expect((await w.outbox.listSent(w.cycleId)).map((m) => m.key)).not.toContain('package:v1');
    expect((await answerApproval(w, 'package')).outcome).toBe('accepted');
    const view = await distributePackage(w.deps, w.cycleId);
    expect(view.phase).toBe('DISTRIBUTED');
    const built = await builtEvents(w);
    expect(built.map((e) => [e.data.version, e.data.rebuiltFor ?? null])).toEqual([
      [1, null],
      [2, ['g']],
    ]);
    const cycle = await theCycle(w);
    expect(cycle.packageHash).toBe(built[1]!.data.sha256);
    expect(cycle.packageHash).not.toBe(compiled.packageHash);
    const mail = await w.sentUnder('package:v2');
    expect(mail.attachments.map((a) => a.filename)).toContain(`review-package-${w.cycleId}-v2.pdf`);
    expect((await w.outbox.listSent(w.cycleId)).map((m) => m.key)).not.toContain('package:v1');
  });
});

describe('moving the meeting', () => {
  it('refuses a time that is not UTC, in the past, or before the input deadline', async () => {
    const w = await memoryWorld();
    const move = (meetingAt: string, cycleId = w.cycleId) =>
      moveMeeting(w.deps, { cycleId, meetingAt, by: 'alice' }).catch((error: Error) => error);
    expect(await move('next Tuesday')).toBeInstanceOf(MeetingCannotMove);
    expect(((await move('2027-02-01T09:00:00Z')) as Error).message).toContain('has passed');
    expect(((await move('2027-03-15T09:00:00Z')) as Error).message).toContain(
      'cannot be before the input deadline',
    );
    expect(await move('2027-04-01T09:00:00Z', 'C-20990101T0000Z-Q')).toBeInstanceOf(PackageSourceMissing);
    expect((await theCycle(w)).plannedMeetingAt).toBe(MEETING);
    expect((await w.repo.listEvents(w.cycleId)).map((e) => e.type)).not.toContain('meeting.moved');
  });

  it('before the package is sent, changes only the date: the package carries the new time', async () => {
    const w = await memoryWorld();
    const sent = w.mailer.sent.length;
    const { cycle, sequence } = await moveMeeting(w.deps, {
      cycleId: w.cycleId,
      meetingAt: '2027-03-31T13:00:00Z',
      by: 'alice',
    });
    expect(sequence).toBeUndefined();
    expect(cycle.plannedMeetingAt).toBe('2027-03-31T13:00:00.000Z');
    expect(w.mailer.sent).toHaveLength(sent);
    expect((await w.repo.listEvents(w.cycleId)).at(-1)).toMatchObject({
      type: 'meeting.moved',
      actor: 'alice',
      data: { from: MEETING, to: '2027-03-31T13:00:00.000Z' },
    });
  });

  it('after the package is sent, sends every attendee one update; the minutes are asked for at the new time', async () => {
    const w = await memoryWorld();
    await toDistributed(w);
    const later = '2027-04-02T13:00:00.000Z';
    const move = () => moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: later, by: 'alice' });

    expect(await move()).toMatchObject({ sequence: 1, cycle: { plannedMeetingAt: later } });
    expect(await move()).toMatchObject({ sequence: 1 }); // the command run again
    const update = await w.sentUnder('meeting:seq1');
    expect([...update.to].sort()).toEqual(addresses(w, ATTENDEES));
    // Named by its new date, in London time.
    expect(update.subject).toBe(
      'Moved: Quarterly management review, 2027-04-02, now Fri 2 Apr, 14:00 UK time',
    );
    const invitation = update.attachments.find((a) => a.contentType === 'text/calendar')!;
    expect(invitation.content.toString('utf8')).toContain('SEQUENCE:1');
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('Moved:'))).toHaveLength(1);
    const moved = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'meeting.moved');
    expect(moved.map((e) => e.data)).toEqual([{ from: MEETING, to: later, sequence: 1 }]);

    // The workflow wakes at the old time: it asks for nothing and waits again, for the new one.
    w.clock.set(new Date(Date.parse(MEETING) + 2 * HOUR));
    expect(await requestMinutes(w.deps, w.cycleId)).toMatchObject({
      meetingHeld: false,
      meetingAt: later,
      phase: 'DISTRIBUTED',
    });
    w.clock.set(new Date(Date.parse(later) + 2 * HOUR));
    expect(await requestMinutes(w.deps, w.cycleId)).toMatchObject({
      meetingHeld: true,
      phase: 'AWAITING_MINUTES',
    });
    await requestMinutes(w.deps, w.cycleId); // a retried task
    const request = w.oneMail('alice', 'Minutes needed');
    expect(request.to).toEqual([w.person('alice').email]);
    // The moved meeting's minutes are due a week after it.
    expect(request.subject).toContain('Fri 9 Apr');
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('Minutes needed'))).toHaveLength(1);
    // Past the meeting, it can no longer move.
    w.clock.advance(DAY);
    await expect(
      moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: '2027-05-01T09:00:00Z', by: 'alice' }),
    ).rejects.toThrow(/the cycle is AWAITING_MINUTES, past the meeting/);
  });
});

describe('the workflow state after compile', () => {
  it('checks inputs no more once the package is built', async () => {
    const w = await memoryWorld();
    await toCompiled(w);
    const events = await w.repo.listEvents(w.cycleId);
    expect(await checkInputs(w.deps, w.cycleId)).toMatchObject({ proceed: true, missing: [] });
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });
});

describe('asking for the minutes', () => {
  it('asks the ISMS manager once the meeting has been held, and only once', async () => {
    const w = await memoryWorld();
    await toDistributed(w);
    w.clock.set(new Date(Date.parse(MEETING) - HOUR));
    expect(await requestMinutes(w.deps, w.cycleId)).toMatchObject({
      meetingHeld: false,
      phase: 'DISTRIBUTED',
    });
    expect(w.mailsTo('alice').filter((m) => m.subject.startsWith('Minutes needed'))).toEqual([]);

    w.clock.set(new Date(Date.parse(MEETING) + 3 * HOUR));
    expect(await requestMinutes(w.deps, w.cycleId)).toMatchObject({
      meetingHeld: true,
      phase: 'AWAITING_MINUTES',
    });
    await requestMinutes(w.deps, w.cycleId);
    const request = w.oneMail('alice', 'Minutes needed');
    expect(request.to).toEqual([w.person('alice').email]);
    expect(request.cc).toEqual([]);
    expect(request.replyTo[0]).toMatch(/^review\+/);
    expect(request.text).toContain(`npx isms-review minutes submit ${w.cycleId} --file minutes.yaml`);
  });

  it('reminds the ISMS manager every two days, copies the chair from the third, then goes on weekly, each once', async () => {
    const w = await memoryWorld();
    await toAwaitingMinutes(w);
    for (let day = 0; day <= 30; day += 1) {
      for (const hour of [10, 18]) {
        w.clock.set(new Date(Date.parse(MEETING) + day * DAY + (hour - 9) * HOUR));
        expect(await checkMinutes(w.deps, w.cycleId)).toMatchObject({ accepted: false });
      }
    }
    const sent = (await w.outbox.listSent(w.cycleId)).filter((m) => m.purpose === 'minutes');
    expect(sent.map((m) => m.key)).toEqual([
      'minutes-request',
      ...[1, 2, 3, 4, 5, 6].map((n) => `minutes:reminder-${n}`),
    ]);
    const [manager, chair] = [w.person('alice').email, w.person('ceo').email];
    for (const m of sent.slice(0, 3)) expect(m.recipients).toEqual([manager]);
    for (const m of sent.slice(3)) expect(m.recipients).toEqual([chair, manager].sort());
    expect((await w.sentUnder('minutes:reminder-3')).subject).toMatch(/^Reminder 3: Minutes needed/);
    const events = (await w.repo.listEvents(w.cycleId)).filter((e) =>
      /^minutes\.(reminder|escalated)/.test(e.type),
    );
    expect(events.map((e) => [e.type, e.data.reminder, e.at.slice(0, 10)])).toEqual([
      ['minutes.reminder_sent', 1, '2027-03-31'],
      ['minutes.reminder_sent', 2, '2027-04-02'],
      // Due on Sundays, they wait for Monday, inside the ISMS manager's business hours.
      ['minutes.escalated', 3, '2027-04-05'],
      ['minutes.escalated', 4, '2027-04-12'],
      ['minutes.escalated', 5, '2027-04-19'],
      ['minutes.escalated', 6, '2027-04-26'],
    ]);
  });
});

describe('accepted minutes', () => {
  it('resume the waiting workflow once, are archived, and go to every attendee with their PDF', async () => {
    const w = await memoryWorld();
    const awaiting = await toAwaitingMinutes(w);
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'minutes-token-1', purpose: 'minutes' });
    const text = exampleMinutes(w, awaiting);

    const bad = await submitMinutes(w.deps, {
      cycleId: w.cycleId,
      text: text.replace('owner: ciso', 'owner: nobody'),
    });
    expect(bad.ok).toBe(false);
    expect(w.workflow.calls).toEqual([]);

    const accepted = await submitMinutes(w.deps, { cycleId: w.cycleId, text, fileName: 'minutes.yaml' });
    expect(accepted).toMatchObject({ ok: true, repeated: false, resumed: true });
    expect(await submitMinutes(w.deps, { cycleId: w.cycleId, text })).toMatchObject({
      repeated: true,
      resumed: false,
    });
    expect(w.workflow.calls).toEqual([
      { taskToken: 'minutes-token-1', output: { cycleId: w.cycleId, purpose: 'minutes' } },
    ]);
    // The workflow's check, and a reminder step that was already under way, send nothing now.
    w.clock.advance(3 * DAY);
    expect(await checkMinutes(w.deps, w.cycleId)).toMatchObject({ accepted: true });
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('Reminder'))).toEqual([]);

    const view = await recordOutcomes(w.deps, w.cycleId);
    expect(view.phase).toBe('FOLLOW_UP');
    const rendered = (await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'minutes.rendered')!;
    expect(rendered.data).toMatchObject({ version: 1 });
    const pdf = await w.evidence.get(String(rendered.data.pdfKey));
    expect(sha256Of(pdf)).toBe(rendered.data.pdfSha256);
    expect(sha256Of(await w.evidence.get(String(rendered.data.htmlKey)))).toBe(rendered.data.htmlSha256);

    const mail = await w.sentUnder('minutes:v1');
    expect([...mail.to].sort()).toEqual(ATTENDEES.map((id) => w.person(id).email).sort());
    expect(mail.subject).toBe(
      'Minutes: Quarterly management review, 2027-03-29, meeting of Monday 29 March 2027',
    );
    expect(mail.headers.get('x-isms-review-evidence-key')).toMatch(/^SHA256:/);
    const attached = mail.attachments.find((a) => a.contentType === 'application/pdf')!;
    expect(attached.filename).toBe(`minutes-${w.cycleId}-v1.pdf`);
    expect(attached.content.equals(pdf)).toBe(true);
    expect(mail.text).toContain('Agree input deadlines with every owner');

    const [action] = await w.repo.listActionsOfCycle(w.cycleId);
    expect((await w.repo.listEvents(w.cycleId)).at(-1)).toMatchObject({
      type: 'cycle.phase_changed',
      data: { from: 'AWAITING_MINUTES', to: 'FOLLOW_UP', actions: [action!.id] },
    });
    // The workflow retries the step: nothing is archived or sent again.
    const events = await w.repo.listEvents(w.cycleId);
    const sent = w.mailer.sent.length;
    await recordOutcomes(w.deps, w.cycleId);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
    expect(w.mailer.sent).toHaveLength(sent);
  });
});

describe('following up and closing', () => {
  it('keeps the cycle open while its action is open, then closes it with its chain sealed', async () => {
    const w = await memoryWorld();
    await toFollowUp(w);
    const [action] = await w.repo.listActionsOfCycle(w.cycleId);
    expect(action).toMatchObject({ ownerId: 'ciso', status: 'open', dueDate: '2027-04-08' });

    expect(await followUpActions(w.deps, w.cycleId)).toMatchObject({ allClosed: false, open: 1 });
    // The owner is reminded as the due date nears.
    w.clock.set(new Date('2027-04-01T09:00:00.000Z'));
    expect(await followUpActions(w.deps, w.cycleId)).toMatchObject({ allClosed: false, open: 1 });
    expect(w.oneMail('ciso', 'Action due in 7 days', action!.id).to).toEqual([w.person('ciso').email]);

    await changeAction(w.deps, {
      actionId: action!.id,
      by: 'ciso',
      source: { channel: 'cli' },
      command: {
        kind: 'done',
        evidence: 'Deadlines agreed with every owner: https://intranet.example.com/deadlines',
      },
    });
    const result = await followUpActions(w.deps, w.cycleId);
    expect(result).toMatchObject({ allClosed: true, open: 0 });

    const head = await w.repo.getChainHead(w.cycleId);
    expect(await closeCycle(w.deps, w.cycleId)).toMatchObject({ phase: 'CLOSED' });
    const cycle = await theCycle(w);
    expect(cycle).toMatchObject({ phase: 'CLOSED', status: 'closed' });
    const events = await w.repo.listEvents(w.cycleId);
    expect(events.at(-1)).toMatchObject({
      type: 'cycle.closed',
      data: { chainHeadBeforeClose: { seq: head.seq, hash: head.hash } },
    });
    expect(await closeCycle(w.deps, w.cycleId)).toMatchObject({ phase: 'CLOSED' });
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);

    // One unbroken chain from opening to close, and every email sent once.
    expect(verifyChain(events, { head: await w.repo.getChainHead(w.cycleId) })).toMatchObject({
      ok: true,
      count: events.length,
    });
    const types = events.map((e) => e.type);
    for (const type of [
      'cycle.opened',
      'input.not_provided',
      'package.built',
      'package.distributed',
      'minutes.accepted',
      'action.created',
      'minutes.rendered',
      'action.reminder_sent',
      'action.updated',
      'cycle.closed',
    ]) {
      expect(types, type).toContain(type);
    }
    const keys = (await w.outbox.listSent(w.cycleId)).map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(w.mailer.sent).toHaveLength(keys.length);
  });

  it('does not close a cycle before its follow-up', async () => {
    const w = await memoryWorld();
    const events = await w.repo.listEvents(w.cycleId);
    expect(await closeCycle(w.deps, w.cycleId)).toMatchObject({ phase: 'AWAITING_INPUTS' });
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });
});

describe('a failed step', () => {
  it('is recorded on the cycle and told to the ISMS manager once', async () => {
    const w = await memoryWorld();
    const failure = {
      cycleId: w.cycleId,
      state: 'CompilePackage',
      error: { Error: 'PackageSourceMissing', Cause: 'programme example-ltd version 1 is not stored' },
    };
    expect(await recordFailure(w.deps, failure)).toEqual({ recorded: true });
    expect(await recordFailure(w.deps, failure)).toEqual({ recorded: true });
    expect(await theCycle(w)).toMatchObject({
      phase: 'FAILED',
      failure: { error: 'PackageSourceMissing', cause: 'programme example-ltd version 1 is not stored' },
    });
    const told = w.oneMail('alice', 'Review workflow failed');
    expect(told.subject).toBe(
      'Review workflow failed: Quarterly management review, 2027-03-29, step "CompilePackage"',
    );
    expect(told.text).toContain('programme example-ltd version 1 is not stored');
    const failed = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'cycle.failed');
    expect(failed.map((e) => e.data)).toEqual([
      {
        error: 'PackageSourceMissing',
        cause: 'programme example-ltd version 1 is not stored',
        state: 'CompilePackage',
      },
    ]);
  });
});
