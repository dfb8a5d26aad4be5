/**
 * The changes to the work itself: an owner's progress and DONE (a corrective action gets its
 * effectiveness check), and the ISMS manager's reopen and cancel. One handler per command; the
 * table in plan-change.ts dispatches to them.
 */
import type { Action } from '../model/action.ts';
import { personById } from '../programme/queries.ts';
import {
  addDays,
  defaultChecker,
  EFFECTIVENESS_CHECK_DAYS,
  InvalidActionChange,
  required,
  STATUS_WORDS,
  unfinishedCheck,
  without,
  type ChangeHandler,
} from './action-change.ts';

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

/** done: open or in progress → done, with evidence; a corrective action gets its check assigned. */
export const planDone: ChangeHandler<'done'> = (command, change) => {
  const { action, label, programme, at, by } = change;
  const evidence = required(
    command.evidence,
    'DONE needs evidence: what was done and where it can be seen (a document, a link, a ticket)',
  );
  if (!change.openWork) {
    throw new InvalidActionChange(`${label} is already ${STATUS_WORDS[action.status]}; nothing was changed`);
  }
  let check = action.effectivenessCheck;
  if (action.corrective) {
    const checkerId = command.checkerId ?? check?.assigneeId ?? defaultChecker(programme, action.ownerId);
    personById(programme, checkerId);
    if (checkerId === action.ownerId) {
      throw new InvalidActionChange(
        `the effectiveness check of ${label} must be done by someone other than its owner (${action.ownerId}); name another person`,
      );
    }
    check = { assigneeId: checkerId, dueDate: addDays(change.today, EFFECTIVENESS_CHECK_DAYS) };
  }
  const next: Action = {
    ...without(change.base, 'extensionRequest'),
    status: 'done',
    closureEvidence: {
      text: evidence,
      ...(command.attachments && command.attachments.length > 0
        ? { attachments: [...command.attachments] }
        : {}),
      at,
      by,
    },
    ...(check ? { effectivenessCheck: check } : {}),
    history: change.history(
      change.moved('done', evidence) +
        (check ? `; effectiveness check by ${check.assigneeId} due ${check.dueDate}` : ''),
    ),
  };
  return {
    next,
    eventType: 'action.updated',
    eventData: change.eventData({
      to: 'done',
      evidence,
      ...(check ? { checkAssignedTo: check.assigneeId } : {}),
    }),
    ...(check ? { followOn: { kind: 'effectiveness-check' } as const } : {}),
  };
};

/** reopen: in progress or done → open, with a note; evidence and an unfinished check go. */
export const planReopen: ChangeHandler<'reopen'> = (command, change) => {
  const { action, label } = change;
  const note = required(command.note, 'reopening an action needs a note saying why');
  if (action.status === 'open')
    throw new InvalidActionChange(`${label} is already open; nothing was changed`);
  const next: Action = {
    ...without(change.base, 'closureEvidence', ...unfinishedCheck(action)),
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
    ...without(change.base, 'extensionRequest', 'closureEvidence', ...unfinishedCheck(action)),
    status: 'cancelled',
    cancelReason: reason,
    history: change.history(change.moved('cancelled', reason)),
  };
  return { next, eventType: 'action.updated', eventData: change.eventData({ to: 'cancelled', reason }) };
};
