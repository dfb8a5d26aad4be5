/**
 * Approvals by reply (shared/cycle/approvals.ts, shared/ingest/approvals.ts): the ISMS manager
 * approves the package before it goes to top management, the chair approves the minutes before they
 * are distributed. Bad answers first: each is refused with what to write, and records nothing.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nextBusinessTime } from '#shared/mail/business-hours.ts';
import { checkApproval, compilePackage, distributePackage, recordOutcomes } from '#shared/cycle/service.ts';
import { submitMinutes } from '#shared/minutes/submit.ts';
import { memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import { answer, exampleMinutes, theCycle, toApproved, toAwaitingMinutes, toCompiled } from './support.ts';

const DAY = 86_400_000;

async function eventTypes(w: MemoryWorld): Promise<string[]> {
  return (await w.repo.listEvents(w.cycleId)).map((event) => event.type);
}

/** The reply `body` from `personId` to the latest request for `subject`, through the whole ingest. */
async function replyToRequest(
  w: MemoryWorld,
  subject: 'package' | 'minutes',
  version: number,
  personId: string,
  body: string,
) {
  const request = await w.sentUnder(`${subject}-approval:v${version}:request`);
  return w.deliver(w.replyTo(request, personId, body));
}

describe('approving the package', () => {
  it('asks the ISMS manager once per version, with the package attached and a reply address', async () => {
    const w = await memoryWorld();
    await toCompiled(w);
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: false,
      version: 1,
    });
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: false,
    });
    const mails = w.mailsTo('alice').filter((m) => m.subject.includes('Approval needed'));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.subject).toContain('review package v1');
    expect(mail!.attachments.map((a) => a.filename)).toEqual([`review-package-${w.cycleId}-v1.pdf`]);
    expect(mail!.text).toContain('APPROVE');
    expect(mail!.text).toContain('CHANGES');
    expect(mail!.replyTo).toHaveLength(1);
    expect((await eventTypes(w)).filter((t) => t === 'package.approval_requested')).toHaveLength(1);
  });

  it.each([
    ['no command', 'Looks fine to me.', 'no command was found'],
    ['a command of another message', 'DONE all good', 'DONE is not a command for this message'],
    ['CHANGES without what', 'CHANGES', 'CHANGES needs what must change'],
    ['OBJECT, the chair’s word for minutes', 'OBJECT the figures are wrong', 'OBJECT is not a command'],
  ])('refuses %s, saying what to write, and records nothing', async (_case, body, says) => {
    const w = await memoryWorld();
    await toCompiled(w);
    await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
    const before = await eventTypes(w);
    const result = await replyToRequest(w, 'package', 1, 'alice', body);
    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain(says);
    expect((await eventTypes(w)).filter((t) => t.startsWith('package.'))).toEqual(
      before.filter((t) => t.startsWith('package.')),
    );
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ packageApproved: false });
  });

  it('refuses an approval from anyone but the ISMS manager', async () => {
    const w = await memoryWorld();
    await toCompiled(w);
    await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
    const request = await w.sentUnder('package-approval:v1:request');
    const forged = await w.deliver(w.replyTo(request, 'ceo', 'APPROVE'));
    expect(forged.outcome).not.toBe('accepted');
    expect(await eventTypes(w)).not.toContain('package.approved');
  });

  it('records APPROVE once, however often the message is handled, and then lets the package go', async () => {
    const w = await memoryWorld();
    await toCompiled(w);
    await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
    const request = await w.sentUnder('package-approval:v1:request');
    const reply = w.replyTo(request, 'alice', 'APPROVE\nChecked every input against the register.');
    expect((await w.deliver(reply)).outcome).toBe('accepted');
    await w.deliver(reply);
    const approved = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'package.approved');
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({
      actor: 'alice',
      data: {
        version: 1,
        sha256: (await theCycle(w)).packageHash,
        comment: 'Checked every input against the register.',
      },
    });
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: true,
      version: 1,
    });
    w.clock.set(new Date((await theCycle(w)).packageSendAt));
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({
      phase: 'DISTRIBUTED',
      packageApproved: true,
    });
    const types = await eventTypes(w);
    expect(types.indexOf('package.approved')).toBeLessThan(types.indexOf('package.distributed'));
    // After distribution an answer changes nothing.
    const late = await replyToRequest(w, 'package', 1, 'alice', 'CHANGES add the audit');
    expect(late.outcome).toBe('rejected');
    expect(late.reason).toContain('already been sent to top management');
  });

  it('holds the package on CHANGES; a corrected input builds version 2, which is asked about and approved', async () => {
    const w = await memoryWorld();
    await toCompiled(w);
    await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
    const changes = await replyToRequest(w, 'package', 1, 'alice', 'CHANGES input g needs the October audit');
    expect(changes.outcome).toBe('accepted');
    expect(
      (await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'package.changes_requested'),
    ).toMatchObject({
      data: { version: 1, what: 'input g needs the October audit' },
    });
    w.clock.set(new Date((await theCycle(w)).packageSendAt));
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ packageApproved: false });

    await answer(w, 'g');
    // Version 1 is not asked about again: the workflow compiles version 2 first, then asks.
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: false,
      rebuild: true,
    });
    expect((await eventTypes(w)).filter((t) => t === 'package.built')).toHaveLength(1);
    await compilePackage(w.deps, w.cycleId);
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: false,
      version: 2,
    });
    const second = await w.sentUnder('package-approval:v2:request');
    expect(second.text).toContain('input g needs the October audit');
    // The first version can no longer be approved.
    const stale = await replyToRequest(w, 'package', 1, 'alice', 'APPROVE');
    expect(stale.outcome).toBe('rejected');
    expect(stale.reason).toContain('replaced by version 2');
    expect((await replyToRequest(w, 'package', 2, 'alice', 'APPROVE')).outcome).toBe('accepted');
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ phase: 'DISTRIBUTED' });
    expect((await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'package.distributed')).toMatchObject({
      data: { version: 2 },
    });
  });

  it('reminds the ISMS manager daily in business hours and, from the sending date, copies the chair; each once', async () => {
    const w = await memoryWorld();
    const compiled = await toCompiled(w);
    const zone = w.programme.organisation.timeZone;
    const check = () => checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
    const reminders = () =>
      w.mailsTo('alice').filter((m) => /^Reminder \d+: Approval needed/.test(m.subject));
    await check();
    const asked = Date.parse(
      (await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'package.approval_requested')!.at,
    );
    // A day later, but at night in the ISMS manager's zone: the reminder waits for the morning.
    const night = DateTime.fromMillis(asked + DAY, { zone })
      .set({ hour: 2, minute: 0 })
      .plus({ days: 1 });
    w.clock.set(night.toJSDate());
    await check();
    expect(reminders()).toHaveLength(0);
    w.clock.set(nextBusinessTime(night.toJSDate(), zone));
    await check();
    await check();
    expect(reminders()).toHaveLength(1);
    expect(w.mailsTo('ceo').filter((m) => m.subject.includes('Approval needed'))).toHaveLength(0);
    w.clock.set(nextBusinessTime(new Date(Date.parse(compiled.packageSendAt) + 60_000), zone));
    await check();
    await check();
    const copied = w.mailsTo('ceo').filter((m) => m.subject.includes('Approval needed'));
    expect(copied).toHaveLength(1);
    expect(copied[0]!.to).toEqual([w.person('alice').email]);
    expect(copied[0]!.text).toContain('is not sent to top management until it is approved');
    expect(await eventTypes(w)).toContain('package.approval_escalated');
  });

  it('sends the package unapproved when the programme turns the approval off', async () => {
    const base = (await memoryWorld({ open: false })).programme;
    const w = await memoryWorld({ programme: { ...base, approvals: { package: false } } });
    const compiled = await toCompiled(w);
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: true,
    });
    expect(w.mailsTo('alice').filter((m) => m.subject.includes('Approval needed'))).toHaveLength(0);
    w.clock.set(new Date(compiled.packageSendAt));
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ phase: 'DISTRIBUTED' });
  });

  it('without approval, still sends only a package built from the inputs as they are now', async () => {
    const base = (await memoryWorld({ open: false })).programme;
    const w = await memoryWorld({ programme: { ...base, approvals: { package: false } } });
    const compiled = await toCompiled(w);
    await answer(w, 'g');
    w.clock.set(new Date(compiled.packageSendAt));
    // Version 1 predates the answer: it is not sent, and the check sends the workflow to compile.
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ packageApproved: false });
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: false,
      rebuild: true,
    });
    await compilePackage(w.deps, w.cycleId);
    // Compiled again with nothing changed since: no third version.
    await compilePackage(w.deps, w.cycleId);
    expect((await eventTypes(w)).filter((t) => t === 'package.built')).toHaveLength(2);
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' })).toMatchObject({
      approved: true,
    });
    expect(await distributePackage(w.deps, w.cycleId)).toMatchObject({ phase: 'DISTRIBUTED' });
    expect((await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'package.distributed')).toMatchObject({
      data: { version: 2 },
    });
    expect(w.mailsTo('alice').filter((m) => m.subject.includes('Approval needed'))).toHaveLength(0);
  });
});

describe('approving the minutes', () => {
  async function withMinutes(w: MemoryWorld, text?: string) {
    const cycle = await toAwaitingMinutes(w);
    const submitted = await submitMinutes(w.deps, {
      cycleId: w.cycleId,
      text: text ?? exampleMinutes(w, cycle),
      fileName: 'minutes.yaml',
    });
    if (!submitted.ok) throw new Error(submitted.problems.join('\n'));
    return cycle;
  }

  it('asks the chair with the minutes attached; APPROVE by the chair lets them be distributed', async () => {
    const w = await memoryWorld();
    await withMinutes(w);
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' })).toMatchObject({
      approved: false,
      version: 1,
    });
    const request = await w.sentUnder('minutes-approval:v1:request');
    expect(request.to).toEqual([w.person('ceo').email]);
    expect(request.attachments.map((a) => a.filename)).toEqual([`minutes-${w.cycleId}-v1.pdf`]);
    expect(request.text).toContain('OBJECT');
    // The ISMS manager who wrote them cannot approve them.
    const own = await w.deliver(w.replyTo(request, 'alice', 'APPROVE'));
    expect(own.outcome).not.toBe('accepted');
    expect((await w.deliver(w.replyTo(request, 'ceo', 'APPROVE'))).outcome).toBe('accepted');
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' })).toMatchObject({
      approved: true,
    });
    await recordOutcomes(w.deps, w.cycleId);
    const types = await eventTypes(w);
    expect(types.indexOf('minutes.approved')).toBeGreaterThan(-1);
    expect(types.indexOf('minutes.approved')).toBeLessThan(types.lastIndexOf('mail.sent'));
    expect((await theCycle(w)).phase).toBe('FOLLOW_UP');
  });

  it('refuses OBJECT without what is wrong; OBJECT with it copies the ISMS manager, and corrected minutes come back to the chair', async () => {
    const w = await memoryWorld();
    const cycle = await withMinutes(w);
    await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' });
    const bare = await replyToRequest(w, 'minutes', 1, 'ceo', 'OBJECT');
    expect(bare.outcome).toBe('rejected');
    expect(bare.reason).toContain('OBJECT needs what is wrong');
    const changes = await replyToRequest(w, 'minutes', 1, 'ceo', 'CHANGES please');
    expect(changes.outcome).toBe('rejected');

    const objected = await replyToRequest(
      w,
      'minutes',
      1,
      'ceo',
      'OBJECT the action was given to the CTO, not the CISO',
    );
    expect(objected.outcome).toBe('accepted');
    const answerMail = w.mailer.sent.at(-1)!;
    expect(answerMail.cc).toContain(w.person('alice').email);
    expect(answerMail.text).toContain('replaces');

    const corrected = await submitMinutes(w.deps, {
      cycleId: w.cycleId,
      text: `replaces: 1\n${exampleMinutes(w, cycle).replace('Agree input deadlines', 'Agree the input deadlines')}`,
      fileName: 'minutes-v2.yaml',
    });
    expect(corrected.ok).toBe(true);
    expect(await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'minutes' })).toMatchObject({
      approved: false,
      version: 2,
    });
    expect((await w.sentUnder('minutes-approval:v2:request')).text).toContain(
      'the action was given to the CTO',
    );
    expect((await replyToRequest(w, 'minutes', 1, 'ceo', 'APPROVE')).reason).toContain(
      'replaced by version 2',
    );
    expect((await replyToRequest(w, 'minutes', 2, 'ceo', 'APPROVE')).outcome).toBe('accepted');
    expect((await w.repo.listEvents(w.cycleId)).find((e) => e.type === 'minutes.approved')).toMatchObject({
      actor: 'ceo',
      data: { version: 2 },
    });
  });
});

describe('the workflow resumes on an answer', () => {
  it('parks on the approval and is resumed once by APPROVE', async () => {
    const w = await memoryWorld();
    await toCompiled(w);
    await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
    const { awaitPeople } = await import('#shared/cycle/service.ts');
    await awaitPeople(w.deps, {
      cycleId: w.cycleId,
      taskToken: 'token-package',
      purpose: 'package-approval',
    });
    expect(w.workflow.calls).toHaveLength(0);
    const approved = await replyToRequest(w, 'package', 1, 'alice', 'APPROVE');
    expect(approved).toMatchObject({ outcome: 'accepted', resumed: true });
    expect(w.workflow.calls.map((c) => c.taskToken)).toEqual(['token-package']);
  });

  it('a package already approved when the token is parked resumes at once', async () => {
    const w = await memoryWorld();
    await toApproved(w);
    const { awaitPeople } = await import('#shared/cycle/service.ts');
    await awaitPeople(w.deps, { cycleId: w.cycleId, taskToken: 'token-late', purpose: 'package-approval' });
    expect(w.workflow.calls.map((c) => c.taskToken)).toEqual(['token-late']);
  });
});
