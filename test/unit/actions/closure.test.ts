/**
 * Actions closed on evidence: DONE needs an attachment or a web link; a corrective action's DONE
 * goes to the ISMS manager (the chair when the ISMS manager owns it), who answers CONFIRM (the
 * effectiveness check starts) or REOPEN <what is missing> (back to the owner, in progress). First as
 * pure changes, then by email on the in-memory world (test/unit/minutes/support.ts: a corrective
 * action for the auditor due 15 December 2026, the MFA action for the CISO due 31 January 2027).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import { EvidenceFileRefused, keepEvidenceFile, linksIn } from '#shared/actions/closure-evidence.ts';
import { MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';
import { actionRow, evidenceLines } from '../../../cli/commands/actions.ts';
import { changeAction, planChange, type ActionCommand } from '#shared/actions/register.ts';
import { followUpActions } from '#shared/cycle/service.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { Action, awaitingConfirmation, needsFollowUp } from '#shared/model/action.ts';
import { cycleWithMinutes } from './support.ts';
import { memoryWorld, type MemoryWorld, type RecordedMail } from '#test/support/memory-world.ts';
import { anAction } from '#test/unit/model/builders.ts';
import { NOW, theCycle, theProgramme } from '#test/unit/minutes/support.ts';

const programme = theProgramme();
const cycle = theCycle();
const AT = new Date('2026-12-01T10:00:00.000Z');
const LINK = 'https://tickets.example.com/HR-101';

const open = (overrides: Partial<Action> = {}) => anAction(cycle, 1, overrides);
const awaiting = (overrides: Partial<Action> = {}) =>
  open({
    corrective: true,
    status: 'done',
    closureEvidence: { text: `closed, see ${LINK}`, links: [LINK], at: AT.toISOString(), by: 'ciso' },
    effectivenessCheck: { assigneeId: 'alice', dueDate: '2026-12-31' },
    ...overrides,
  });

function plan(action: Action, command: ActionCommand, by = 'ciso', channel: 'email' | 'cli' = 'email') {
  return planChange(
    action,
    {
      actionId: action.id,
      by,
      source: channel === 'email' ? { channel, messageId: '<m1@example.com>' } : { channel },
      command,
    },
    programme,
    AT,
  );
}

function refusal(action: Action, command: ActionCommand, by = 'ciso', channel: 'email' | 'cli' = 'email') {
  try {
    plan(action, command, by, channel);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  throw new Error('the change was accepted');
}

const A_PDF = {
  name: 'hr-101-closed.pdf',
  sha256: 'a'.repeat(64),
  size: 2048,
  s3Key: `cycles/${cycle.id}/inbound/x/${'a'.repeat(64)}`,
};

describe('what DONE refuses', () => {
  it("the owner's word alone, by email and on the command line, saying what to attach or link", () => {
    for (const text of ['finished it', 'see link', 'see the ticket in Jira', 'https://', 'http://?']) {
      const byEmail = refusal(open(), { kind: 'done', evidence: text });
      expect(byEmail, text).toContain('was not marked done: closing an action needs evidence');
      expect(byEmail, text).toContain('attach the document that shows it (a PDF, CSV or XLSX)');
      expect(byEmail, text).toContain('put a link to where it can be seen (https://...) in the DONE line');
      expect(byEmail, text).not.toContain('--evidence');
    }
    const onCli = refusal(open(), { kind: 'done', evidence: 'finished it' }, 'alice', 'cli');
    expect(onCli).toContain('give --evidence-url <https://...>');
    expect(onCli).toContain('--evidence-file <file>');
  });

  it('a javascript:, ftp: or file: "link", naming it; and a non-web link given apart', () => {
    for (const link of [
      'javascript:alert(document.cookie)',
      'ftp://files.example.com/evidence.pdf',
      'file:///C:/evidence.pdf',
    ]) {
      const reason = refusal(open(), { kind: 'done', evidence: `done, see ${link}` });
      expect(reason, link).toContain(`"${link}" is not a web link (only http:// and https:// links count)`);
    }
    expect(
      refusal(
        open(),
        { kind: 'done', evidence: 'done', links: ['ftp://files.example.com/x'] },
        'alice',
        'cli',
      ),
    ).toContain('"ftp://files.example.com/x" is not a web link');
    expect(linksIn('see javascript:alert(1) and https://ok.example.com/a.')).toEqual({
      links: ['https://ok.example.com/a'],
      refused: ['javascript:alert(1)'],
    });
  });

  it('keeps the web links and the attachments, and the result is a valid action', () => {
    const linked = plan(open(), {
      kind: 'done',
      evidence: `Policy v2 published (${LINK}), announced at https://intranet.example.com/news/42.`,
    });
    expect(Action.parse(linked.next).closureEvidence).toMatchObject({
      links: [LINK, 'https://intranet.example.com/news/42'],
      by: 'ciso',
    });
    expect(linked.followOn).toBeUndefined();
    expect(linked.eventData).toMatchObject({ links: [LINK, 'https://intranet.example.com/news/42'] });
    const attached = plan(open(), {
      kind: 'done',
      evidence: 'The closed ticket is attached.',
      attachments: [A_PDF],
    });
    expect(Action.parse(attached.next).closureEvidence).toMatchObject({ attachments: [A_PDF] });
    expect(attached.eventData).toMatchObject({
      attachments: [{ name: A_PDF.name, sha256: A_PDF.sha256, size: A_PDF.size }],
    });
    // Not corrective: closed on DONE, no confirmation.
    expect(needsFollowUp(attached.next)).toBe(false);
  });
});

describe('confirming the closure of a corrective action', () => {
  it('refuses CONFIRM from anyone but the ISMS manager, on a non-corrective or not-done action', () => {
    expect(refusal(awaiting(), { kind: 'confirm' }, 'cto')).toBe(
      'InvalidActionChange: only Alice Example (alice) confirms the closure of action A-20261001T0800Z-Q-001; cto may not',
    );
    expect(refusal(awaiting(), { kind: 'confirm' }, 'ciso')).toContain(
      'nobody confirms their own work: ciso owns action A-20261001T0800Z-Q-001',
    );
    const done = open({
      status: 'done',
      closureEvidence: { text: `x ${LINK}`, at: AT.toISOString(), by: 'ciso' },
    });
    expect(refusal(done, { kind: 'confirm' }, 'alice')).toContain(
      'is not a corrective action: it closed when it was done, and there is no closure to confirm',
    );
    expect(refusal(open({ corrective: true }), { kind: 'confirm' }, 'alice')).toContain(
      'is open; only a done corrective action awaiting confirmation can be confirmed',
    );
    const confirmed = plan(awaiting(), { kind: 'confirm' }, 'alice').next;
    expect(refusal(confirmed, { kind: 'confirm' }, 'alice')).toContain('was already confirmed by alice');
  });

  it('refuses REOPEN without a reason, and from anyone but the confirmer', () => {
    expect(refusal(awaiting(), { kind: 'reopen', note: '  ' }, 'alice')).toContain(
      'REOPEN needs what is missing',
    );
    expect(refusal(awaiting(), { kind: 'reopen', note: 'no' }, 'cto')).toContain(
      'only Alice Example (alice)',
    );
  });

  it('has the chair confirm when the ISMS manager owns the action: nobody confirms their own work', () => {
    const own = awaiting({
      ownerId: 'alice',
      effectivenessCheck: { assigneeId: 'ceo', dueDate: '2026-12-31' },
    });
    expect(refusal(own, { kind: 'confirm' }, 'alice')).toContain(
      'nobody confirms their own work: alice owns action A-20261001T0800Z-Q-001, so Carol Chief (ceo) confirms it',
    );
    const { next } = plan(own, { kind: 'confirm', note: 'ticket seen closed' }, 'ceo');
    expect(Action.parse(next).closureConfirmation).toMatchObject({ by: 'ceo', note: 'ticket seen closed' });
  });

  it('does not start the effectiveness check before the confirmation', () => {
    expect(refusal(awaiting(), { kind: 'check', passed: true, note: 'fine' }, 'alice')).toContain(
      'the closure of action A-20261001T0800Z-Q-001 is not confirmed yet; its effectiveness check starts once Alice Example (alice) confirms it',
    );
    expect(refusal(awaiting(), { kind: 'verify', note: 'fine' }, 'alice')).toContain('is not confirmed yet');
  });

  it('DONE waits for confirmation; CONFIRM starts the check; REOPEN sends it back in progress', () => {
    const done = plan(open({ corrective: true }), { kind: 'done', evidence: `closed: ${LINK}` });
    expect(awaitingConfirmation(done.next)).toBe(true);
    expect(needsFollowUp(done.next)).toBe(true);
    expect(done.followOn).toEqual({ kind: 'closure-confirmation' });
    expect(done.eventData).toMatchObject({ confirmationBy: 'alice', checkAssignedTo: 'alice' });

    const confirmed = plan(done.next, { kind: 'confirm' }, 'alice');
    expect(confirmed.eventType).toBe('action.closure_confirmed');
    expect(confirmed.followOn).toEqual({ kind: 'effectiveness-check' });
    expect(Action.parse(confirmed.next)).toMatchObject({
      status: 'done',
      closureConfirmation: { by: 'alice', at: AT.toISOString(), source: { channel: 'email' } },
      effectivenessCheck: { assigneeId: 'alice', dueDate: '2026-12-31' },
    });
    expect(awaitingConfirmation(confirmed.next)).toBe(false);

    const reopened = plan(done.next, { kind: 'reopen', note: 'the ticket is still open' }, 'alice');
    expect(reopened.eventType).toBe('action.reopened');
    expect(reopened.followOn).toEqual({
      kind: 'closure-reopened',
      reason: 'the ticket is still open',
      reopenedBy: 'alice',
    });
    const back = Action.parse(reopened.next);
    expect(back).toMatchObject({ status: 'in_progress' });
    expect(back.closureEvidence).toBeUndefined();
    expect(back.effectivenessCheck).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// By email, on the in-memory world

let w: MemoryWorld;
let cycleId: string;
let mfa: Action;
let corrective: Action;

beforeEach(async () => {
  w = await memoryWorld({ programme: theProgramme(), openedAt: NOW, open: false });
  let actions: Action[];
  ({ cycleId, actions } = await cycleWithMinutes(w, 'acme'));
  mfa = actions.find((a) => a.ownerId === 'ciso')!;
  corrective = actions.find((a) => a.ownerId === 'auditor')!;
});

const at = (date: string) => w.clock.set(new Date(`${date}T09:00:00.000Z`));

const reply = (mail: RecordedMail, personId: string, body: string) =>
  w.deliver(w.replyTo(mail, personId, body));

/** A reply with one file attached (multipart/mixed), as a mail client sends it. */
function replyWithFile(
  mail: RecordedMail,
  personId: string,
  body: string,
  file: { name: string; type: string; content: Buffer },
) {
  const request = w.replyTo(mail, personId, body);
  const raw = request.raw.toString('utf8');
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw
    .slice(0, split)
    .split('\r\n')
    .filter((line) => !/^Content-(Type|Transfer-Encoding):/i.test(line));
  const boundary = 'b-evidence-1';
  const multipart = [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    `--${boundary}`,
    `Content-Type: ${file.type}; name="${file.name}"`,
    `Content-Disposition: attachment; filename="${file.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    file.content.toString('base64'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return w.deliver({ ...request, raw: Buffer.from(multipart, 'utf8') });
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');

async function overdueNotice(): Promise<RecordedMail> {
  at('2026-12-16');
  await sweepActions(w.deps, 'acme');
  return w.oneMail('auditor', 'Overdue by 1 day', corrective.id);
}

const eventsOf = async (actionId: string) =>
  (await w.repo.listEvents(cycleId)).filter((e) => e.data.actionId === actionId);

describe('by email', () => {
  it('takes the corrective flag from the minutes', () => {
    expect(corrective.corrective).toBe(true);
    expect(mfa.corrective).toBe(false);
  });

  it('rejects DONE without evidence, and an attachment the attachment checks refuse; nothing changes', async () => {
    const notice = await overdueNotice();
    const before = await w.repo.getAction(corrective.id);
    const rejected = await reply(notice, 'auditor', 'DONE finished it');
    expect(rejected).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(rejected.reason).toContain('closing an action needs evidence someone else can look at');
    const answer = w.mailer.sent.at(-1)!;
    expect(answer.subject).toMatch(/^Not recorded/);
    expect(answer.text).toContain('attach the document that shows it (a PDF, CSV or XLSX)');

    const fake = await replyWithFile(notice, 'auditor', 'DONE see the attached report', {
      name: 'report.pdf',
      type: 'application/pdf',
      content: Buffer.from('MZ this is a program, not a PDF'),
    });
    expect(fake).toMatchObject({ outcome: 'rejected' });
    expect(fake.reason).toContain('"report.pdf" is named .pdf but is not a PDF file');
    const program = await replyWithFile(notice, 'auditor', 'DONE see the attached tool', {
      name: 'evidence.exe',
      type: 'application/octet-stream',
      content: Buffer.from('MZ program'),
    });
    expect(program.reason).toContain('"evidence.exe" is not an accepted file type');

    expect(await w.repo.getAction(corrective.id)).toEqual(before);
    // Every mail is kept as evidence, as before.
    const received = (await w.repo.listEvents(cycleId)).filter((e) => e.type === 'mail.received');
    expect(received.length).toBeGreaterThanOrEqual(3);
  });

  it('DONE with an attached PDF goes to the ISMS manager; CONFIRM starts the check; PASS verifies', async () => {
    const notice = await overdueNotice();
    const done = await replyWithFile(
      notice,
      'auditor',
      'DONE Both HR findings closed; the closed tickets are attached.',
      {
        name: 'hr-findings-closed.pdf',
        type: 'application/pdf',
        content: PDF,
      },
    );
    expect(done).toMatchObject({ outcome: 'accepted', recorded: { command: 'done', status: 'done' } });
    const action = (await w.repo.getAction(corrective.id))!;
    const [file] = action.closureEvidence!.attachments!;
    expect(file).toMatchObject({ name: 'hr-findings-closed.pdf', size: PDF.length });
    expect(await w.evidence.get(file!.s3Key)).toEqual(PDF);
    expect(awaitingConfirmation(action)).toBe(true);
    const owner = w.oneMail('auditor', 'Recorded: done on action');
    expect(owner.text).toContain('awaiting confirmation by Alice Example');
    // No check before the confirmation; the cycle cannot close meanwhile.
    expect(w.mailsTo('alice').filter((m) => m.subject.startsWith('Effectiveness check'))).toEqual([]);
    expect(await followUpActions(w.deps, cycleId)).toMatchObject({ allClosed: false });

    const ask = w.oneMail('alice', `Please confirm the closure of corrective action ${corrective.id}`);
    expect(ask.text).toContain('Both HR findings closed; the closed tickets are attached.');
    expect(ask.text).toContain(`hr-findings-closed.pdf`);
    expect(ask.text).toContain(file!.sha256);
    expect(ask.text).toContain('REOPEN <what is missing>');
    // Only the ISMS manager answers it: the owner writing to it is held and told nothing.
    expect(await reply(ask, 'auditor', 'CONFIRM')).toMatchObject({ outcome: 'held', answer: 'none' });
    expect(await reply(ask, 'alice', 'PASS looks fine')).toMatchObject({ outcome: 'rejected' });

    at('2026-12-18');
    expect(await reply(ask, 'alice', 'CONFIRM tickets HR-101 and HR-102 seen closed')).toMatchObject({
      outcome: 'accepted',
      recorded: { command: 'confirm', status: 'done' },
    });
    expect(await w.repo.getAction(corrective.id)).toMatchObject({
      closureConfirmation: { by: 'alice', note: 'tickets HR-101 and HR-102 seen closed' },
      effectivenessCheck: { assigneeId: 'alice', dueDate: '2027-01-17' },
    });
    const check = w.oneMail('alice', 'Effectiveness check needed by Sunday 17 January 2027', corrective.id);
    expect(await reply(check, 'alice', 'PASS Sampled 5 leavers: all badges revoked.')).toMatchObject({
      recorded: { command: 'pass', status: 'verified' },
    });
    expect((await eventsOf(corrective.id)).map((e) => e.type)).toEqual([
      'action.overdue_notice_sent',
      'action.updated',
      'action.closure_confirmed',
      'action.effectiveness_checked',
    ]);
    expect(verifyChain(await w.repo.listEvents(cycleId)).ok).toBe(true);
  });

  it('REOPEN tells the owner what is missing; a waiting confirmation reminds the ISMS manager once', async () => {
    const notice = await overdueNotice();
    expect(await reply(notice, 'auditor', `DONE findings closed, see ${LINK}`)).toMatchObject({
      outcome: 'accepted',
    });
    const ask = w.oneMail('alice', `Please confirm the closure of corrective action ${corrective.id}`);
    expect(ask.text).toContain(LINK);
    expect((await reply(ask, 'alice', 'REOPEN')).reason).toContain('REOPEN needs what is missing');
    expect(
      await reply(ask, 'alice', 'REOPEN HR-102 is still open; attach both closed tickets'),
    ).toMatchObject({ outcome: 'accepted', recorded: { command: 'reopen', status: 'in_progress' } });
    const told = w.oneMail('auditor', `Not closed yet: action ${corrective.id}`);
    expect(told.text).toContain('HR-102 is still open; attach both closed tickets');
    expect(told.replyTo[0]).toMatch(/^review\+/);
    const events = await eventsOf(corrective.id);
    expect(events.at(-1)).toMatchObject({
      type: 'action.reopened',
      actor: 'alice',
      data: { to: 'in_progress', reason: 'HR-102 is still open; attach both closed tickets' },
    });

    // DONE again; nobody confirms for a week: the ISMS manager is reminded once.
    expect(await reply(told, 'auditor', `DONE both closed: ${LINK} and ${LINK}-2`)).toMatchObject({
      outcome: 'accepted',
    });
    at('2026-12-20');
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    at('2026-12-21');
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([`${corrective.id}:confirm-overdue`]);
    at('2026-12-28');
    expect((await sweepActions(w.deps, 'acme')).sent).toEqual([]);
    const reminder = w.oneMail(
      'alice',
      `Still waiting for your confirmation: corrective action ${corrective.id}`,
    );
    expect(reminder.text).toContain(`${LINK}-2`);
    expect((await eventsOf(corrective.id)).at(-1)).toMatchObject({
      type: 'action.confirmation_reminder_sent',
      data: { recipients: ['alice'] },
    });
  });

  it('records a command-line CONFIRM in the name of the ISMS manager', async () => {
    await changeAction(w.deps, {
      actionId: corrective.id,
      by: 'auditor',
      source: { channel: 'cli' },
      command: { kind: 'done', evidence: 'Closed.', links: [LINK] },
    });
    const { action } = await changeAction(w.deps, {
      actionId: corrective.id,
      by: 'alice',
      source: { channel: 'cli' },
      command: { kind: 'confirm' },
    });
    expect(action.closureConfirmation).toMatchObject({ by: 'alice', source: { channel: 'cli' } });
    expect(action.closureEvidence?.links).toEqual([LINK]);
  });
});

describe('evidence given on the command line', () => {
  it('refuses a file the attachment checks refuse; keeps a good one under its SHA-256', async () => {
    const store = new MemoryBlobStore();
    await expect(
      keepEvidenceFile(store, {
        cycleId: cycle.id,
        actionId: 'A-1',
        name: 'report.pdf',
        content: Buffer.from('MZ'),
      }),
    ).rejects.toThrow('the evidence file was not kept: "report.pdf" is named .pdf but is not a PDF file');
    await expect(
      keepEvidenceFile(store, {
        cycleId: cycle.id,
        actionId: 'A-1',
        name: 'all.zip',
        content: Buffer.from('PK'),
      }),
    ).rejects.toBeInstanceOf(EvidenceFileRefused);
    const kept = await keepEvidenceFile(store, {
      cycleId: cycle.id,
      actionId: 'A-1',
      name: 'closed.pdf',
      content: PDF,
    });
    expect(kept).toEqual({
      name: 'closed.pdf',
      size: PDF.length,
      sha256: sha256Of(PDF),
      s3Key: `cycles/${cycle.id}/actions/A-1/${sha256Of(PDF)}`,
    });
    expect(await store.get(kept.s3Key)).toEqual(PDF);
  });

  it('shows the evidence and the confirmation in the register view', () => {
    const confirmed = plan(
      awaiting({
        closureEvidence: {
          text: 'closed',
          links: [LINK],
          attachments: [A_PDF],
          at: AT.toISOString(),
          by: 'ciso',
        },
      }),
      { kind: 'confirm', note: 'seen' },
      'alice',
    ).next;
    expect(evidenceLines(confirmed)).toEqual([
      `evidence: closed (ciso, ${AT.toISOString()})`,
      `link: ${LINK}`,
      `file: hr-101-closed.pdf, 2048 bytes, sha256 ${'a'.repeat(64)}`,
      `closure confirmed: by alice, ${AT.toISOString()}: seen`,
    ]);
    expect(evidenceLines(awaiting()).at(-1)).toBe('closure confirmed: not yet (awaiting confirmation)');
    expect(actionRow(awaiting(), 'Europe/London', AT)).toMatchObject({ awaitingConfirmation: true });
  });
});
