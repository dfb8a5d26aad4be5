/**
 * Extensions: the owner asks for a later due date (EXTEND), and the chair answers the request
 * waiting on the action (APPROVE moves the due date and starts the ladder again; REFUSE keeps it).
 */
import type { Action } from '../model/action.ts';
import {
  InvalidActionChange,
  required,
  STATUS_WORDS,
  without,
  type ChangeContext,
  type ChangeHandler,
} from './action-change.ts';

/** extend: a later, future due date with a reason; the action waits for the chair's answer. */
export const planExtend: ChangeHandler<'extend'> = (command, change) => {
  const { action, label, today, at, by, source } = change;
  const reason = required(command.reason, 'EXTEND needs a reason after the date');
  if (!change.openWork) {
    throw new InvalidActionChange(
      `${label} is ${STATUS_WORDS[action.status]}; only open work can be given a later due date`,
    );
  }
  if (command.until <= action.dueDate) {
    throw new InvalidActionChange(
      `EXTEND ${command.until} is not later than the current due date, ${action.dueDate}; ask for a later date`,
    );
  }
  if (command.until <= today) {
    throw new InvalidActionChange(
      `EXTEND ${command.until} is not in the future (today is ${today}); ask for a later date`,
    );
  }
  const pending = action.extensionRequest;
  return {
    next: {
      ...change.base,
      extensionRequest: { dueDate: command.until, reason, requestedAt: at, by, source },
      history: change.history(
        `extension to ${command.until} requested: ${reason}` +
          (pending ? ` (replaces the request for ${pending.dueDate})` : ''),
      ),
    },
    eventType: 'action.extension_requested',
    eventData: change.eventData({
      to: action.status,
      dueDate: action.dueDate,
      requestedDueDate: command.until,
      reason,
    }),
    followOn: { kind: 'extension-request' },
  };
};

/** The extension request the chair answers; none waiting fails the answer. */
function pendingRequest(change: ChangeContext): NonNullable<Action['extensionRequest']> {
  const pending = change.action.extensionRequest;
  if (!pending) {
    throw new InvalidActionChange(
      `${change.label} has no extension request waiting for an answer (it was answered already, or the action was closed); nothing was changed`,
    );
  }
  return pending;
}

/** refuse: the request goes with the chair's reason; the due date stays. */
export const planRefuse: ChangeHandler<'refuse'> = (command, change) => {
  const { action } = change;
  const pending = pendingRequest(change);
  const reason = required(command.reason, 'REFUSE needs a reason, which is sent to the owner');
  return {
    next: {
      ...without(change.base, 'extensionRequest'),
      history: change.history(
        `extension to ${pending.dueDate} refused: ${reason}; due date stays ${action.dueDate}`,
      ),
    },
    eventType: 'action.extension_decided',
    eventData: change.eventData({
      to: action.status,
      decision: 'refused',
      requestedDueDate: pending.dueDate,
      reason,
    }),
    followOn: {
      kind: 'extension-decision',
      approved: false,
      requestedAt: pending.requestedAt,
      requestedDueDate: pending.dueDate,
      previousDueDate: action.dueDate,
      reason,
    },
  };
};

/**
 * approve: the due date moves to the one asked for, and the follow-up ladder starts again; the
 * owner's notice of the answer stands for its reminders already due (action-change.ts CoveredReminders).
 */
export const planApprove: ChangeHandler<'approve'> = (command, change) => {
  const { action } = change;
  const pending = pendingRequest(change);
  const comment = command.comment?.trim();
  const covered = change.coverReminders(pending.dueDate);
  const next: Action = {
    ...without(change.base, 'extensionRequest', 'stepsSent'),
    ...covered.record,
    dueDate: pending.dueDate,
    escalationLevel: 0,
    extensionsGranted: (action.extensionsGranted ?? 0) + 1,
    history: change.history(
      `extension approved: due date ${action.dueDate} → ${pending.dueDate}` +
        (comment ? `: ${comment}` : '') +
        covered.words,
    ),
  };
  return {
    next,
    eventType: 'action.extension_decided',
    eventData: change.eventData({
      to: action.status,
      decision: 'approved',
      previousDueDate: action.dueDate,
      dueDate: pending.dueDate,
      ...(comment ? { comment } : {}),
      ...covered.data,
    }),
    followOn: {
      kind: 'extension-decision',
      approved: true,
      requestedAt: pending.requestedAt,
      requestedDueDate: pending.dueDate,
      previousDueDate: action.dueDate,
      ...(comment ? { reason: comment } : {}),
    },
  };
};
