/**
 * After the meeting: asking the ISMS manager for the minutes, the reminders until they are accepted
 * (the chair copied from the third), then the minutes archived, distributed and the cycle moved on
 * to following up its actions.
 */
import type { Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import { ismsManager } from '../programme/queries.ts';
import { recipientZone } from '../mail/business-hours.ts';
import type { DistributionDeps, MailingDeps } from './ports.ts';
import { archiveMinutes } from './minutes-archive.ts';
import { SYSTEM, advance, iso, loadCycle, programmeOf, viewOf, type CycleView } from './cycle-state.ts';
import { attendees } from './distribution-phase.ts';
import {
  nextReminderAt,
  reminderSendable,
  wakeUpAt,
  wakeUpFor,
  type ReminderSeries,
  type StampedWakeUp,
  type WakeUp,
} from './wake-up.ts';

/** Days between minutes reminders to the ISMS manager, and reminders before the chair is told. */
export const MINUTES_REMINDER_EVERY_DAYS = 2;
export const MINUTES_REMINDERS_BEFORE_CHAIR = 2;
/** Once the chair is copied, the reminders go on weekly until the minutes arrive. */
export const MINUTES_ESCALATED_EVERY_DAYS = 7;

/**
 * The number of the minutes reminder due `elapsedDays` after the meeting (0: none yet): every two
 * days to the ISMS manager, the third with the chair copied, then weekly (days 2, 4, 6, 13, 20, ...).
 */
export function minutesReminderDue(elapsedDays: number): number {
  const escalatedFrom = (MINUTES_REMINDERS_BEFORE_CHAIR + 1) * MINUTES_REMINDER_EVERY_DAYS;
  if (elapsedDays < escalatedFrom) return Math.max(0, Math.floor(elapsedDays / MINUTES_REMINDER_EVERY_DAYS));
  return (
    MINUTES_REMINDERS_BEFORE_CHAIR +
    1 +
    Math.floor((elapsedDays - escalatedFrom) / MINUTES_ESCALATED_EVERY_DAYS)
  );
}

/** Days after the meeting on which minutes reminder `n` (1, 2, ...) falls due: the inverse of `minutesReminderDue`. */
export function minutesReminderDueDays(n: number): number {
  const beforeChair = MINUTES_REMINDERS_BEFORE_CHAIR + 1;
  return n <= beforeChair
    ? n * MINUTES_REMINDER_EVERY_DAYS
    : beforeChair * MINUTES_REMINDER_EVERY_DAYS + (n - beforeChair) * MINUTES_ESCALATED_EVERY_DAYS;
}

/**
 * The minutes reminders as a series to the ISMS manager, counted from the planned meeting: each goes
 * inside their business hours (their time zone, else the organisation's), see wake-up.ts.
 */
export function minutesReminders(
  programme: Programme,
  cycle: Pick<Cycle, 'plannedMeetingAt'>,
): ReminderSeries {
  const meeting = Date.parse(cycle.plannedMeetingAt);
  return {
    dueAt: (n) => new Date(meeting + minutesReminderDueDays(n) * 86_400_000),
    dueBy: (at) => minutesReminderDue((at.getTime() - meeting) / 86_400_000),
    timeZone: recipientZone(programme, ismsManager(programme)),
    hours: programme.mail.businessHours,
  };
}

/**
 * Asks the ISMS manager for the minutes once the meeting has begun. Before that (the package just
 * sent, or the wait for the meeting woken by a move) it asks for nothing and says how long the
 * workflow's wait for the meeting sleeps (AwaitMeeting's timeout: until the meeting, at most a week,
 * wake-up.ts); a move wakes that wait, and this step works it out again from the new time.
 */
export async function requestMinutes(
  deps: MailingDeps<'minutesRequest'>,
  cycleId: string,
): Promise<CycleView & ({ meetingHeld: true } | ({ meetingHeld: false } & WakeUp))> {
  let cycle = await loadCycle(deps, cycleId);
  const now = deps.clock.now();
  if (!cycle.minutesApprovedAt && now < new Date(cycle.plannedMeetingAt)) {
    return { ...viewOf(cycle), meetingHeld: false, ...wakeUpAt(now, new Date(cycle.plannedMeetingAt)) };
  }
  cycle = await advance(deps, cycle, 'AWAITING_MINUTES');
  const programme = await programmeOf(deps, cycle);
  if (!cycle.minutesApprovedAt) await deps.notifier.minutesRequest({ cycle, programme, reminder: 0 });
  return { ...viewOf(cycle), meetingHeld: true };
}

/**
 * Minutes accepted? If not, sends the reminder that is due (the ISMS manager, then the chair), and
 * says when the wait should look again: when the next reminder may go out (wake-up.ts).
 */
export async function checkMinutes(
  deps: MailingDeps<'minutesRequest'>,
  cycleId: string,
): Promise<{ accepted: boolean } & StampedWakeUp> {
  const cycle = await loadCycle(deps, cycleId);
  const now = deps.clock.now();
  if (cycle.minutesApprovedAt) return { accepted: true, ...wakeUpFor(cycle, now, undefined) };
  const programme = await programmeOf(deps, cycle);
  const series = minutesReminders(programme, cycle);
  const reminder = series.dueBy(now);
  const wakeUp = wakeUpFor(cycle, now, nextReminderAt(series, now));
  if (reminder >= 1 && !reminderSendable(series, reminder, now)) return { accepted: false, ...wakeUp };
  if (reminder >= 1) {
    const key = `minutes:reminder-${reminder}`;
    const claimed = await deps.repo.claimNotification(cycleId, key, iso(now));
    // Sent even when already claimed: a run killed between the claim and the send left the claim
    // alone. The outbox sends each key exactly once (an earlier send is found SENT, not repeated).
    try {
      await deps.notifier.minutesRequest({ cycle, programme, reminder });
    } catch (error) {
      if (claimed) await deps.repo.releaseNotification(cycleId, key);
      throw error;
    }
    if (claimed) {
      await deps.repo.appendEvent(cycleId, {
        type: reminder > MINUTES_REMINDERS_BEFORE_CHAIR ? 'minutes.escalated' : 'minutes.reminder_sent',
        at: iso(now),
        actor: SYSTEM,
        data: { reminder },
      });
    }
  }
  return { accepted: false, ...wakeUp };
}

/** After accepted minutes: distribute them and start following the actions up. */
export async function recordOutcomes(
  deps: DistributionDeps<'minutesDistribution'>,
  cycleId: string,
): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  const programme = await programmeOf(deps, cycle);
  if (cycle.phase === 'AWAITING_MINUTES') {
    const pdf = await archiveMinutes(deps, cycle, programme);
    await deps.notifier.minutesDistribution({ cycle, programme, recipients: attendees(programme), pdf });
    const actions = await deps.repo.listActionsOfCycle(cycleId);
    cycle = await advance(deps, cycle, 'FOLLOW_UP', { actions: actions.map((a) => a.id) });
  }
  return viewOf(cycle);
}
