/**
 * When a wait for people wakes by itself. Each Check step (inputs, minutes, approvals) works out
 * when something next falls due for its wait (the next reminder or escalation at the time it may
 * really go out, inside its recipient's business hours, or the input deadline) and returns it with
 * the number of seconds to sleep; the state machine's wait task reads those seconds as its
 * TimeoutSecondsPath (infra/workflow/review-cycle.ts). A reply still resumes the wait at once, and a
 * moved meeting wakes it (await-people.ts `wakeWaiting`) so that its Check computes again; a move
 * between the Check and the park is caught by the stamp (`StampedWakeUp`). The action follow-up
 * sleeps the same way (follow-up-phase.ts).
 *
 * The sleep is an integer number of seconds (what TimeoutSecondsPath takes), rounded up so that a
 * wait never wakes before what it waits for, at least MIN_SLEEP_SECONDS, and at most
 * MAX_SLEEP_SECONDS: the safety net that makes every wait look again within a week whatever happens.
 */
import {
  nextBusinessTime,
  windowMissed,
  withinBusinessHours,
  type BusinessHours,
} from '../mail/business-hours.ts';
import type { Cycle } from '../model/cycle.ts';

export const MIN_SLEEP_SECONDS = 60;
export const MAX_SLEEP_SECONDS = 7 * 86_400;

/** What a Check step tells the state machine about its wait. */
export interface WakeUp {
  /** When the wait looks again by itself (UTC ISO): `now` plus `sleepSeconds`. */
  readonly nextCheckAt: string;
  /** The wait task's timeout (TimeoutSecondsPath): a whole number of seconds, 60 to 604,800. */
  readonly sleepSeconds: number;
}

/**
 * A wake-up with the stamp of what it was worked out from. A wait's Check reads the cycle, works
 * out the wake-up and returns it; the wait task parks its token a moment later. A move of the
 * meeting in between finds no token to wake, and the wait would sleep to the old time; so the wait
 * task, once parked, compares the stamp it was given with the cycle's current one and resumes at
 * once when they differ (await-people.ts `awaitPeople`).
 */
export interface StampedWakeUp extends WakeUp {
  /** The cycle's dates the wake-up depends on and a move changes (`wakeStamp`). */
  readonly stamp: string;
}

/** The stamp of the cycle's dates a wait's wake-up is worked out from: what `cycle move` changes. */
export function wakeStamp(cycle: Pick<Cycle, 'inputsDueAt' | 'packageSendAt' | 'plannedMeetingAt'>): string {
  return [cycle.inputsDueAt, cycle.packageSendAt, cycle.plannedMeetingAt].join('|');
}

/** `wakeUpAt`, stamped with the cycle it was worked out from. */
export function wakeUpFor(
  cycle: Pick<Cycle, 'inputsDueAt' | 'packageSendAt' | 'plannedMeetingAt'>,
  now: Date,
  dueAt: Date | undefined,
): StampedWakeUp {
  return { ...wakeUpAt(now, dueAt), stamp: wakeStamp(cycle) };
}

/** The wake-up for something falling due at `dueAt` (undefined: nothing due; sleep the maximum). */
export function wakeUpAt(now: Date, dueAt: Date | undefined): WakeUp {
  const wanted =
    dueAt === undefined ? MAX_SLEEP_SECONDS : Math.ceil((dueAt.getTime() - now.getTime()) / 1000);
  const sleepSeconds = Math.min(MAX_SLEEP_SECONDS, Math.max(MIN_SLEEP_SECONDS, wanted));
  return { nextCheckAt: new Date(now.getTime() + sleepSeconds * 1000).toISOString(), sleepSeconds };
}

/**
 * A numbered series of reminders to one recipient (the minutes to the ISMS manager, an approval to
 * its approver): reminder n (1, 2, ...) falls due at `dueAt(n)`; `dueBy(at)` is the number of the
 * latest one due at `at` (0: none yet). Each goes out inside the recipient's business hours.
 */
export interface ReminderSeries {
  readonly dueAt: (reminder: number) => Date;
  readonly dueBy: (at: Date) => number;
  readonly timeZone: string;
  readonly hours?: BusinessHours | undefined;
}

/**
 * Whether reminder `reminder`, due by now, may go out now: inside the recipient's business hours, or
 * at once when a whole window passed since it fell due without a check inside it (a wait that was
 * down, e.g. an outage, sends what it owes rather than waiting for another window it may miss).
 */
export function reminderSendable(series: ReminderSeries, reminder: number, now: Date): boolean {
  return (
    withinBusinessHours(now, series.timeZone, series.hours) ||
    windowMissed(series.dueAt(reminder), now, series.timeZone, series.hours)
  );
}

/**
 * When a check at `now` (which sent what was due and sendable) should look again: the start of the
 * recipient's next window when the reminder due now is held outside it, else the time the next
 * reminder may go out.
 */
export function nextReminderAt(series: ReminderSeries, now: Date): Date {
  const reminder = series.dueBy(now);
  if (reminder >= 1 && !reminderSendable(series, reminder, now)) {
    return nextBusinessTime(now, series.timeZone, series.hours);
  }
  return nextBusinessTime(series.dueAt(reminder + 1), series.timeZone, series.hours);
}
