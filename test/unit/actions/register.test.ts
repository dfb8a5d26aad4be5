/**
 * The action lifecycle as a pure function: each change either gives the next action, or a clear
 * reason it cannot be made; nothing else.
 */
import { describe, expect, it } from 'vitest';
import {
  ActionClosed,
  defaultChecker,
  planChange,
  type ActionChangeRequest,
  type ActionCommand,
} from '#shared/actions/register.ts';
import { Action } from '#shared/model/action.ts';
import { anAction } from '#test/unit/model/builders.ts';
import { theCycle, theProgramme } from '#test/unit/minutes/support.ts';

const programme = theProgramme();
const cycle = theCycle();
const NOW = new Date('2026-12-01T10:00:00.000Z');

function request(
  command: ActionCommand,
  by = 'ciso',
  channel: 'cli' | 'email' = 'email',
): ActionChangeRequest {
  return {
    actionId: 'x',
    by,
    source: channel === 'email' ? { channel, messageId: '<m1@example.com>' } : { channel },
    command,
  };
}

const open = (overrides: Partial<Action> = {}) => anAction(cycle, 1, overrides);
const doneCorrective = () =>
  open({
    corrective: true,
    status: 'done',
    closureEvidence: { text: 'fixed', at: NOW.toISOString(), by: 'ciso' },
    closureConfirmation: { by: 'alice', at: NOW.toISOString(), source: { channel: 'cli' } },
    effectivenessCheck: { assigneeId: 'alice', dueDate: '2026-12-31' },
  });

function reason(action: Action, command: ActionCommand, by?: string): string {
  try {
    planChange(action, request(command, by), programme, NOW);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  throw new Error('the change was accepted');
}

describe('planChange', () => {
  it('records progress with who, what and from where, and the result is a valid action', () => {
    const { next, eventType, eventData } = planChange(
      open(),
      request({ kind: 'progress', note: 'half done' }),
      programme,
      NOW,
    );
    expect(Action.parse(next)).toMatchObject({ status: 'in_progress' });
    expect(next.history.at(-1)).toEqual({
      at: NOW.toISOString(),
      by: 'ciso',
      change: 'progress: half done (by email)',
      source: { channel: 'email', messageId: '<m1@example.com>' },
    });
    expect(eventType).toBe('action.updated');
    expect(eventData).toMatchObject({ from: 'open', source: 'email', messageId: '<m1@example.com>' });
  });

  it('refuses what a careless sender forgets, saying what is needed', () => {
    expect(reason(open(), { kind: 'progress', note: '  ' })).toBe(
      'InvalidActionChange: PROGRESS needs a note saying where the action stands',
    );
    expect(reason(open(), { kind: 'done', evidence: '' })).toContain('DONE needs evidence');
    expect(reason(open(), { kind: 'cancel', reason: '' })).toContain('cancelling an action needs the reason');
    expect(reason(open(), { kind: 'verify', note: 'ok' })).toContain('only a done action can be verified');
    expect(reason(open(), { kind: 'reopen', note: 'x' })).toContain('is already open');
    expect(reason(open(), { kind: 'progress', note: 'x' }, 'mallory')).toBe(
      'UnknownPerson: "mallory" is not a person in the programme; check people[] in the programme file',
    );
  });

  it('treats verified and cancelled as final', () => {
    const cancelled = open({ status: 'cancelled', cancelReason: 'superseded' });
    expect(() => planChange(cancelled, request({ kind: 'progress', note: 'x' }), programme, NOW)).toThrow(
      ActionClosed,
    );
    expect(reason(cancelled, { kind: 'done', evidence: 'x' })).toContain(
      'is already cancelled, which is final',
    );
  });

  it('gives a done corrective action an effectiveness check by someone other than its owner', () => {
    const { next, followOn } = planChange(
      open({ corrective: true }),
      request({ kind: 'done', evidence: 'fixed, see https://tickets.example.com/SEC-1' }),
      programme,
      NOW,
    );
    expect(Action.parse(next).effectivenessCheck).toEqual({ assigneeId: 'alice', dueDate: '2026-12-31' });
    // The check starts once the ISMS manager confirmed the closure.
    expect(followOn).toEqual({ kind: 'closure-confirmation' });
    expect(defaultChecker(programme, 'alice')).toBe('ceo');
    expect(
      reason(open({ corrective: true }), {
        kind: 'done',
        evidence: 'x https://tickets.example.com/1',
        checkerId: 'ciso',
      }),
    ).toContain('must be done by someone other than its owner (ciso)');
  });

  it('lets only someone other than the owner pass or fail the check; a failure reopens with a new due date', () => {
    expect(reason(doneCorrective(), { kind: 'check', passed: true, note: 'fine' }, 'ciso')).toContain(
      'someone other than its owner',
    );
    expect(
      reason(
        open({ status: 'done', closureEvidence: { text: 'x', at: NOW.toISOString(), by: 'ciso' } }),
        {
          kind: 'check',
          passed: true,
          note: 'x',
        },
        'alice',
      ),
    ).toContain('is not a corrective action');
    const passed = planChange(
      doneCorrective(),
      request({ kind: 'check', passed: true, note: 'sampled 5' }, 'alice'),
      programme,
      NOW,
    );
    expect(Action.parse(passed.next)).toMatchObject({
      status: 'verified',
      effectivenessCheck: { result: 'passed' },
    });
    const failed = planChange(
      doneCorrective(),
      request({ kind: 'check', passed: false, note: 'still broken' }, 'alice'),
      programme,
      NOW,
    );
    expect(Action.parse(failed.next)).toMatchObject({
      status: 'open',
      dueDate: '2026-12-31',
      effectivenessCheck: { result: 'failed', note: 'still broken' },
    });
    expect(failed.next.closureEvidence).toBeUndefined();
    expect(failed.followOn).toEqual({ kind: 'reopened', finding: 'still broken', checkedBy: 'alice' });
  });

  it('takes an extension request only for a later, future date, and the chair answers a pending one', () => {
    expect(reason(open(), { kind: 'extend', until: '2026-12-10', reason: 'x' })).toContain(
      'is not later than the current due date, 2026-12-15',
    );
    expect(
      reason(open({ dueDate: '2026-11-01' }), { kind: 'extend', until: '2026-11-20', reason: 'x' }),
    ).toContain('is not in the future (today is 2026-12-01)');
    expect(reason(open(), { kind: 'approve' }, 'ceo')).toContain('has no extension request waiting');
    const asked = planChange(
      open({ stepsSent: { 'remind-7d': NOW.toISOString() } }),
      request({ kind: 'extend', until: '2027-01-15', reason: 'supplier' }),
      programme,
      NOW,
    );
    expect(asked.next.extensionRequest).toMatchObject({ dueDate: '2027-01-15', reason: 'supplier' });
    expect(asked.next.dueDate).toBe('2026-12-15');
    const approved = planChange(asked.next, request({ kind: 'approve' }, 'ceo'), programme, NOW);
    expect(Action.parse(approved.next)).toMatchObject({ dueDate: '2027-01-15', extensionsGranted: 1 });
    expect(approved.next.stepsSent).toBeUndefined();
    expect(approved.next.extensionRequest).toBeUndefined();
    const refused = planChange(asked.next, request({ kind: 'refuse', reason: 'no' }, 'ceo'), programme, NOW);
    expect(refused.next.dueDate).toBe('2026-12-15');
    expect(refused.followOn).toMatchObject({ kind: 'extension-decision', approved: false, reason: 'no' });
  });

  it("takes top management's decisions from its members only, superseding a pending extension request", () => {
    const decisions: Extract<ActionCommand, { reason: string }>[] = [
      { kind: 'reschedule', until: '2027-01-31', reason: 'x' },
      { kind: 'reassign', to: 'alice', reason: 'x' },
      { kind: 'accept-risk', reason: 'x' },
    ];
    for (const command of decisions) {
      expect(reason(open(), command, 'ciso')).toContain('is not a member of it');
      expect(reason(open(), { ...command, reason: ' ' }, 'ceo')).toContain(
        'needs the reason for the decision',
      );
      expect(reason(doneCorrective(), command, 'ceo')).toContain('decides only on open work');
    }
    expect(reason(open(), { kind: 'reschedule', until: '2026-12-15', reason: 'x' }, 'ceo')).toContain(
      'is already due on 2026-12-15',
    );
    const asked = planChange(
      open({ stepsSent: { 'remind-7d': NOW.toISOString() }, escalationLevel: 0 }),
      request({ kind: 'extend', until: '2027-03-15', reason: 'supplier' }),
      programme,
      NOW,
    );
    const moved = planChange(
      asked.next,
      request({ kind: 'reschedule', until: '2027-01-31', reason: 'the board wants it in January' }, 'cto'),
      programme,
      NOW,
    );
    expect(Action.parse(moved.next)).toMatchObject({ dueDate: '2027-01-31', ownerId: 'ciso' });
    expect(moved.next.extensionRequest).toBeUndefined();
    expect(moved.next.stepsSent).toBeUndefined();
    expect(moved.next.history.at(-1)?.change).toContain('(supersedes the request to extend to 2027-03-15)');
    expect(moved.followOn).toMatchObject({
      kind: 'management-decision',
      decision: 'reschedule',
      decidedBy: 'cto',
      previousDueDate: '2026-12-15',
    });
    // Reassigned without a date while not yet due: the due date stays.
    const reassigned = planChange(
      open(),
      request({ kind: 'reassign', to: 'ALICE', reason: 'x' }, 'ceo'),
      programme,
      NOW,
    );
    expect(Action.parse(reassigned.next)).toMatchObject({ ownerId: 'alice', dueDate: '2026-12-15' });
    expect(reason(open(), { kind: 'reassign', to: 'alise', reason: 'x' }, 'ceo')).toContain(
      'did you mean alice',
    );
  });

  it('records a command-line change as such', () => {
    const { next } = planChange(
      open(),
      request({ kind: 'cancel', reason: 'superseded by D3' }, 'alice', 'cli'),
      programme,
      NOW,
    );
    expect(Action.parse(next)).toMatchObject({ status: 'cancelled', cancelReason: 'superseded by D3' });
    expect(next.history.at(-1)).toMatchObject({
      source: { channel: 'cli' },
      change: expect.stringContaining('(on the command line)'),
    });
  });
});
