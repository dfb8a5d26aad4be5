/**
 * The follow-up ladder for an action (clause 10: actions are followed to closure).
 *
 * For an open action the ladder is, in order:
 *   remind-<n>d       n days before the due date (one step per configured n, e.g. 7 and 1)
 *   overdue-notice    to the owner, once the due date has passed (+ overdueNoticeAfterDays)
 *   escalate-manager  to the ISMS manager after a further grace period
 *   escalate-top      to top management (the chair and the owner's executive)
 *
 * Every step has a stable id. The caller records a step as sent with a conditional write keyed by
 * (action, step id), so a step is never sent twice, however often the sweep runs or restarts.
 *
 * Dates: a due date is a calendar date in the organisation's time zone. An action is overdue from
 * the start of the day after its due date, local time. A step "due on day D" becomes due at the start
 * of D, local time, so a sweep at any hour of that day sends it.
 */
import { DateTime } from 'luxon';
import type { Programme } from '../programme/schema.ts';
import { dueSteps as dueLadderSteps, nextStepAt as nextLadderStepAt, type Step } from '../ladder.ts';

export interface ActionLadderPolicy {
  /** Days before the due date on which the owner is reminded, e.g. [7, 1]. */
  readonly reminderDaysBeforeDue: readonly number[];
  /** Days after the due date before the overdue notice to the owner (0 = the day after the due date). */
  readonly overdueNoticeAfterDays: number;
  /** Days after the due date before escalation to the ISMS manager. */
  readonly ismsManagerAfterDays: number;
  /** Days after the due date before escalation to top management. */
  readonly topManagementAfterDays: number;
}

/** The programme's action ladder (its `escalation` settings). */
export const ladderPolicyOf = (programme: Programme): ActionLadderPolicy => ({
  reminderDaysBeforeDue: programme.escalation.actionReminderDaysBeforeDue,
  overdueNoticeAfterDays: programme.escalation.overdueNoticeAfterDays,
  ismsManagerAfterDays: programme.escalation.ismsManagerAfterDays,
  topManagementAfterDays: programme.escalation.topManagementAfterDays,
});

export type LadderStepKind = 'reminder' | 'overdue-notice' | 'escalate-manager' | 'escalate-top';

export interface LadderStep extends Step<LadderStepKind> {
  /** Escalation level reached once this step is sent: 0 reminders, 1 owner notice, 2 manager, 3 top management. */
  readonly level: 0 | 1 | 2 | 3;
}

export interface LadderInput {
  /** yyyy-mm-dd, in the organisation's time zone. */
  readonly dueDate: string;
  readonly timeZone: string;
  readonly policy: ActionLadderPolicy;
}

export class InvalidDueDate extends Error {
  override name = 'InvalidDueDate' as const;
}

function startOfLocalDay(date: string, timeZone: string): DateTime {
  const day = DateTime.fromISO(date, { zone: timeZone });
  if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new InvalidDueDate(`"${date}" is not a calendar date in ${timeZone}; expected yyyy-mm-dd`);
  }
  return day.startOf('day');
}

/** Every step of the ladder for one action, in the order they fall due. */
export function ladderFor({ dueDate, timeZone, policy }: LadderInput): LadderStep[] {
  const due = startOfLocalDay(dueDate, timeZone);
  const overdueFrom = due.plus({ days: 1 });
  const reminders = [...new Set(policy.reminderDaysBeforeDue)]
    .filter((days) => days > 0)
    .sort((a, b) => b - a)
    .map<LadderStep>((days) => ({
      id: `remind-${days}d`,
      kind: 'reminder',
      dueAt: due.minus({ days }).toUTC().toJSDate(),
      level: 0,
    }));
  const after = (days: number) => overdueFrom.plus({ days }).toUTC().toJSDate();
  const steps: LadderStep[] = [
    ...reminders,
    { id: 'overdue-notice', kind: 'overdue-notice', dueAt: after(policy.overdueNoticeAfterDays), level: 1 },
    { id: 'escalate-manager', kind: 'escalate-manager', dueAt: after(policy.ismsManagerAfterDays), level: 2 },
    { id: 'escalate-top', kind: 'escalate-top', dueAt: after(policy.topManagementAfterDays), level: 3 },
  ];
  return steps.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

export interface RemindersDueInput extends LadderInput {
  readonly now: Date;
  /** Ids of the steps already sent for this action (default: none). */
  readonly sent?: ReadonlySet<string>;
}

/**
 * The reminder steps of this ladder already due at `now` and not in `sent`: every one whose day has
 * begun, local time, however many (not only the latest, as the sweep would send), before any
 * business-hours hold. None once a later rung (the overdue notice) is due: reminders are then stale
 * and never sent. A notice to the owner at `now` that names the due date stands for them
 * (shared/actions/action-change.ts `CoveredReminders`). Never an overdue notice or an escalation.
 */
export function remindersDue({ now, sent = new Set(), ...ladder }: RemindersDueInput): LadderStep[] {
  const reached = ladderFor(ladder).filter((step) => step.dueAt.getTime() <= now.getTime());
  if (reached.some((step) => step.kind !== 'reminder')) return [];
  return reached.filter((step) => !sent.has(step.id));
}

/** A reminder step as a sentence names it, `the 7-day reminder`: `7-day` for `remind-7d`. */
export function reminderLabel(step: Pick<LadderStep, 'id'>): string {
  const days = /^remind-(\d+)d$/.exec(step.id)?.[1];
  return days ? `${days}-day` : step.id;
}

export interface DueStepsInput extends LadderInput {
  readonly now: Date;
  /** Ids of the steps already sent for this action. */
  readonly sent: ReadonlySet<string>;
  /**
   * When a step may go out to its recipient: the start of their next business hours when it falls
   * due outside them (shared/mail/business-hours.ts); absent: as soon as it is due.
   */
  readonly sendableAt?: (step: LadderStep) => Date;
}

/** The ladder with each step held until it may be sent (see `sendableAt`). */
const heldLadder = ({ sendableAt, ...ladder }: LadderInput & Pick<DueStepsInput, 'sendableAt'>) =>
  sendableAt ? ladderFor(ladder).map((step) => ({ ...step, dueAt: sendableAt(step) })) : ladderFor(ladder);

/** The steps of this action's ladder to send now (see `dueSteps` in shared/ladder.ts). */
export function dueSteps({ now, sent, ...ladder }: DueStepsInput): LadderStep[] {
  return dueLadderSteps(heldLadder(ladder), now, sent);
}

/** Whole days an action is overdue at `now` (0 when it is not overdue). */
export function daysOverdue(dueDate: string, timeZone: string, now: Date): number {
  const overdueFrom = startOfLocalDay(dueDate, timeZone).plus({ days: 1 });
  const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  return Math.max(0, Math.floor(today.diff(overdueFrom, 'days').days) + 1);
}

/** When the next step falls due after `now`, if any: when the follow-up loop should look again. */
export function nextStepAt({ now, sent, ...ladder }: DueStepsInput): Date | undefined {
  return nextLadderStepAt(heldLadder(ladder), now, sent);
}
