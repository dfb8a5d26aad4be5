/**
 * When a wait for people wakes by itself (shared/cycle/wake-up.ts): the sleep the state machine reads
 * as TimeoutSecondsPath, and, for each series of reminders, that sleeping until the next one may go
 * out sends the same mail, at the same time, as looking all the time would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { approvalReminders } from '#shared/cycle/approvals.ts';
import { checkInputs, inputLadder, type InputState, type InputStep } from '#shared/cycle/input-policy.ts';
import { minutesReminderDue, minutesReminders } from '#shared/cycle/minutes-phase.ts';
import {
  MAX_SLEEP_SECONDS,
  MIN_SLEEP_SECONDS,
  nextReminderAt,
  reminderSendable,
  wakeUpAt,
  type ReminderSeries,
} from '#shared/cycle/wake-up.ts';
import { nextBusinessTime, withinBusinessHours } from '#shared/mail/business-hours.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';

const DAY = 86_400_000;
const ZONES = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'];
/** A time to the minute, as meetings and requests are. */
const instant = fc
  .integer({
    min: Date.parse('2026-01-01T00:00:00Z') / 60_000,
    max: Date.parse('2029-12-31T00:00:00Z') / 60_000,
  })
  .map((minutes) => new Date(minutes * 60_000));

describe('the sleep of a wait (TimeoutSecondsPath)', () => {
  const now = new Date('2027-03-01T09:00:00Z');

  it('sleeps the least for what is due already or within a minute, and the most for nothing or what lies past a week', () => {
    expect(wakeUpAt(now, new Date('2027-02-20T00:00:00Z')).sleepSeconds).toBe(MIN_SLEEP_SECONDS);
    expect(wakeUpAt(now, now).sleepSeconds).toBe(MIN_SLEEP_SECONDS);
    expect(wakeUpAt(now, new Date(now.getTime() + 59_999)).sleepSeconds).toBe(MIN_SLEEP_SECONDS);
    expect(wakeUpAt(now, undefined)).toEqual({
      sleepSeconds: MAX_SLEEP_SECONDS,
      nextCheckAt: '2027-03-08T09:00:00.000Z',
    });
    expect(wakeUpAt(now, new Date('2027-04-01T09:00:00Z')).sleepSeconds).toBe(7 * 86_400);
    expect(wakeUpAt(now, new Date('2027-03-04T09:00:00Z'))).toEqual({
      sleepSeconds: 3 * 86_400,
      nextCheckAt: '2027-03-04T09:00:00.000Z',
    });
  });

  it('is a whole number of seconds from 60 to a week that never wakes before what is due, and at most a second after', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -30 * DAY, max: 30 * DAY }), (at, offset) => {
        const due = new Date(at.getTime() + offset);
        const { sleepSeconds, nextCheckAt } = wakeUpAt(at, due);
        expect(Number.isInteger(sleepSeconds)).toBe(true);
        expect(sleepSeconds).toBeGreaterThanOrEqual(MIN_SLEEP_SECONDS);
        expect(sleepSeconds).toBeLessThanOrEqual(MAX_SLEEP_SECONDS);
        expect(Date.parse(nextCheckAt)).toBe(at.getTime() + sleepSeconds * 1000);
        if (offset > MIN_SLEEP_SECONDS * 1000 && offset <= MAX_SLEEP_SECONDS * 1000) {
          expect(Date.parse(nextCheckAt)).toBeGreaterThanOrEqual(due.getTime());
          expect(Date.parse(nextCheckAt) - due.getTime()).toBeLessThan(1000);
        }
      }),
    );
  });
});

/**
 * Runs a series from `from` to `until` the way the workflow does: a check sends the reminder due if it
 * may go out now, then sleeps until `nextReminderAt`. Returns what was sent, when, and the wake-ups.
 */
function sleepUntilDue(series: ReminderSeries, from: Date, until: Date) {
  const sent = new Map<number, Date>();
  let now = from;
  let wakeUps = 0;
  while (now < until) {
    const reminder = series.dueBy(now);
    if (reminder >= 1 && !sent.has(reminder) && reminderSendable(series, reminder, now)) {
      sent.set(reminder, now);
    }
    now = new Date(Date.parse(wakeUpAt(now, nextReminderAt(series, now)).nextCheckAt));
    wakeUps += 1;
  }
  return { sent, wakeUps };
}

/**
 * Each reminder goes when it may (its recipient's next business time), unless a later one is due by
 * then; one overtaken within the minute a wait may oversleep may go either way.
 */
function expectEveryReminderOnTime(series: ReminderSeries, from: Date, until: Date) {
  const { sent, wakeUps } = sleepUntilDue(series, from, until);
  let expected = 0;
  let either = 0;
  for (let n = 1; series.dueAt(n) < until; n += 1) {
    const sendAt = nextBusinessTime(series.dueAt(n), series.timeZone, series.hours);
    if (sendAt.getTime() + MIN_SLEEP_SECONDS * 1000 >= until.getTime()) break;
    if (series.dueBy(sendAt) !== n) {
      expect(sent.has(n), `reminder ${n} is overtaken by a later one`).toBe(false);
      continue;
    }
    if (series.dueBy(new Date(sendAt.getTime() + MIN_SLEEP_SECONDS * 1000)) !== n) {
      either += sent.has(n) ? 1 : 0;
      continue;
    }
    expected += 1;
    const at = sent.get(n);
    expect(at, `reminder ${n} is sent`).toBeDefined();
    expect(at!.getTime() - sendAt.getTime(), `reminder ${n} is sent when it may go`).toBeGreaterThanOrEqual(
      0,
    );
    expect(at!.getTime() - sendAt.getTime()).toBeLessThan(MIN_SLEEP_SECONDS * 1000);
    expect(withinBusinessHours(at!, series.timeZone, series.hours)).toBe(true);
  }
  expect(sent.size - either).toBe(expected);
  // One wake-up per reminder, one more at each one held to the next window, and the week's safety net.
  expect(wakeUps).toBeLessThanOrEqual(
    2 * expected + Math.ceil((until.getTime() - from.getTime()) / (7 * DAY)) + 1,
  );
  return { sent, wakeUps };
}

describe('a series of reminders, sleeping until the next may go out', () => {
  const programme = loadProgrammeFile('programme.example.yaml');
  const hours = fc.constantFrom(
    undefined,
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '09:00', end: '17:00' },
    { days: ['sun', 'mon', 'tue', 'wed', 'thu'] as const, start: '08:00', end: '12:30' },
  );

  it('sends nothing before the first reminder falls due', () => {
    const meeting = new Date('2027-04-06T13:00:00Z');
    const series = minutesReminders(programme, { plannedMeetingAt: meeting.toISOString() });
    // Two days after the meeting, 14:00 in London: the first reminder's time to the second.
    expect(nextReminderAt(series, meeting)).toEqual(new Date('2027-04-08T13:00:00Z'));
    const { sent } = sleepUntilDue(series, meeting, new Date('2027-04-08T12:59:59Z'));
    expect(sent.size).toBe(0);
  });

  it('minutes: every reminder at the time it may go out, held over a weekend to Monday', () => {
    // Meeting Thursday 18:00 London time: the first reminder is due Saturday and goes Monday 09:00.
    const meeting = new Date('2027-04-08T17:00:00Z');
    const series = minutesReminders(programme, { plannedMeetingAt: meeting.toISOString() });
    expect(nextReminderAt(series, meeting)).toEqual(new Date('2027-04-12T08:00:00Z'));
    const { sent } = expectEveryReminderOnTime(series, meeting, new Date(meeting.getTime() + 40 * DAY));
    expect(sent.get(1)).toEqual(new Date('2027-04-12T08:00:00Z'));
  });

  it('minutes and approvals: the same mail at the same time as a check at every moment would send (property)', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom(...ZONES),
        hours,
        fc.constantFrom('minutes', 'package', 'minutes-approval'),
        (start, timeZone, businessHours, which) => {
          const zoned = {
            ...programme,
            organisation: { ...programme.organisation, timeZone },
            people: programme.people.map(({ timeZone: _own, ...person }) => person),
            mail: {
              ...programme.mail,
              businessHours: businessHours && { ...businessHours, days: [...businessHours.days] },
            },
          };
          const series =
            which === 'minutes'
              ? minutesReminders(zoned, { plannedMeetingAt: start.toISOString() })
              : approvalReminders(zoned, which === 'package' ? 'package' : 'minutes', start.toISOString());
          expect(series.timeZone).toBe(timeZone);
          expectEveryReminderOnTime(series, start, new Date(start.getTime() + 40 * DAY));
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it('a check woken between reminders (a reply, a moved meeting) sends nothing new and keeps the next time', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 30 * DAY }), (meeting, offset) => {
        const series = minutesReminders(programme, { plannedMeetingAt: meeting.toISOString() });
        const { sent } = sleepUntilDue(series, meeting, new Date(meeting.getTime() + offset));
        const at = new Date(meeting.getTime() + offset);
        const next = nextReminderAt(series, at);
        expect(next.getTime()).toBeGreaterThan(at.getTime());
        // Nothing falls due inside business hours between the check and the time it names.
        const reminder = minutesReminderDue((at.getTime() - meeting.getTime()) / DAY);
        const handled = reminder === 0 || sent.has(reminder) || reminderSendable(series, reminder, at);
        for (let t = at.getTime() + 30 * 60_000; t < next.getTime(); t += 30 * 60_000) {
          if (!withinBusinessHours(new Date(t), series.timeZone, series.hours)) continue;
          expect(series.dueBy(new Date(t))).toBe(reminder);
          expect(handled).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});

describe('input collection, sleeping until the next step may go out', () => {
  const policy = fc.record({
    reminderEveryDays: fc.integer({ min: 1, max: 4 }),
    remindersBeforeEscalation: fc.integer({ min: 0, max: 3 }),
  });
  const owners = fc.uniqueArray(
    fc.record({ ownerId: fc.constantFrom('ann', 'bob', 'cat', 'dan'), zone: fc.constantFrom(...ZONES) }),
    { minLength: 1, maxLength: 3, selector: (owner) => owner.ownerId },
  );

  const POLL_MS = 30 * 60_000;
  /** Reminders go in the owner's business hours; escalations in the ISMS manager's and the chair's (London). */
  const sendableAt = (ownerZone: string, step: InputStep) =>
    nextBusinessTime(step.dueAt, step.kind === 'reminder' ? ownerZone : 'Europe/London');

  /** The checks of input collection from `requestedAt` to the deadline, at the times `next` gives. */
  function collect(
    args: {
      requestedAt: Date;
      inputsDueAt: Date;
      policy: { reminderEveryDays: number; remindersBeforeEscalation: number };
      owners: { ownerId: string; zone: string }[];
    },
    next: (now: Date, nextCheckAt: Date) => Date,
  ) {
    const zoneOf = new Map(args.owners.map((o) => [o.ownerId, o.zone]));
    const inputs: InputState[] = args.owners.map((o) => ({
      key: o.ownerId,
      ownerId: o.ownerId,
      status: 'REQUESTED',
    }));
    const sent = new Map<string, Date>();
    let now = args.requestedAt;
    let checks = 0;
    for (;;) {
      checks += 1;
      const decision = checkInputs({
        ...args,
        now,
        inputs,
        sent: new Set(sent.keys()),
        sendableAt: (ownerId, step) => sendableAt(zoneOf.get(ownerId)!, step),
      });
      for (const { ownerId, step } of decision.send) sent.set(`${ownerId}:${step.id}`, now);
      if (decision.deadlinePassed) return { sent, checks, end: now };
      now = next(now, decision.nextCheckAt);
    }
  }

  it('sends every step a check every half hour would send, as early (and one in the last half hour the poll misses), and wakes about once per step', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 5, max: 12 }),
        policy,
        owners,
        (requestedAt, days, inputPolicy, who) => {
          const args = {
            requestedAt,
            inputsDueAt: new Date(requestedAt.getTime() + days * DAY),
            policy: inputPolicy,
            owners: who,
          };
          const asleep = collect(args, (now, due) => new Date(Date.parse(wakeUpAt(now, due).nextCheckAt)));
          const polled = collect(args, (now) => new Date(now.getTime() + POLL_MS));
          // Everything polling sends, sleeping sends too. Sleeping may send more: a step whose time
          // comes less than a poll interval before the deadline, which no half-hourly poll catches.
          for (const step of polled.sent.keys()) expect(asleep.sent.has(step), step).toBe(true);
          for (const [step, at] of asleep.sent) {
            if (polled.sent.has(step)) continue;
            expect(args.inputsDueAt.getTime() - at.getTime(), step).toBeLessThan(POLL_MS);
          }
          for (const [step, at] of asleep.sent) {
            if (!polled.sent.has(step)) continue;
            // Polling sends at the first poll at or after the step's time; sleeping, at its time.
            expect(at.getTime(), step).toBeLessThanOrEqual(polled.sent.get(step)!.getTime() + 60_000);
            expect(polled.sent.get(step)!.getTime() - at.getTime(), step).toBeLessThan(POLL_MS + 60_000);
          }
          expect(asleep.end.getTime() - args.inputsDueAt.getTime()).toBeLessThan(60_000);
          // A wake-up per distinct time a step may go out (sent or overtaken), the first check, the
          // deadline, and the week's safety net.
          const times = new Set(
            who.flatMap(({ ownerId, zone }) =>
              inputLadder(requestedAt, args.inputsDueAt, inputPolicy)
                .map((step) => sendableAt(zone, step).getTime())
                .filter((at) => at < args.inputsDueAt.getTime())
                .map((at) => `${ownerId}:${at}`),
            ),
          );
          expect(asleep.checks).toBeLessThanOrEqual(times.size + 2 + Math.ceil(days / 7));
        },
      ),
      {
        numRuns: 12,
        // A reminder held over a weekend to Monday 09:00 in New York, one minute before the deadline.
        examples: [
          [
            new Date('2028-07-04T13:01:00.000Z'),
            6,
            { reminderEveryDays: 2, remindersBeforeEscalation: 2 },
            [{ ownerId: 'ann', zone: 'America/New_York' }],
          ],
        ],
      },
    );
  }, 60_000);
});
