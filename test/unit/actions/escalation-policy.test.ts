import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  InvalidDueDate,
  daysOverdue,
  dueSteps,
  ladderFor,
  nextStepAt,
  reminderLabel,
  remindersDue,
  type ActionLadderPolicy,
} from '#shared/actions/escalation-policy.ts';

const policy: ActionLadderPolicy = {
  reminderDaysBeforeDue: [7, 1],
  overdueNoticeAfterDays: 0,
  ismsManagerAfterDays: 3,
  topManagementAfterDays: 10,
};
const tz = 'Europe/London';

describe('action ladder: bad input', () => {
  it.each(['2026-02-30', '30/11/2026', '', '2026-1-5', 'tomorrow'])('rejects due date %j', (dueDate) => {
    expect(() => ladderFor({ dueDate, timeZone: tz, policy })).toThrow(InvalidDueDate);
  });
});

describe('action ladder', () => {
  it('orders reminders, overdue notice, manager and top-management escalation', () => {
    const steps = ladderFor({ dueDate: '2026-12-10', timeZone: tz, policy });
    expect(steps.map((s) => [s.id, s.dueAt.toISOString()])).toEqual([
      ['remind-7d', '2026-12-03T00:00:00.000Z'],
      ['remind-1d', '2026-12-09T00:00:00.000Z'],
      ['overdue-notice', '2026-12-11T00:00:00.000Z'],
      ['escalate-manager', '2026-12-14T00:00:00.000Z'],
      ['escalate-top', '2026-12-21T00:00:00.000Z'],
    ]);
  });

  it('uses local midnight in the organisation time zone across a DST change', () => {
    // Due 2026-04-02 in London: 7 days before is 2026-03-26, still GMT; the due day itself is BST.
    const steps = ladderFor({ dueDate: '2026-04-02', timeZone: tz, policy });
    expect(steps.find((s) => s.id === 'remind-7d')?.dueAt.toISOString()).toBe('2026-03-26T00:00:00.000Z');
    expect(steps.find((s) => s.id === 'remind-1d')?.dueAt.toISOString()).toBe('2026-03-31T23:00:00.000Z');
  });

  it('sends nothing before the first reminder and each step once', () => {
    const base = { dueDate: '2026-12-10', timeZone: tz, policy };
    expect(dueSteps({ ...base, now: new Date('2026-12-02T12:00:00Z'), sent: new Set() })).toEqual([]);
    const first = dueSteps({ ...base, now: new Date('2026-12-03T08:00:00Z'), sent: new Set() });
    expect(first.map((s) => s.id)).toEqual(['remind-7d']);
    expect(
      dueSteps({ ...base, now: new Date('2026-12-03T09:00:00Z'), sent: new Set(['remind-7d']) }),
    ).toEqual([]);
  });

  it('skips reminders overtaken by a later step but never skips an escalation', () => {
    const steps = dueSteps({
      dueDate: '2026-12-10',
      timeZone: tz,
      policy,
      now: new Date('2026-12-22T10:00:00Z'),
      sent: new Set(),
    });
    expect(steps.map((s) => s.id)).toEqual(['overdue-notice', 'escalate-manager', 'escalate-top']);
  });

  it('counts whole days overdue in the organisation time zone', () => {
    expect(daysOverdue('2026-12-10', tz, new Date('2026-12-10T23:59:00Z'))).toBe(0);
    expect(daysOverdue('2026-12-10', tz, new Date('2026-12-11T00:00:00Z'))).toBe(1);
    expect(daysOverdue('2026-12-10', 'America/New_York', new Date('2026-12-11T03:00:00Z'))).toBe(0);
    expect(daysOverdue('2026-12-10', tz, new Date('2026-12-20T12:00:00Z'))).toBe(10);
  });

  it('tells when to look again', () => {
    const base = { dueDate: '2026-12-10', timeZone: tz, policy };
    expect(
      nextStepAt({ ...base, now: new Date('2026-12-04T00:00:00Z'), sent: new Set(['remind-7d']) }),
    ).toEqual(new Date('2026-12-09T00:00:00Z'));
    const allSent = new Set(ladderFor(base).map((s) => s.id));
    expect(nextStepAt({ ...base, now: new Date('2026-12-30T00:00:00Z'), sent: allSent })).toBeUndefined();
  });

  it('property: whatever the sweep times, every escalation step is sent exactly once and in order', () => {
    const zones = ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'UTC'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2025-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        fc.array(fc.integer({ min: 1, max: 72 }), { minLength: 1, maxLength: 40 }),
        (due, zone, gapsHours) => {
          const dueDate = due.toISOString().slice(0, 10);
          const sent = new Set<string>();
          const order: string[] = [];
          let now = new Date(`${dueDate}T00:00:00Z`);
          now = new Date(now.getTime() - 10 * 86_400_000);
          for (const gap of [...gapsHours, 24 * 30]) {
            now = new Date(now.getTime() + gap * 3_600_000);
            for (const step of dueSteps({ dueDate, timeZone: zone, policy, now, sent })) {
              expect(sent.has(step.id)).toBe(false);
              sent.add(step.id);
              order.push(step.id);
            }
          }
          const escalations = order.filter((id) => !id.startsWith('remind'));
          expect(escalations).toEqual(['overdue-notice', 'escalate-manager', 'escalate-top']);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the reminders due at a moment (what a notice naming the due date stands for)', () => {
  const ids = (steps: { id: string }[]) => steps.map((s) => s.id);

  it('refuses a due date that is not a calendar date', () => {
    expect(() =>
      remindersDue({ dueDate: '2027-02-30', timeZone: tz, policy, now: new Date('2027-02-01T10:00:00Z') }),
    ).toThrow(InvalidDueDate);
  });

  it('every reminder whose day has begun, not only the latest; none far out; none already sent', () => {
    const now = new Date('2027-01-05T10:00:00Z');
    expect(ids(remindersDue({ dueDate: '2027-01-12', timeZone: tz, policy, now }))).toEqual(['remind-7d']);
    expect(ids(remindersDue({ dueDate: '2027-01-06', timeZone: tz, policy, now }))).toEqual([
      'remind-7d',
      'remind-1d',
    ]);
    expect(remindersDue({ dueDate: '2027-01-13', timeZone: tz, policy, now })).toEqual([]);
    expect(remindersDue({ dueDate: '2027-03-31', timeZone: tz, policy, now })).toEqual([]);
    expect(
      ids(remindersDue({ dueDate: '2027-01-06', timeZone: tz, policy, now, sent: new Set(['remind-7d']) })),
    ).toEqual(['remind-1d']);
  });

  it('never an overdue notice or an escalation, and no stale reminder once the action is overdue', () => {
    const now = new Date('2027-01-20T10:00:00Z');
    expect(remindersDue({ dueDate: '2027-01-19', timeZone: tz, policy, now })).toEqual([]);
    expect(remindersDue({ dueDate: '2027-01-01', timeZone: tz, policy, now })).toEqual([]);
    // The due date itself: both reminders' days have begun, the overdue notice's has not.
    expect(ids(remindersDue({ dueDate: '2027-01-20', timeZone: tz, policy, now }))).toEqual([
      'remind-7d',
      'remind-1d',
    ]);
  });

  it("follows the programme's reminder days: none, or three", () => {
    const now = new Date('2027-01-05T10:00:00Z');
    const none = { ...policy, reminderDaysBeforeDue: [] };
    expect(remindersDue({ dueDate: '2027-01-06', timeZone: tz, policy: none, now })).toEqual([]);
    const three = { ...policy, reminderDaysBeforeDue: [1, 14, 7] };
    expect(ids(remindersDue({ dueDate: '2027-01-15', timeZone: tz, policy: three, now }))).toEqual([
      'remind-14d',
    ]);
    expect(ids(remindersDue({ dueDate: '2027-01-12', timeZone: tz, policy: three, now }))).toEqual([
      'remind-14d',
      'remind-7d',
    ]);
  });

  it("starts each reminder's day at local midnight in the programme's time zone", () => {
    // Auckland (NZDT, UTC+13): 5 January starts at 11:00 UTC on 4 January.
    const auckland = { dueDate: '2027-01-12', timeZone: 'Pacific/Auckland', policy };
    expect(remindersDue({ ...auckland, now: new Date('2027-01-04T10:59:59Z') })).toEqual([]);
    expect(ids(remindersDue({ ...auckland, now: new Date('2027-01-04T11:00:00Z') }))).toEqual(['remind-7d']);
    // Los Angeles (PST, UTC-8): 5 January starts at 08:00 UTC, though the UTC date is already the 5th.
    const angeles = { dueDate: '2027-01-12', timeZone: 'America/Los_Angeles', policy };
    expect(remindersDue({ ...angeles, now: new Date('2027-01-05T07:59:59Z') })).toEqual([]);
    expect(ids(remindersDue({ ...angeles, now: new Date('2027-01-05T08:00:00Z') }))).toEqual(['remind-7d']);
  });

  it('names a reminder as a sentence does', () => {
    expect(reminderLabel({ id: 'remind-7d' })).toBe('7-day');
    expect(reminderLabel({ id: 'remind-14d' })).toBe('14-day');
  });
});
