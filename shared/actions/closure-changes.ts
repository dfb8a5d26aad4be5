/**
 * Confirming the closure of a corrective action (clause 10.1): its owner's DONE, with its evidence,
 * goes to the ISMS manager (the chair, when the ISMS manager owns the action; nobody confirms their
 * own work), who answers CONFIRM or REOPEN <what is missing>. CONFIRM records the confirmation and
 * starts the effectiveness check (its assignee is asked PASS or FAIL); REOPEN sends the action back
 * to in progress and tells the owner what is missing.
 */
import { awaitingConfirmation, type Action } from '../model/action.ts';
import { personById } from '../programme/queries.ts';
import {
  addDays,
  closureConfirmer,
  EFFECTIVENESS_CHECK_DAYS,
  InvalidActionChange,
  required,
  STATUS_WORDS,
  unfinishedCheck,
  without,
  type ChangeContext,
  type ChangeHandler,
  type PlannedChange,
} from './action-change.ts';

/** Who may confirm (or send back) this action's closure, or the change fails saying who does. */
function mustBeConfirmer(change: ChangeContext, what: string): string {
  const { action, label, programme, by } = change;
  const confirmer = closureConfirmer(programme, action.ownerId);
  const name = personById(programme, confirmer).name;
  if (by === action.ownerId) {
    throw new InvalidActionChange(
      `nobody confirms their own work: ${action.ownerId} owns ${label}, so ${name} (${confirmer}) ${what} it`,
    );
  }
  if (by !== confirmer) {
    throw new InvalidActionChange(
      `only ${name} (${confirmer}) ${what} the closure of ${label}; ${by} may not`,
    );
  }
  return confirmer;
}

/**
 * confirm: a done corrective action awaiting confirmation → confirmed; its effectiveness check
 * starts now (due EFFECTIVENESS_CHECK_DAYS from today) and its assignee is asked.
 */
export const planConfirm: ChangeHandler<'confirm'> = (command, change) => {
  const { action, label, programme, at, by, today } = change;
  if (!action.corrective) {
    throw new InvalidActionChange(
      `${label} is not a corrective action: it closed when it was done, and there is no closure to confirm`,
    );
  }
  if (action.status !== 'done') {
    throw new InvalidActionChange(
      `${label} is ${STATUS_WORDS[action.status]}; only a done corrective action awaiting confirmation can be confirmed`,
    );
  }
  if (action.closureConfirmation) {
    throw new InvalidActionChange(
      `the closure of ${label} was already confirmed by ${action.closureConfirmation.by} on ${action.closureConfirmation.at.slice(0, 10)}; nothing was changed`,
    );
  }
  mustBeConfirmer(change, 'confirms');
  const note = command.note?.trim() || undefined;
  const assigneeId = action.effectivenessCheck?.assigneeId ?? closureConfirmer(programme, action.ownerId);
  const check = { assigneeId, dueDate: addDays(today, EFFECTIVENESS_CHECK_DAYS) };
  const next: Action = {
    ...change.base,
    closureConfirmation: { by, at, ...(note ? { note } : {}), source: change.source },
    effectivenessCheck: check,
    history: change.history(
      `closure confirmed${note ? `: ${note}` : ''}; effectiveness check by ${check.assigneeId} due ${check.dueDate}`,
    ),
  };
  return {
    next,
    eventType: 'action.closure_confirmed',
    eventData: change.eventData({
      to: 'done',
      ...(note ? { note } : {}),
      evidence: action.closureEvidence?.text ?? null,
      checkAssignedTo: check.assigneeId,
      checkDueDate: check.dueDate,
    }),
    followOn: { kind: 'effectiveness-check' },
  };
};

/**
 * The confirmer's REOPEN of a corrective action awaiting confirmation: back to in progress, its
 * evidence and unstarted check dropped, the owner told what is missing.
 */
export function planClosureRefused(command: { readonly note: string }, change: ChangeContext): PlannedChange {
  const { action, by } = change;
  const reason = required(
    command.note,
    'REOPEN needs what is missing: write REOPEN <what the evidence lacks>, e.g. REOPEN the ticket is still open; attach the closed ticket',
  );
  if (!awaitingConfirmation(action)) {
    throw new InvalidActionChange(`${change.label} is not awaiting the confirmation of its closure`);
  }
  mustBeConfirmer(change, 'confirms or reopens');
  // Back on the ladder, due date unchanged: a reminder that fell due while the closure waited would
  // go out beside the owner's notice, which names the due date and stands for it instead.
  const covered = change.coverReminders(action.dueDate, action.stepsSent);
  const next: Action = {
    ...without(change.base, 'closureEvidence', 'closureConfirmation', ...unfinishedCheck(action)),
    ...covered.record,
    status: 'in_progress',
    history: change.history(`closure not confirmed; ${change.moved('in_progress', reason)}${covered.words}`),
  };
  return {
    next,
    eventType: 'action.reopened',
    eventData: change.eventData({ to: 'in_progress', reason, ...covered.data }),
    followOn: { kind: 'closure-reopened', reason, reopenedBy: by },
  };
}
