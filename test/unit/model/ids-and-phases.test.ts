import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  actionIdFor,
  ActionId,
  CycleId,
  cycleIdFor,
  cycleIdOfAction,
  decisionIdFor,
  DecisionId,
  InvalidId,
  newSubmissionId,
  SubmissionId,
} from '#shared/model/ids.ts';
import {
  canTransition,
  Cycle,
  CYCLE_PHASES,
  InvalidPhaseTransition,
  nextPhase,
  transition,
} from '#shared/model/cycle.ts';
import { followUpDate, needsFollowUp } from '#shared/model/action.ts';
import { aCycle, anAction } from './builders.ts';

describe('ids', () => {
  it('refuses to make ids from bad parts', () => {
    expect(() => cycleIdFor('quarterly', new Date('nope'))).toThrow(InvalidId);
    expect(() => actionIdFor('C-2026', 1)).toThrow('"C-2026" is not a cycle id like C-20261001T0800Z-Q');
    expect(() => actionIdFor('C-20261001T0800Z-Q', 0)).toThrow('a number in a cycle starts at 1; got 0');
    expect(() => cycleIdOfAction('A-1')).toThrow('"A-1" is not an action id');
  });

  it('a cycle id is the same for the same scheduled firing, in UTC, whatever the input zone', () => {
    const a = cycleIdFor('quarterly', new Date('2026-10-01T09:00:00+01:00'));
    expect(a).toBe('C-20261001T0800Z-Q');
    expect(cycleIdFor('quarterly', new Date('2026-10-01T08:00:59.999Z'))).toBe(a);
    expect(cycleIdFor('annual', new Date('2026-10-01T08:00:00Z'))).toBe('C-20261001T0800Z-A');
    expect(cycleIdFor('semiannual', new Date('2026-10-01T08:00:00Z'))).toBe('C-20261001T0800Z-S');
  });

  it('action and decision ids name their cycle and sort in minutes order', () => {
    const cycleId = 'C-20261001T0800Z-Q';
    expect(actionIdFor(cycleId, 3)).toBe('A-20261001T0800Z-Q-003');
    expect(decisionIdFor(cycleId, 2)).toBe('D-20261001T0800Z-Q-02');
    expect(cycleIdOfAction(actionIdFor(cycleId, 120))).toBe(cycleId);
    const ids = [1, 2, 10, 99, 100].map((n) => actionIdFor(cycleId, n));
    expect([...ids].sort()).toEqual(ids);
    expect(
      ActionId.safeParse(ids[4]).success && DecisionId.safeParse(decisionIdFor(cycleId, 7)).success,
    ).toBe(true);
  });

  it('ids sort by time as strings and stay valid Step Functions execution names (property)', () => {
    const time = fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2199-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(time, time, (a, b) => {
        const [ca, cb] = [cycleIdFor('quarterly', a), cycleIdFor('quarterly', b)];
        const [sa, sb] = [newSubmissionId(a), newSubmissionId(b)];
        expect(CycleId.safeParse(ca).success).toBe(true);
        expect(SubmissionId.safeParse(sa).success).toBe(true);
        expect(ca).toMatch(/^[A-Za-z0-9-]{1,80}$/);
        const minute = (d: Date) => Math.floor(d.getTime() / 60_000);
        if (minute(a) < minute(b)) expect(ca < cb).toBe(true);
        if (a.getTime() < b.getTime()) expect(sa < sb).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a submission id carries 30 random bits from an alphabet without I, L, O, U', () => {
    const at = new Date('2026-10-12T14:30:05.123Z');
    expect(newSubmissionId(at, () => 0)).toBe('S-20261012T143005123Z-000000');
    expect(newSubmissionId(at, (max) => max - 1)).toBe('S-20261012T143005123Z-ZZZZZZ');
    expect(newSubmissionId(at)).not.toBe(newSubmissionId(at));
  });
});

describe('cycle phases', () => {
  const cycle = aCycle();
  const at = new Date('2026-10-02T08:00:00.000Z');

  it('refuses to skip a phase, to leave CLOSED, or to fail without a reason', () => {
    expect(() => transition(cycle, 'COMPILING', at)).toThrow(InvalidPhaseTransition);
    expect(() => transition(cycle, 'COMPILING', at)).toThrow(
      `cycle ${cycle.id} cannot move from OPEN to COMPILING; from OPEN it can move REQUESTING_INPUTS or FAILED`,
    );
    const closed = { ...cycle, phase: 'CLOSED' as const, status: 'closed' as const };
    expect(() => transition(closed, 'FAILED', at, { error: 'X', cause: 'y' })).toThrow(
      'from CLOSED it can move ',
    );
    expect(() => transition(cycle, 'FAILED', at)).toThrow('cannot fail without saying why');
  });

  it('walks every phase in order to CLOSED, keeping status in step', () => {
    let current = cycle;
    const seen: string[] = [current.phase];
    for (let phase = nextPhase(current.phase); phase; phase = nextPhase(current.phase)) {
      current = transition(current, phase, at);
      Cycle.parse(current);
      seen.push(current.phase);
    }
    expect(seen).toEqual(CYCLE_PHASES.filter((phase) => phase !== 'FAILED'));
    expect(current).toMatchObject({ status: 'closed', closedAt: at.toISOString() });
  });

  it('a failure records the phase it happened in; a resume goes back exactly there', () => {
    const compiling = { ...cycle, phase: 'COMPILING' as const };
    const failed = transition(compiling, 'FAILED', at, {
      error: 'PackageTooLarge',
      cause: 'The PDF is over 10 MB.',
    });
    expect(Cycle.parse(failed)).toMatchObject({
      status: 'failed',
      failure: { phase: 'COMPILING', error: 'PackageTooLarge', at: at.toISOString() },
    });
    expect(canTransition('FAILED', 'DISTRIBUTED', 'COMPILING')).toBe(false);
    expect(() => transition(failed, 'DISTRIBUTED', at)).toThrow('only back to COMPILING');
    const resumed = transition(failed, 'COMPILING', at);
    expect(resumed.failure).toBeUndefined();
    expect(resumed.status).toBe('active');
  });
});

describe('action follow-up', () => {
  const cycle = aCycle();
  const closure = { text: 'Done.', at: '2026-12-01T10:00:00.000Z', by: 'ciso' };

  it('open and in-progress actions are followed up against their due date', () => {
    expect(followUpDate(anAction(cycle))).toBe('2026-12-15');
    expect(followUpDate(anAction(cycle, 1, { status: 'in_progress' }))).toBe('2026-12-15');
  });

  it('a done corrective action is followed up against its check until the check has a result', () => {
    const awaiting = anAction(cycle, 1, {
      status: 'done',
      corrective: true,
      closureEvidence: closure,
      effectivenessCheck: { assigneeId: 'auditor', dueDate: '2027-03-01' },
      closureConfirmation: { by: 'alice', at: '2026-12-02T10:00:00.000Z', source: { channel: 'cli' } },
    });
    expect(followUpDate(awaiting)).toBe('2027-03-01');
    // Before its closure is confirmed: followed up for the confirmation, five days after the DONE.
    const { closureConfirmation: _confirmed, ...unconfirmed } = awaiting;
    expect(needsFollowUp(unconfirmed)).toBe(true);
    expect(followUpDate(unconfirmed)).toBe('2026-12-06');
    const checked = {
      ...awaiting,
      effectivenessCheck: {
        ...awaiting.effectivenessCheck!,
        result: 'passed' as const,
        checkedAt: '2027-03-01T09:00:00.000Z',
      },
    };
    expect(needsFollowUp(checked)).toBe(false);
  });

  it('done (not corrective), verified and cancelled actions need no follow-up', () => {
    expect(needsFollowUp(anAction(cycle, 1, { status: 'done', closureEvidence: closure }))).toBe(false);
    expect(needsFollowUp(anAction(cycle, 1, { status: 'verified', closureEvidence: closure }))).toBe(false);
    expect(
      followUpDate(anAction(cycle, 1, { status: 'cancelled', cancelReason: 'Superseded by A-2.' })),
    ).toBeUndefined();
  });
});
