/**
 * The action register: every change to an action, by email reply or the command line, goes through
 * `changeAction`, which checks the change against the lifecycle, records who made it and from where
 * (the inbound Message-ID, or the command line) in the action's history and the cycle's log, and
 * sends what the change calls for (the effectiveness check, the chair's extension request, the
 * owner's answer).
 *
 * Lifecycle:
 *
 * | command  | from                       | to          | needs                                           |
 * | -------- | -------------------------- | ----------- | ----------------------------------------------- |
 * | progress | open, in progress          | in progress | a note                                          |
 * | done     | open, in progress          | done        | a text and an attachment or a web link; a       |
 * |          |                            |             | corrective action then awaits confirmation      |
 * | confirm  | done (corrective, awaiting) | (same)     | the ISMS manager (the chair when the ISMS       |
 * |          |                            |             | manager owns it): starts the effectiveness check |
 * | verify   | done                       | verified    | a note; corrective: confirmed, not by the owner |
 * | check    | done (corrective, confirmed) | verified / open | PASS or FAIL with rationale, not the owner |
 * | reopen   | in progress, done          | open        | a note; a corrective action awaiting            |
 * |          |                            |             | confirmation: its confirmer, → in progress,     |
 * |          |                            |             | the owner told what is missing                  |
 * | cancel   | open, in progress, done    | cancelled   | a reason                                        |
 * | extend   | open, in progress          | (same)      | a later date and a reason; the chair decides    |
 * | approve / refuse | a pending extension | (same)     | refuse: a reason; approve moves the due date    |
 * | reschedule  | open, in progress       | (same)      | top management: a new future date and a reason  |
 * | reassign    | open, in progress       | (same)      | top management: another owner, a reason; a new  |
 * |             |                         |             | date when the action is already overdue         |
 * | accept-risk | open, in progress       | cancelled   | top management: the reason the risk is accepted |
 *
 * The last three are top management's decisions on an escalated action (the escalation email asks
 * for one of them): only the chair or a member of top management may make them, by reply to the
 * escalation or recorded on the command line in their name. Each supersedes a pending extension
 * request and tells the owner (and, when reassigned, the new owner).
 * Verified and cancelled are final. A due date that moves (an approved extension, a failed check)
 * clears the follow-up steps sent, so the ladder starts again for the new date; the owner's notice of
 * the change stands for its reminders already due (action-change.ts CoveredReminders).
 *
 * The files: action-change.ts (commands, results, errors), plan-change.ts (the checks every change
 * makes and the table of handlers), work-changes.ts, check-changes.ts, extension-changes.ts and
 * management-decisions.ts (one handler per command); this file applies a planned change.
 *
 * The follow-up loop, asleep until its next step falls due, is woken after every change (when the
 * caller gives the workflow port: follow-up-wake.ts), so it sees the change at once.
 *
 * Idempotency: a change from an email carries its Message-ID; a message seen again finds its entry
 * in the history and changes nothing (its notifications are re-sent through the outbox, which sends
 * each once).
 */
import type { Clock } from '../clock.ts';
import { awaitingConfirmation, type Action, type UpdateSource } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import { ConcurrentUpdate, type ReviewRepository } from '../store/repository.ts';
import { programmeVersion } from '../store/stored-programme.ts';
import {
  ActionNotFound,
  type ActionChangeRequest,
  type ActionCommand,
  type FollowOn,
  type PlannedChange,
} from './action-change.ts';
import { planChange } from './plan-change.ts';
import type { ActionNotifierPort } from './ports.ts';
import type { WorkflowPort } from '../store/workflow.ts';
import { wakeFollowUp } from './follow-up-wake.ts';

export {
  ActionClosed,
  ActionNotFound,
  closureConfirmer,
  defaultChecker,
  EFFECTIVENESS_CHECK_DAYS,
  InvalidActionChange,
  localDate,
  REOPENED_DUE_DAYS,
  type ActionChangeRequest,
  type ActionCommand,
  type FollowOn,
  type ManagementDecision,
  type PlannedChange,
} from './action-change.ts';
export { planChange } from './plan-change.ts';

export interface ActionDeps {
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  /** Sends what a change calls for; absent: nothing is sent (e.g. a dry run). */
  readonly notifier?: ActionNotifierPort;
  /**
   * Wakes the sleeping follow-up after the change (follow-up-wake.ts), so that a closure, a moved
   * due date or a new owner is acted on at once; absent: the follow-up sees it when it next wakes.
   */
  readonly workflow?: WorkflowPort;
}

export interface ActionChangeResult {
  readonly action: Action;
  /** The same email was applied before; nothing was changed this time. */
  readonly repeated: boolean;
  readonly followOn?: FollowOn;
}

const ATTEMPTS = 20;

/** The cycle that decided the action, and the programme version it ran under. */
export async function actionContext(
  repo: ReviewRepository,
  action: Pick<Action, 'cycleId' | 'id'>,
): Promise<{ cycle: Cycle; programme: Programme }> {
  const cycle = await repo.getCycle(action.cycleId);
  if (!cycle) throw new ActionNotFound(`${action.id} (its cycle ${action.cycleId} is missing)`);
  return { cycle, programme: await programmeVersion(repo, cycle.programme) };
}

/** Applies one change (see the module comment), retrying when another writer got there first. */
export async function changeAction(
  deps: ActionDeps,
  request: ActionChangeRequest,
): Promise<ActionChangeResult> {
  for (let attempt = 1; ; attempt += 1) {
    const action = await deps.repo.getAction(request.actionId);
    if (!action) throw new ActionNotFound(request.actionId);
    const { cycle, programme } = await actionContext(deps.repo, action);
    const { source } = request;
    const stored =
      source.channel === 'email'
        ? action.history.find((e) => e.source?.channel === 'email' && e.source.messageId === source.messageId)
        : undefined;
    if (stored) {
      // The change was stored; what it sends may not have been (a crash, or the mail service down, in
      // between): send again, the outbox sends each message once. The entry keeps what the change
      // sends; entries written before it did are worked out from the action as it stands.
      const followOn = stored.followOn ?? followOnOf(action, request.command);
      if (followOn) await sendFollowOn(deps, { cycle, programme, action }, followOn);
      // So may the wake-up of the follow-up (waking it again is harmless).
      await wakeFollowUpOf(deps, action);
      return { action, repeated: true };
    }
    // Without a notifier no notice goes out, so none stands for a reminder (action-change.ts CoveredReminders).
    const planned = planChange(action, request, programme, deps.clock.now(), {
      sendsFollowOn: deps.notifier !== undefined,
    });
    try {
      const { action: stored } = await deps.repo.updateAction(withFollowOnKept(planned, source), {
        event: {
          type: planned.eventType,
          at: planned.next.updatedAt,
          actor: request.by,
          ...(source.channel === 'email' ? { sourceMessageId: source.messageId } : {}),
          data: { ...planned.eventData, to: planned.next.status, dueDate: planned.next.dueDate },
        },
      });
      if (planned.followOn) await sendFollowOn(deps, { cycle, programme, action: stored }, planned.followOn);
      await wakeFollowUpOf(deps, stored);
      return { action: stored, repeated: false, ...(planned.followOn ? { followOn: planned.followOn } : {}) };
    } catch (error) {
      if (error instanceof ConcurrentUpdate && attempt < ATTEMPTS) {
        await new Promise((wake) => setTimeout(wake, Math.random() * Math.min(50, 5 * attempt)));
        continue;
      }
      throw error;
    }
  }
}

/** The planned action, its newest history entry keeping the follow-on when the change came by email. */
function withFollowOnKept(planned: PlannedChange, source: UpdateSource): Action {
  const { next, followOn } = planned;
  const entry = next.history.at(-1);
  if (source.channel !== 'email' || !followOn || !entry) return next;
  return { ...next, history: [...next.history.slice(0, -1), { ...entry, followOn }] };
}

async function wakeFollowUpOf(deps: ActionDeps, action: Action): Promise<void> {
  if (deps.workflow) {
    await wakeFollowUp({ repo: deps.repo, workflow: deps.workflow }, action.programmeId, [action.cycleId]);
  }
}

/**
 * What an already applied change sends, from the action as stored (the notifier sends nothing when
 * the action has moved on); undefined for a chair's answer, whose request is no longer on the action.
 */
function followOnOf(action: Action, command: ActionCommand): FollowOn | undefined {
  if (command.kind === 'done' && awaitingConfirmation(action)) return { kind: 'closure-confirmation' };
  if (
    (command.kind === 'done' || command.kind === 'confirm') &&
    action.status === 'done' &&
    action.closureConfirmation &&
    action.effectivenessCheck
  ) {
    return { kind: 'effectiveness-check' };
  }
  if (command.kind === 'reopen' && action.status === 'in_progress') {
    const entry = action.history.at(-1);
    if (entry?.change.startsWith('closure not confirmed')) {
      return {
        kind: 'closure-reopened',
        reason: command.note,
        reopenedBy: entry.by,
      };
    }
  }
  if (command.kind === 'extend' && action.extensionRequest) return { kind: 'extension-request' };
  const check = action.effectivenessCheck;
  if (command.kind === 'check' && !command.passed && action.status === 'open' && check?.result === 'failed') {
    return { kind: 'reopened', finding: check.note ?? command.note, checkedBy: check.assigneeId };
  }
  return undefined;
}

/** Sends the message a change calls for (each idempotent by its own key in the outbox). */
export async function sendFollowOn(
  deps: ActionDeps,
  message: { cycle: Cycle; programme: Programme; action: Action },
  followOn: FollowOn,
): Promise<void> {
  const notifier = deps.notifier;
  if (!notifier) return;
  switch (followOn.kind) {
    case 'closure-confirmation':
      return notifier.closureConfirmationRequest(message);
    case 'closure-reopened':
      return notifier.closureReopened({
        ...message,
        reason: followOn.reason,
        reopenedBy: followOn.reopenedBy,
      });
    case 'effectiveness-check':
      return notifier.effectivenessCheckRequest(message);
    case 'extension-request':
      return notifier.extensionRequest(message);
    case 'extension-decision':
      return notifier.extensionDecision({ ...message, ...followOn });
    case 'reopened':
      return notifier.actionReopened({
        ...message,
        finding: followOn.finding,
        checkedBy: followOn.checkedBy,
      });
    case 'management-decision':
      return notifier.managementDecision({ ...message, ...followOn });
  }
}
