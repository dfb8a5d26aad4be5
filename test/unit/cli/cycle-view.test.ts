/**
 * What `cycle list` and `cycle show` print, from records built in memory: times in the
 * organisation's zone and UTC, the next timer by phase, escalation in words, overdue actions.
 */
import { describe, expect, it } from 'vitest';
import {
  cycleListView,
  cycleView,
  formatCycle,
  formatCycleList,
  nextTimer,
  programmeInfo,
  UTC_INFO,
} from '../../../cli/cycle-view.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { CycleRecords } from '#shared/store/repository.ts';
import { aCycle, anAction, anInputRequest } from '#test/unit/model/builders.ts';

const LONDON = programmeInfo({
  organisation: { timeZone: 'Europe/London' },
  people: [
    { id: 'auditor', name: 'Ann Auditor' },
    { id: 'ciso', name: 'Sam Secure' },
  ],
})!;

function records(cycle: Cycle, parts: Partial<CycleRecords> = {}): CycleRecords {
  return {
    cycle,
    inputRequests: [],
    submissions: [],
    actions: [],
    events: [],
    parkedTasks: [],
    notificationsSent: [],
    ...parts,
  };
}

describe('programmeInfo', () => {
  it('is undefined for a document without a usable time zone', () => {
    expect(programmeInfo(undefined)).toBeUndefined();
    expect(programmeInfo({ organisation: {} })).toBeUndefined();
    expect(programmeInfo({ organisation: { timeZone: 'Mars/Olympus' } })).toBeUndefined();
  });

  it('reads the zone and the names of people', () => {
    expect(LONDON.timeZone).toBe('Europe/London');
    expect(LONDON.names.get('ciso')).toBe('Sam Secure');
  });
});

describe('nextTimer follows the phase', () => {
  const cycle = aCycle(); // opens 2026-10-01T08:00Z; inputs due +18 d, package +23 d, meeting +28 d
  const before = new Date('2026-10-02T00:00:00Z');
  it.each([
    ['OPEN', 'input-deadline', cycle.inputsDueAt],
    ['REQUESTING_INPUTS', 'input-deadline', cycle.inputsDueAt],
    ['AWAITING_INPUTS', 'input-deadline', cycle.inputsDueAt],
    ['COMPILING', 'package-send', cycle.packageSendAt],
    ['AWAITING_DISTRIBUTION', 'package-send', cycle.packageSendAt],
    ['DISTRIBUTED', 'meeting', cycle.plannedMeetingAt],
  ] as const)('%s → %s', (phase, kind, at) => {
    const timer = nextTimer({ ...cycle, phase }, [], 'Europe/London', before);
    expect(timer).toMatchObject({
      kind,
      utc: at.replace('.000Z', 'Z'),
      timeZone: 'Europe/London',
      passed: false,
    });
  });

  it('a passed deadline is flagged, not hidden', () => {
    const timer = nextTimer(
      { ...cycle, phase: 'AWAITING_INPUTS' },
      [],
      'UTC',
      new Date('2026-11-01T00:00:00Z'),
    );
    expect(timer?.passed).toBe(true);
  });

  it('nothing is timed while waiting for minutes, once closed, or failed', () => {
    for (const phase of ['AWAITING_MINUTES', 'CLOSED'] as const) {
      expect(nextTimer({ ...cycle, phase }, [], 'UTC', before)).toBeNull();
    }
  });

  it('in follow-up: the earliest date that needs follow-up, an effectiveness check included', () => {
    const followUp = { ...cycle, phase: 'FOLLOW_UP' as const };
    const actions = [
      anAction(cycle, 1, { dueDate: '2026-12-15' }),
      anAction(cycle, 2, { dueDate: '2026-11-01', status: 'cancelled', cancelReason: 'superseded' }),
      anAction(cycle, 3, {
        dueDate: '2026-11-10',
        status: 'done',
        corrective: true,
        closureEvidence: { text: 'patched', at: '2026-11-09T10:00:00.000Z', by: 'ciso' },
        closureConfirmation: { by: 'alice', at: '2026-11-10T10:00:00.000Z', source: { channel: 'cli' } },
        effectivenessCheck: { assigneeId: 'auditor', dueDate: '2026-12-01' },
      }),
    ];
    // Not yet confirmed: its confirmer is reminded five days after the DONE.
    const { closureConfirmation: _confirmed, ...awaiting } = actions[2]!;
    expect(nextTimer(followUp, [actions[0]!, awaiting], 'Europe/London', before)).toMatchObject({
      what: 'confirmation of the closure of action A-20261001T0800Z-Q-003 to be reminded',
      local: '2026-11-14',
    });
    expect(nextTimer(followUp, actions, 'Europe/London', before)).toEqual({
      kind: 'action-follow-up',
      what: 'effectiveness check of action A-20261001T0800Z-Q-003 due',
      local: '2026-12-01',
      timeZone: 'Europe/London',
      passed: false,
    });
    expect(nextTimer(followUp, [actions[1]!], 'UTC', before)).toBeNull();
  });
});

describe('cycleView', () => {
  it('lists inputs in key order with owner names, status, due time, reminders and escalation in words', () => {
    const cycle = aCycle({ phase: 'AWAITING_INPUTS' });
    const view = cycleView(
      records(cycle, {
        inputRequests: [
          anInputRequest(cycle, 'f', {
            ownerId: 'ciso',
            escalationLevel: 2,
            remindersSent: 3,
            lastReminderAt: '2026-10-15T08:00:00.000Z',
          }),
          anInputRequest(cycle, 'd1', {
            status: 'NOT_PROVIDED',
            notProvidedAt: cycle.inputsDueAt,
          }),
          anInputRequest(cycle, 'a', {
            automatic: true,
            ownerId: undefined,
            title: 'Status of earlier actions',
          }),
        ],
      }),
      LONDON,
      new Date('2026-10-10T08:00:00Z'),
    );
    expect(view.inputs.map((input) => input.key)).toEqual(['a', 'd1', 'f']);
    expect(view.inputs[0]).toMatchObject({
      automatic: true,
      status: 'REQUESTED',
      escalation: { level: 0, to: 'none' },
    });
    expect(view.inputs[0]).not.toHaveProperty('owner');
    expect(view.inputs[1]).toMatchObject({
      owner: 'auditor',
      ownerName: 'Ann Auditor',
      status: 'NOT_PROVIDED',
    });
    expect(view.inputs[2]).toMatchObject({
      owner: 'ciso',
      remindersSent: 3,
      lastReminderAt: { local: '2026-10-15 09:00', utc: '2026-10-15T08:00:00Z' },
      escalation: { level: 2, to: 'chair' },
      due: { local: '2026-10-19 09:00', utc: '2026-10-19T08:00:00Z', timeZone: 'Europe/London' },
    });
    expect(view.waitingFor).toBe('inputs from their owners (1 of 3 answered)');
  });

  it('gives every date in the zone and UTC, the recorded ones included', () => {
    const cycle = aCycle({ phase: 'AWAITING_MINUTES', packageSentAt: '2026-10-24T08:00:05.000Z' });
    const view = cycleView(records(cycle), LONDON, new Date('2026-10-30T00:00:00Z'));
    expect(view.deadlines.map((d) => [d.name, d.local, d.utc])).toEqual([
      ['opened', '2026-10-01 09:00', '2026-10-01T08:00:00Z'],
      ['inputs due', '2026-10-19 09:00', '2026-10-19T08:00:00Z'],
      ['package send', '2026-10-24 09:00', '2026-10-24T08:00:00Z'],
      // After the clocks went back on 25 October.
      ['meeting (planned)', '2026-10-29 08:00', '2026-10-29T08:00:00Z'],
      ['package sent', '2026-10-24 09:00', '2026-10-24T08:00:05Z'],
    ]);
    expect(view.nextTimer).toBeNull();
  });

  it('marks actions overdue by the date in the zone, escalation in words; closed ones are never overdue', () => {
    const cycle = aCycle({ phase: 'FOLLOW_UP' });
    const view = cycleView(
      records(cycle, {
        actions: [
          anAction(cycle, 2, { dueDate: '2026-11-01', status: 'cancelled', cancelReason: 'merged into 1' }),
          anAction(cycle, 1, { dueDate: '2026-11-01', escalationLevel: 3 }),
          anAction(cycle, 3, { dueDate: '2026-11-02', escalationLevel: 1 }),
        ],
      }),
      LONDON,
      // 00:30 on 2 November in London (GMT): the 1st is past, the 2nd is today.
      new Date('2026-11-02T00:30:00Z'),
    );
    expect(view.actions.map((a) => [a.id.slice(-3), a.overdue, a.escalation.to])).toEqual([
      ['001', true, 'top management'],
      ['002', false, 'none'],
      ['003', false, 'owner'],
    ]);
    expect(view.actions[0]).toMatchObject({
      owner: 'ciso',
      ownerName: 'Sam Secure',
      due: '2026-11-01',
      status: 'open',
    });
    expect(view.nextTimer).toMatchObject({ kind: 'action-follow-up', local: '2026-11-01', passed: true });
  });

  it('names where an action escalation went: the owner’s executive, not "ISMS manager"', () => {
    const cycle = aCycle({ phase: 'FOLLOW_UP' });
    const entry = (change: string) => ({
      at: '2026-11-05T09:00:00.000Z',
      by: 'system',
      change,
      source: { channel: 'system' as const },
    });
    const base = anAction(cycle, 1, { dueDate: '2026-11-01', escalationLevel: 2 });
    const view = cycleView(
      records(cycle, {
        actions: [
          { ...base, history: [...base.history, entry('escalate-manager sent to auditor')] },
          anAction(cycle, 2, {
            dueDate: '2026-11-01',
            escalationLevel: 3,
            history: [entry('escalate-top not sent: nobody stands above the owner')],
          }),
          // Without a record in the history, the level's usual name.
          anAction(cycle, 3, { dueDate: '2026-11-01', escalationLevel: 2 }),
        ],
      }),
      LONDON,
      new Date('2026-11-06T10:00:00Z'),
    );
    expect(view.actions.map((a) => a.escalation.to)).toEqual([
      'Ann Auditor (auditor)',
      'nobody: no one stands above the owner',
      'ISMS manager',
    ]);
  });

  it('reports the failure with its phase, error, cause and time', () => {
    const cycle = aCycle({
      phase: 'FAILED',
      status: 'failed',
      failure: {
        at: '2026-10-05T10:00:00.000Z',
        phase: 'REQUESTING_INPUTS',
        error: 'MessageRejected',
        cause: 'address not verified',
      },
    });
    const view = cycleView(records(cycle), LONDON, new Date('2026-10-06T00:00:00Z'));
    expect(view.failure).toEqual({
      phase: 'REQUESTING_INPUTS',
      error: 'MessageRejected',
      cause: 'address not verified',
      at: { utc: '2026-10-05T10:00:00Z', local: '2026-10-05 11:00', timeZone: 'Europe/London' },
    });
    const text = formatCycle(view, new Date('2026-10-06T00:00:00Z')).join('\n');
    expect(text).toContain(
      'FAILED in REQUESTING_INPUTS at 2026-10-05 11:00 Europe/London: MessageRejected: address not verified',
    );
    expect(text).toContain('Next timer: none');
  });
});

describe('formatCycle', () => {
  it('prints the header, dates in both forms, the next timer, inputs and actions as columns', () => {
    const cycle = aCycle({ phase: 'AWAITING_INPUTS' });
    const now = new Date('2026-10-14T08:00:00Z');
    const view = cycleView(
      records(cycle, {
        inputRequests: [anInputRequest(cycle, 'd1', { remindersSent: 1, escalationLevel: 1 })],
      }),
      LONDON,
      now,
    );
    const lines = formatCycle(view, now);
    expect(lines[0]).toBe('Cycle C-20261001T0800Z-Q: quarterly review of example-ltd (programme version 1)');
    expect(lines[1]).toBe(
      'Phase AWAITING_INPUTS (active): waiting for inputs from their owners (0 of 1 answered)',
    );
    expect(lines).toContain('  inputs due         2026-10-19 09:00  2026-10-19T08:00:00Z');
    expect(lines).toContain(
      'Next timer: input deadline: missing inputs become "not provided", 2026-10-19 09:00 Europe/London (2026-10-19T08:00:00Z, in 5 days)',
    );
    expect(lines).toContain(
      '  KEY  TITLE     OWNER                  STATUS     DUE               REMINDERS  ESCALATED TO',
    );
    expect(lines).toContain(
      '  d1   Input d1  auditor (Ann Auditor)  REQUESTED  2026-10-19 09:00  1          ISMS manager',
    );
    expect(lines.slice(-2)).toEqual(['Actions (0):', '  none']);
  });
});

describe('cycle list', () => {
  it('says how to start one when there are none', () => {
    expect(formatCycleList(cycleListView('acme', [], UTC_INFO))).toEqual([
      'No cycles of acme yet; `isms-review cycle start` starts one.',
    ]);
  });

  it('shows each cycle with its meeting in the zone', () => {
    const q = aCycle({ phase: 'CLOSED', status: 'closed', closedAt: '2026-12-01T10:00:00.000Z' });
    const a = aCycle(
      { type: 'annual', comprehensive: true, id: 'C-20270101T0900Z-A' },
      new Date('2027-01-01T09:00:00.000Z'),
    );
    const view = cycleListView('example-ltd', [q, a], LONDON);
    expect(view.cycles[1]).toEqual({
      id: 'C-20270101T0900Z-A',
      type: 'annual',
      comprehensive: true,
      phase: 'OPEN',
      status: 'active',
      meeting: { utc: '2027-01-29T09:00:00Z', local: '2027-01-29 09:00', timeZone: 'Europe/London' },
    });
    expect(formatCycleList(view)).toEqual([
      'Cycles of example-ltd by meeting date (times in Europe/London):',
      '  CYCLE               TYPE                    PHASE   STATUS  MEETING',
      '  C-20261001T0800Z-Q  quarterly               CLOSED  closed  2026-10-29 08:00',
      '  C-20270101T0900Z-A  annual (comprehensive)  OPEN    active  2027-01-29 09:00',
    ]);
  });
});
