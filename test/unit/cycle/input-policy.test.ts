import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkInputs, inputLadder, type InputState } from '#shared/cycle/input-policy.ts';

const policy = { reminderEveryDays: 3, remindersBeforeEscalation: 2 };
const requestedAt = new Date('2026-10-01T08:00:00Z');
const inputsDueAt = new Date('2026-10-19T08:00:00Z');
const day = (n: number) => new Date(requestedAt.getTime() + n * 86_400_000);

const inputs: InputState[] = [
  { key: 'b', ownerId: 'ciso', status: 'REQUESTED' },
  { key: 'c', ownerId: 'ciso', status: 'REQUESTED' },
  { key: 'f', ownerId: 'risk', status: 'SUBMITTED' },
  { key: 'g', ownerId: 'alice', status: 'NOTHING_TO_REPORT' },
];

describe('input collection policy', () => {
  it('builds reminders, then manager and chair escalation, all before the deadline', () => {
    expect(inputLadder(requestedAt, inputsDueAt, policy).map((s) => [s.id, s.dueAt.toISOString()])).toEqual([
      ['reminder-1', '2026-10-04T08:00:00.000Z'],
      ['reminder-2', '2026-10-07T08:00:00.000Z'],
      ['escalate-manager', '2026-10-10T08:00:00.000Z'],
      ['escalate-chair', '2026-10-13T08:00:00.000Z'],
    ]);
    // A short window drops the steps that would fall on or after the deadline.
    expect(inputLadder(requestedAt, day(6), policy).map((s) => s.id)).toEqual(['reminder-1']);
  });

  it('groups an owner’s missing inputs into one reminder and does not repeat it', () => {
    const first = checkInputs({ now: day(3), requestedAt, inputsDueAt, policy, inputs, sent: new Set() });
    expect(first.send).toEqual([
      { ownerId: 'ciso', step: expect.objectContaining({ id: 'reminder-1' }), keys: ['b', 'c'] },
    ]);
    expect(first.nextCheckAt).toEqual(day(6));
    const again = checkInputs({
      now: day(4),
      requestedAt,
      inputsDueAt,
      policy,
      inputs,
      sent: new Set(['ciso:reminder-1']),
    });
    expect(again.send).toEqual([]);
  });

  it('goes on at once when everything is answered', () => {
    const answered = inputs.map((i) => ({ ...i, status: 'SUBMITTED' as const }));
    const check = checkInputs({
      now: day(1),
      requestedAt,
      inputsDueAt,
      policy,
      inputs: answered,
      sent: new Set(),
    });
    expect(check).toMatchObject({ allAnswered: true, deadlinePassed: false, notProvided: [], send: [] });
  });

  it('at the deadline records each unanswered input as not provided and sends nothing more', () => {
    const check = checkInputs({
      now: inputsDueAt,
      requestedAt,
      inputsDueAt,
      policy,
      inputs,
      sent: new Set(),
    });
    expect(check).toMatchObject({
      allAnswered: false,
      deadlinePassed: true,
      notProvided: ['b', 'c'],
      send: [],
    });
  });

  it('property: over any sequence of checks each owner gets each escalation once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 96 }), { minLength: 1, maxLength: 30 }), (gaps) => {
        const sent = new Set<string>();
        const order: string[] = [];
        let now = requestedAt;
        for (const gap of gaps) {
          now = new Date(now.getTime() + gap * 3_600_000);
          const check = checkInputs({ now, requestedAt, inputsDueAt, policy, inputs, sent });
          for (const { ownerId, step } of check.send) {
            const id = `${ownerId}:${step.id}`;
            expect(sent.has(id)).toBe(false);
            sent.add(id);
            order.push(step.id);
          }
          if (check.deadlinePassed) break;
        }
        const escalations = order.filter((id) => id.startsWith('escalate'));
        expect(escalations).toEqual(['escalate-manager', 'escalate-chair'].slice(0, escalations.length));
      }),
    );
  });
});

describe('a reminder its next step follows within half an hour', () => {
  // Requested Thursday 1 January 2026 at 00:20 UTC; reminders every 2 days. Reminder 1 falls due on
  // Saturday and is held to Monday 09:00 Tokyo (00:00 UTC); reminder 2 falls due on Monday at 00:20.
  const thursday = new Date('2026-01-01T00:20:00Z');
  const every2 = { reminderEveryDays: 2, remindersBeforeEscalation: 2 };
  const ann: InputState[] = [{ key: 'a', ownerId: 'ann', status: 'REQUESTED' }];
  const tokyoHours = (_owner: string, step: { dueAt: Date }) => {
    // Monday to Friday 09:00-17:00 Tokyo is 00:00-08:00 UTC; the weekend goes to Monday 00:00 UTC.
    const at = new Date(step.dueAt);
    const weekday = at.getUTCDay();
    if (weekday === 6) return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 2));
    if (weekday === 0) return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
    return at;
  };
  const check = (now: string, sent: string[] = [], dueAt = new Date('2026-01-09T00:00:00Z')) =>
    checkInputs({
      now: new Date(now),
      requestedAt: thursday,
      inputsDueAt: dueAt,
      policy: every2,
      inputs: ann,
      sent: new Set(sent),
      sendableAt: tokyoHours,
    });

  it('is left to that step: nothing at 09:00 Tokyo, only reminder 2 twenty minutes later', () => {
    const monday = check('2026-01-05T00:00:00Z');
    expect(monday.send).toEqual([]);
    expect(monday.nextCheckAt).toEqual(new Date('2026-01-05T00:20:00Z'));
    const later = check('2026-01-05T00:20:00Z');
    expect(later.send.map((s) => s.step.id)).toEqual(['reminder-2']);
  });

  it('decides alike whenever the check runs (before the hold, at it, between the two)', () => {
    expect(check('2026-01-03T00:20:00Z').send).toEqual([]);
    expect(check('2026-01-04T12:00:00Z').nextCheckAt).toEqual(new Date('2026-01-05T00:20:00Z'));
    expect(check('2026-01-05T00:10:00Z').send).toEqual([]);
  });

  it('is still sent when that next step would go out at or after the deadline', () => {
    const short = new Date('2026-01-05T00:15:00Z');
    expect(check('2026-01-05T00:00:00Z', [], short).send.map((s) => s.step.id)).toEqual(['reminder-1']);
  });

  it('is sent when its next step comes more than half an hour after it', () => {
    const later = checkInputs({
      now: new Date('2026-01-05T00:00:00Z'),
      requestedAt: new Date('2026-01-01T00:31:00Z'),
      inputsDueAt: new Date('2026-01-09T00:00:00Z'),
      policy: every2,
      inputs: ann,
      sent: new Set(),
      sendableAt: tokyoHours,
    });
    expect(later.send.map((s) => s.step.id)).toEqual(['reminder-1']);
    expect(later.nextCheckAt).toEqual(new Date('2026-01-05T00:31:00Z'));
  });
});
