/**
 * The follow-up sweep: reminders before due dates, the overdue notice, escalation to the ISMS
 * manager and then to top management, for every action of a programme that still needs it, from
 * this cycle or an earlier one (carried over).
 *
 * Cost: the actions come from one query on the sparse open-actions index (gsi2), bounded by date:
 * only actions whose follow-up date is on or before today + the earliest reminder are read. Closed
 * actions carry no gsi2 keys, so the sweep reads, and writes, nothing for them however many there
 * are. Each action keeps the steps sent for its current due date (`stepsSent`), so a step already
 * sent costs no request at all.
 *
 * Never twice: a ladder step is sent through the outbox under a key naming action, due date and
 * step; the ladder steps of one sweep are claimed together in one write and recorded as sent in one
 * more. A step the outbox finds sent before (a sweep interrupted after sending) is not sent again,
 * and the action is only brought up to date. A failed send gives its claim back so that the next
 * sweep sends it. Each action's steps are recorded on it (history, escalation level) in one write,
 * each as an event in the cycle's log, with its recipients.
 *
 * A done corrective action waits for the confirmation of its closure, then for its effectiveness
 * check, not its owner: it leaves the ladder. Once its closure has waited CONFIRMATION_REMINDER_DAYS
 * the confirmer (the ISMS manager, or the chair) is reminded, once per DONE; once the check is past
 * its due date the checker is asked again, once, the ISMS manager copied. Both reminders, like the
 * ladder's steps, go out in their recipient's business hours.
 *
 * When to look again: `actionDueAt` is the time the sweep next has something to send for an action;
 * the sweep returns the earliest (`nextStepAt`), and the follow-up loop sleeps until then.
 */
import { DateTime } from 'luxon';
import type { Clock } from '../clock.ts';
import { awaitingConfirmation, CONFIRMATION_REMINDER_DAYS, type Action } from '../model/action.ts';
import { closureConfirmer, CONFIRM_OVERDUE_STEP } from './action-change.ts';
import type { Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import { ismsManager, personById } from '../programme/queries.ts';
import { sendableAt as sendableAtFor } from '../mail/business-hours.ts';
import { detourWords, escalationRoute } from './escalation-route.ts';
import type { ActionNotifierPort } from './ports.ts';
import { ConcurrentUpdate, type ReviewRepository } from '../store/repository.ts';
import { daysOverdue, dueSteps, ladderPolicyOf, nextStepAt, type LadderStep } from './escalation-policy.ts';
import { currentProgramme } from '../store/stored-programme.ts';

/** What sending one ladder step, or an effectiveness-check reminder, needs (the cycle notifier implements it). */
export interface ActionStepNotifier extends Pick<
  ActionNotifierPort,
  'effectivenessCheckRequest' | 'closureConfirmationRequest'
> {
  /** Sends the messages `work` asks for together; how each went, by outbox key. */
  sendTogether(work: () => Promise<void>): Promise<ReadonlyMap<string, 'sent' | 'already-sent'>>;
  actionStep(args: {
    cycle: Cycle;
    programme: Programme;
    action: Action;
    step: LadderStep;
    daysOverdue: number;
  }): Promise<void>;
}

export interface SweepDeps {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  readonly notifier: ActionStepNotifier;
}

export interface SweepResult {
  /** Actions read from the index. */
  readonly examined: number;
  /** Steps sent by this sweep, as `<action id>:<step id>`. */
  readonly sent: string[];
  /** When a step falls due next (UTC ISO), if any is known. */
  readonly nextStepAt?: string;
}

export { ladderPolicyOf };

/** The claim key of one step: the due date is part of it, so a moved due date starts a fresh ladder. */
export const stepKey = (action: Pick<Action, 'id' | 'dueDate'>, stepId: string) =>
  `action:${action.id}:${action.dueDate}:${stepId}`;

/**
 * Who a step goes to (person ids) and who is copied: the owner for reminders and the notice; for
 * an escalation, up the owner's reporting line (escalation-route.ts), and no one when nobody stands
 * above the owner, with the reason.
 */
export function stepRecipients(
  programme: Programme,
  action: Pick<Action, 'ownerId'>,
  step: LadderStep,
): { to: string[]; copied: string[]; unsent?: string } {
  if (step.kind !== 'escalate-top' && step.kind !== 'escalate-manager') {
    return { to: [action.ownerId], copied: [] };
  }
  const route = escalationRoute(programme, action.ownerId, step.kind);
  const to = route.to.map((addressee) => addressee.person.id);
  return {
    to,
    copied: route.cc.map((person) => person.id),
    ...(to.length === 0
      ? { unsent: route.detours.map((detour) => detourWords(route, detour)).join(' ') }
      : {}),
  };
}

const EVENT_OF: Record<LadderStep['kind'], string> = {
  reminder: 'action.reminder_sent',
  'overdue-notice': 'action.overdue_notice_sent',
  'escalate-manager': 'action.escalated',
  'escalate-top': 'action.escalated',
};

/** Only open work climbs the ladder; a done corrective action waits for its check, not its owner. */
const onLadder = (action: Action) => action.status === 'open' || action.status === 'in_progress';

/** A done corrective action, its closure confirmed, whose effectiveness check has no result yet. */
const awaitingCheck = (action: Action) =>
  action.status === 'done' &&
  action.corrective &&
  action.closureConfirmation !== undefined &&
  action.effectivenessCheck?.result === undefined;

/** The step sent once when an effectiveness check is past its due date. */
export const CHECK_OVERDUE_STEP = 'check-overdue';

interface StepRecord {
  readonly stepId: string;
  readonly level: number;
  /** Whether the action as re-read still awaits this step (not closed, same date). */
  readonly still: (current: Action) => boolean;
  readonly eventType: string;
  readonly eventData: Record<string, unknown>;
  readonly recipients: string[];
  readonly at: string;
  /** False when the send happened before a restart and only the record is written now. */
  readonly delivered: boolean;
  /** True when nothing was sent because nobody stands above the owner to receive it. */
  readonly unsent?: boolean;
}

/**
 * Records steps as sent on the action (and each in the cycle's log) in one write, retrying when
 * someone updated the action meanwhile; a step the action as re-read no longer awaits, or has
 * recorded already, is left out, and nothing is written when none is left.
 */
async function recordSteps(
  repo: ReviewRepository,
  action: Action,
  steps: readonly StepRecord[],
): Promise<void> {
  let current = action;
  for (let attempt = 1; attempt <= 10; attempt += 1) {
    const open = steps.filter((step) => step.still(current) && !current.stepsSent?.[step.stepId]);
    if (open.length === 0) return;
    let next: Action = current;
    for (const step of open) {
      next = {
        ...next,
        stepsSent: { ...next.stepsSent, [step.stepId]: step.at },
        escalationLevel: Math.max(next.escalationLevel, step.level),
        updatedAt: step.at,
        history: [
          ...next.history,
          {
            at: step.at,
            by: 'system',
            change: step.unsent
              ? `${step.stepId} not sent: nobody stands above the owner`
              : `${step.stepId} sent to ${step.recipients.join(', ')}${step.delivered ? '' : ' (recorded after a restart)'}`,
            source: { channel: 'system' },
          },
        ],
      };
    }
    try {
      await repo.updateAction(next, {
        events: open.map((step) => ({
          type: step.eventType,
          at: step.at,
          actor: 'system',
          data: { actionId: action.id, step: step.stepId, recipients: step.recipients, ...step.eventData },
        })),
      });
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdate)) throw error;
      const reread = await repo.getAction(action.id);
      if (!reread) return;
      current = reread;
    }
  }
}

/** Records one step as sent on the action (recordSteps). */
const recordStep = (repo: ReviewRepository, action: Action, step: StepRecord) =>
  recordSteps(repo, action, [step]);

/**
 * When a reminder to `personId` (the checker of an overdue effectiveness check, the confirmer of a
 * closure) may go out from `at` on: `at` inside their business hours, else the start of their next
 * window (the organisation's time zone when the person left the programme).
 */
function sendableTo(programme: Programme, personId: string | undefined, at: Date): Date {
  const person = programme.people.find((p) => p.id === personId);
  return sendableAtFor(programme, person ?? {}, at);
}

/** Whether a reminder to `personId` waits for their business hours at `now`. */
const heldFor = (programme: Programme, personId: string | undefined, now: Date) =>
  sendableTo(programme, personId, now).getTime() > now.getTime();

/**
 * Once an effectiveness check is past its due date (local calendar), asks the checker again, with
 * the ISMS manager copied; sent once per check.
 */
export async function followUpCheck(
  deps: SweepDeps,
  context: { cycle: Cycle; programme: Programme },
  action: Action,
): Promise<string[]> {
  const check = action.effectivenessCheck;
  if (!awaitingCheck(action) || !check || action.stepsSent?.[CHECK_OVERDUE_STEP]) return [];
  const now = deps.clock.now();
  const today = DateTime.fromJSDate(now, { zone: context.programme.organisation.timeZone }).toISODate()!;
  if (today <= check.dueDate || heldFor(context.programme, check.assigneeId, now)) return [];
  const key = `action:${action.id}:check:${check.dueDate}:overdue`;
  const claimed = await deps.repo.claimNotification(action.cycleId, key, now.toISOString());
  if (claimed) {
    try {
      await deps.notifier.effectivenessCheckRequest({ ...context, action, overdue: true });
    } catch (error) {
      await deps.repo.releaseNotification(action.cycleId, key);
      throw error;
    }
  }
  await recordStep(deps.repo, action, {
    stepId: CHECK_OVERDUE_STEP,
    level: action.escalationLevel,
    still: (current) => awaitingCheck(current) && current.effectivenessCheck?.dueDate === check.dueDate,
    eventType: 'action.check_reminder_sent',
    eventData: { checkDueDate: check.dueDate },
    recipients: [check.assigneeId, ismsManager(context.programme).id],
    at: now.toISOString(),
    delivered: claimed,
  });
  return claimed ? [CHECK_OVERDUE_STEP] : [];
}

/**
 * Once a done corrective action's closure has waited CONFIRMATION_REMINDER_DAYS (local calendar)
 * for its confirmation, reminds the confirmer, in their business hours; sent once per DONE.
 */
export async function followUpConfirmation(
  deps: SweepDeps,
  context: { cycle: Cycle; programme: Programme },
  action: Action,
): Promise<string[]> {
  const closure = action.closureEvidence;
  if (!awaitingConfirmation(action) || !closure || action.stepsSent?.[CONFIRM_OVERDUE_STEP]) return [];
  const now = deps.clock.now();
  const zone = context.programme.organisation.timeZone;
  const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
  const remindOn = DateTime.fromISO(closure.at, { zone })
    .plus({ days: CONFIRMATION_REMINDER_DAYS })
    .toISODate()!;
  const confirmer = closureConfirmer(context.programme, action.ownerId);
  if (today < remindOn || heldFor(context.programme, confirmer, now)) return [];
  const key = `action:${action.id}:confirm:${closure.at}:overdue`;
  const claimed = await deps.repo.claimNotification(action.cycleId, key, now.toISOString());
  if (claimed) {
    try {
      await deps.notifier.closureConfirmationRequest({ ...context, action, overdue: true });
    } catch (error) {
      await deps.repo.releaseNotification(action.cycleId, key);
      throw error;
    }
  }
  await recordStep(deps.repo, action, {
    stepId: CONFIRM_OVERDUE_STEP,
    level: action.escalationLevel,
    still: (current) => awaitingConfirmation(current) && current.closureEvidence?.at === closure.at,
    eventType: 'action.confirmation_reminder_sent',
    eventData: { closedAt: closure.at },
    recipients: [confirmer],
    at: now.toISOString(),
    delivered: claimed,
  });
  return claimed ? [CONFIRM_OVERDUE_STEP] : [];
}

/**
 * When a step of the action's ladder may go out, seen from `now`: each waits for its first
 * addressee's business hours, in their time zone, so one due earlier still waits when the sweep
 * runs outside them.
 */
function ladderSendableAt(programme: Programme, action: Action, now: Date) {
  return (step: LadderStep) => {
    const first = stepRecipients(programme, action, step).to[0];
    const due = new Date(Math.max(step.dueAt.getTime(), now.getTime()));
    return first ? sendableAtFor(programme, personById(programme, first), due) : step.dueAt;
  };
}

/**
 * When the sweep next has something to send for `action` as it stands (`sent`: the steps sent so
 * far): `now` or earlier when something is due and may go now, else the first time something falls
 * due and may go out, in its recipient's business hours; undefined when nothing is left to send.
 * The times are those at which the sweep's own conditions turn true (the ladder's steps, the
 * confirmation reminder from the start of its day, an overdue check's reminder from the start of the
 * day after its due date inside the checker's hours), so a sweep at that time sends it.
 */
export function actionDueAt(
  programme: Programme,
  action: Action,
  now: Date,
  sent: ReadonlySet<string> = new Set(Object.keys(action.stepsSent ?? {})),
): Date | undefined {
  const zone = programme.organisation.timeZone;
  if (awaitingConfirmation(action)) {
    if (!action.closureEvidence || sent.has(CONFIRM_OVERDUE_STEP)) return undefined;
    const remindFrom = DateTime.fromISO(action.closureEvidence.at, { zone })
      .plus({ days: CONFIRMATION_REMINDER_DAYS })
      .startOf('day')
      .toMillis();
    const confirmer = closureConfirmer(programme, action.ownerId);
    return sendableTo(programme, confirmer, new Date(Math.max(remindFrom, now.getTime())));
  }
  if (awaitingCheck(action)) {
    const check = action.effectivenessCheck;
    if (!check || sent.has(CHECK_OVERDUE_STEP)) return undefined;
    const overdueFrom = DateTime.fromISO(check.dueDate, { zone }).plus({ days: 1 }).startOf('day').toMillis();
    return sendableTo(programme, check.assigneeId, new Date(Math.max(overdueFrom, now.getTime())));
  }
  if (!onLadder(action)) return undefined;
  const ladder = {
    dueDate: action.dueDate,
    timeZone: zone,
    policy: ladderPolicyOf(programme),
    now,
    sent,
    sendableAt: ladderSendableAt(programme, action, now),
  };
  return dueSteps(ladder).length > 0 ? now : nextStepAt(ladder);
}

/** One ladder step due now for an action: what to send, and how to record it. */
interface PlannedStep {
  readonly step: LadderStep;
  readonly record: Omit<StepRecord, 'delivered'>;
  /** Nobody stands above the owner: recorded, not sent. */
  readonly unsent: boolean;
}

/** The ladder steps due now for one action, and when its next step falls due after them. */
function planLadder(
  now: Date,
  context: { cycle: Cycle; programme: Programme },
  action: Action,
): { steps: PlannedStep[]; next?: Date } {
  const { programme } = context;
  const at = now.toISOString();
  const zone = programme.organisation.timeZone;
  const policy = ladderPolicyOf(programme);
  const sent = new Set(Object.keys(action.stepsSent ?? {}));
  if (!onLadder(action)) return { steps: [] };
  const sendableAt = ladderSendableAt(programme, action, now);
  const steps: PlannedStep[] = [];
  for (const step of dueSteps({ dueDate: action.dueDate, timeZone: zone, policy, now, sent, sendableAt })) {
    const recipients = stepRecipients(programme, action, step);
    const overdue = daysOverdue(action.dueDate, zone, now);
    const still = (current: Action) => onLadder(current) && current.dueDate === action.dueDate;
    const eventData = { level: step.level, dueDate: action.dueDate, daysOverdue: overdue };
    // Nobody to escalate to: the step is recorded, with the reason, so that the ladder moves on
    // and the record shows it was reached and why no one was told.
    const unsent = recipients.unsent !== undefined;
    steps.push({
      step,
      unsent,
      record: unsent
        ? {
            stepId: step.id,
            level: step.level,
            still,
            eventType: 'action.escalation_not_sent',
            eventData: { ...eventData, reason: recipients.unsent },
            recipients: [],
            at,
            unsent: true,
          }
        : {
            stepId: step.id,
            level: step.level,
            still,
            eventType: EVENT_OF[step.kind],
            eventData: { ...eventData, ...(recipients.copied.length ? { copied: recipients.copied } : {}) },
            recipients: recipients.to,
            at,
          },
    });
    sent.add(step.id);
  }
  const next = nextStepAt({ dueDate: action.dueDate, timeZone: zone, policy, now, sent, sendableAt });
  return { steps, ...(next ? { next } : {}) };
}

/**
 * Sends the ladder steps due now for these actions together (claimed in one write, recorded as sent
 * in one more), then records each action's steps on it in one write. The outbox sends each step's
 * key once: a step found sent before (a sweep interrupted after sending) is only recorded now.
 */
async function followUpLadder(
  deps: SweepDeps,
  due: readonly { action: Action; context: { cycle: Cycle; programme: Programme } }[],
): Promise<{ sent: string[]; next?: number }> {
  const now = deps.clock.now();
  const planned = due.map(({ action, context }) => ({
    action,
    context,
    ...planLadder(now, context, action),
  }));
  const outcomes = await deps.notifier.sendTogether(async () => {
    for (const { action, context, steps } of planned) {
      for (const { step } of steps.filter((s) => !s.unsent)) {
        const overdue = daysOverdue(action.dueDate, context.programme.organisation.timeZone, now);
        await deps.notifier.actionStep({ ...context, action, step, daysOverdue: overdue });
      }
    }
  });
  const sent: string[] = [];
  let next: number | undefined;
  for (const { action, steps, next: nextAt } of planned) {
    const delivered = (step: LadderStep) => outcomes.get(stepKey(action, step.id)) === 'sent';
    await recordSteps(
      deps.repo,
      action,
      steps.map(({ step, record, unsent }) => ({ ...record, delivered: !unsent && delivered(step) })),
    );
    sent.push(...steps.filter((s) => !s.unsent && delivered(s.step)).map((s) => `${action.id}:${s.step.id}`));
    if (nextAt) next = Math.min(next ?? Infinity, nextAt.getTime());
  }
  return { sent, ...(next !== undefined ? { next } : {}) };
}

/**
 * Up to which follow-up date the sweep reads actions: the earliest reminder ahead of today, plus
 * the longest the follow-up loop sleeps (wake-up.ts MAX_SLEEP_SECONDS, 7 days) and a day for the
 * index's UTC date of a confirmation reminder. An action read early has nothing due yet (its first
 * step is at most `ahead` days before its date); it is read so that the loop knows when to wake for
 * it. One not read has nothing due before the loop looks again.
 */
export const SWEEP_LOOKAHEAD_DAYS = 8;

function horizonDate(programme: Programme, now: Date): string {
  const ahead = Math.max(0, ...programme.escalation.actionReminderDaysBeforeDue);
  return DateTime.fromJSDate(now, { zone: programme.organisation.timeZone })
    .plus({ days: ahead + SWEEP_LOOKAHEAD_DAYS })
    .toISODate()!;
}

/**
 * When the sweep next has something to send for the programme's actions as they are now (read only:
 * the same reads as the sweep, without sending): `now` or earlier when something is due already.
 */
export async function nextFollowUpAt(
  deps: Pick<SweepDeps, 'repo' | 'clock'>,
  programmeId: string,
): Promise<Date | undefined> {
  const { programme } = await currentProgramme(deps.repo, programmeId);
  const now = deps.clock.now();
  let next: number | undefined;
  for (const action of await deps.repo.listActionsNeedingFollowUp(programmeId, horizonDate(programme, now))) {
    const at = actionDueAt(programme, action, now);
    if (at) next = Math.min(next ?? Infinity, at.getTime());
  }
  return next === undefined ? undefined : new Date(next);
}

/**
 * Runs the ladder for every action of the programme that needs follow-up and is due (or about to
 * be): the function the follow-up loop runs, and the one the bench measures.
 */
export async function sweepActions(deps: SweepDeps, programmeId: string): Promise<SweepResult> {
  const { programme: latest } = await currentProgramme(deps.repo, programmeId);
  const now = deps.clock.now();
  const due = await deps.repo.listActionsNeedingFollowUp(programmeId, horizonDate(latest, now));
  const cycles = new Map<string, { cycle: Cycle; programme: Programme }>();
  const sent: string[] = [];
  let next: number | undefined;
  const ladder: { action: Action; context: { cycle: Cycle; programme: Programme } }[] = [];
  for (const action of due) {
    let context = cycles.get(action.cycleId);
    if (!context) {
      const cycle = await deps.repo.getCycle(action.cycleId);
      if (!cycle) continue;
      // The ladder and the people are those of the programme as it is now (a carried action follows
      // the current escalation policy and reaches today's ISMS manager and chair).
      context = { cycle, programme: latest };
      cycles.set(action.cycleId, context);
    }
    const single = awaitingConfirmation(action)
      ? followUpConfirmation
      : awaitingCheck(action)
        ? followUpCheck
        : undefined;
    if (single) {
      // A reminder sent once: once sent, nothing more is due for the action until it changes.
      const steps = await single(deps, context, action);
      sent.push(...steps.map((step) => `${action.id}:${step}`));
      const done = new Set([...Object.keys(action.stepsSent ?? {}), ...steps]);
      const at = actionDueAt(latest, action, now, done);
      if (at) next = Math.min(next ?? Infinity, Math.max(at.getTime(), now.getTime()));
      continue;
    }
    ladder.push({ action, context });
  }
  const climbed = await followUpLadder(deps, ladder);
  sent.push(...climbed.sent);
  if (climbed.next !== undefined) next = Math.min(next ?? Infinity, climbed.next);
  return {
    examined: due.length,
    sent,
    ...(next !== undefined ? { nextStepAt: new Date(next).toISOString() } : {}),
  };
}
