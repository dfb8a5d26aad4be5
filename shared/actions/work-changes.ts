/**
 * The changes to the work itself: an owner's progress and DONE (with evidence; a corrective action
 * waits for its closure to be confirmed), and the ISMS manager's reopen and cancel. One handler per command; the
 * table in plan-change.ts dispatches to them.
 */
import { awaitingConfirmation, type Action } from '../model/action.ts';
import { personById } from '../programme/queries.ts';
import {
  addDays,
  closureConfirmer,
  CONFIRM_OVERDUE_STEP,
  defaultChecker,
  EFFECTIVENESS_CHECK_DAYS,
  InvalidActionChange,
  required,
  STATUS_WORDS,
  unfinishedCheck,
  without,
  type ChangeHandler,
} from './action-change.ts';
import { planClosureRefused } from './closure-changes.ts';
import { checkDoneEvidence } from './closure-evidence.ts';

/** progress: open or in progress → in progress, with a note. */
export const planProgress: ChangeHandler<'progress'> = (command, change) => {
  const { action, label } = change;
  const note = required(command.note, 'PROGRESS needs a note saying where the action stands');
  if (!change.openWork) {
    throw new InvalidActionChange(
      `${label} is ${STATUS_WORDS[action.status]}; progress is reported only on open work. To take it back into work, reopen it with a note`,
    );
  }
  return {
    next: { ...change.base, status: 'in_progress', history: change.history(`progress: ${note}`) },
    eventType: 'action.updated',
    eventData: change.eventData({ to: 'in_progress', note }),
  };
};

/**
 * done: open or in progress → done, with evidence someone else can look at (an attachment or a web
 * link, closure-evidence.ts). A corrective action gets its effectiveness check assigned and waits
 * for its closure to be confirmed (the ISMS manager, or the chair when the ISMS manager owns it):
 * the check starts only once confirmed.
 */
export const planDone: ChangeHandler<'done'> = (command, change) => {
  const { action, label, programme, at, by } = change;
  const evidence = required(
    command.evidence,
    'DONE needs evidence: what was done and where it can be seen (an attached document or a link)',
  );
  if (!change.openWork) {
    throw new InvalidActionChange(`${label} is already ${STATUS_WORDS[action.status]}; nothing was changed`);
  }
  const { links } = checkDoneEvidence({
    label,
    text: evidence,
    ...(command.links ? { links: command.links } : {}),
    ...(command.attachments ? { attachments: command.attachments } : {}),
    source: change.source,
  });
  let check = action.effectivenessCheck;
  let confirmer: string | undefined;
  if (action.corrective) {
    const checkerId = command.checkerId ?? check?.assigneeId ?? defaultChecker(programme, action.ownerId);
    personById(programme, checkerId);
    if (checkerId === action.ownerId) {
      throw new InvalidActionChange(
        `the effectiveness check of ${label} must be done by someone other than its owner (${action.ownerId}); name another person`,
      );
    }
    check = { assigneeId: checkerId, dueDate: addDays(change.today, EFFECTIVENESS_CHECK_DAYS) };
    confirmer = closureConfirmer(programme, action.ownerId);
  }
  // A confirmation reminder sent for an earlier DONE does not count for this one.
  const stepsLeft = { ...action.stepsSent };
  delete stepsLeft[CONFIRM_OVERDUE_STEP];
  const attachments = command.attachments ?? [];
  const next: Action = {
    ...without(change.base, 'extensionRequest', 'closureConfirmation', 'stepsSent'),
    ...(Object.keys(stepsLeft).length > 0 ? { stepsSent: stepsLeft } : {}),
    status: 'done',
    closureEvidence: {
      text: evidence,
      ...(attachments.length > 0 ? { attachments: [...attachments] } : {}),
      ...(links.length > 0 ? { links } : {}),
      at,
      by,
    },
    ...(check ? { effectivenessCheck: check } : {}),
    history: change.history(
      change.moved('done', evidence) +
        (confirmer
          ? `; closure to be confirmed by ${confirmer}, then effectiveness check by ${check?.assigneeId}`
          : ''),
    ),
  };
  return {
    next,
    eventType: 'action.updated',
    eventData: change.eventData({
      to: 'done',
      evidence,
      attachments: attachments.map((a) => ({ name: a.name, sha256: a.sha256, size: a.size })),
      links,
      ...(confirmer ? { confirmationBy: confirmer } : {}),
      ...(check ? { checkAssignedTo: check.assigneeId } : {}),
    }),
    ...(confirmer ? { followOn: { kind: 'closure-confirmation' } as const } : {}),
  };
};

/**
 * reopen: in progress or done → open, with a note; evidence and an unfinished check go. A
 * corrective action awaiting the confirmation of its closure is reopened by its confirmer instead
 * (closure-changes.ts): back to in progress, the owner told what is missing.
 */
export const planReopen: ChangeHandler<'reopen'> = (command, change) => {
  const { action, label } = change;
  if (awaitingConfirmation(action)) return planClosureRefused(command, change);
  const note = required(command.note, 'reopening an action needs a note saying why');
  if (action.status === 'open')
    throw new InvalidActionChange(`${label} is already open; nothing was changed`);
  const next: Action = {
    ...without(change.base, 'closureEvidence', 'closureConfirmation', ...unfinishedCheck(action)),
    status: 'open',
    history: change.history(change.moved('open', note)),
  };
  return { next, eventType: 'action.updated', eventData: change.eventData({ to: 'open', note }) };
};

/** cancel: open, in progress or done → cancelled, with the reason. */
export const planCancel: ChangeHandler<'cancel'> = (command, change) => {
  const { action } = change;
  const reason = required(command.reason, 'cancelling an action needs the reason, which auditors will read');
  const next: Action = {
    ...without(
      change.base,
      'extensionRequest',
      'closureEvidence',
      'closureConfirmation',
      ...unfinishedCheck(action),
    ),
    status: 'cancelled',
    cancelReason: reason,
    history: change.history(change.moved('cancelled', reason)),
  };
  return { next, eventType: 'action.updated', eventData: change.eventData({ to: 'cancelled', reason }) };
};
