/**
 * Confirming that done work holds: verify (any done action) and the effectiveness check of a
 * corrective action (PASS → verified, FAIL → reopened with a new due date). A corrective action is
 * never checked by its owner, nor before its closure was confirmed (closure-changes.ts); verifying
 * one records the check as passed.
 */
import { awaitingConfirmation, type Action } from '../model/action.ts';
import { personById } from '../programme/queries.ts';
import {
  addDays,
  closureConfirmer,
  InvalidActionChange,
  REOPENED_DUE_DAYS,
  required,
  STATUS_WORDS,
  without,
  type ChangeContext,
  type ChangeHandler,
  type PlannedChange,
} from './action-change.ts';

function mustBeDone(change: ChangeContext): void {
  const { action, label } = change;
  if (action.status !== 'done') {
    throw new InvalidActionChange(
      `${label} is ${STATUS_WORDS[action.status]}; only a done action can be verified or checked`,
    );
  }
  if (awaitingConfirmation(action)) {
    const confirmer = closureConfirmer(change.programme, action.ownerId);
    throw new InvalidActionChange(
      `the closure of ${label} is not confirmed yet; its effectiveness check starts once ${personById(change.programme, confirmer).name} (${confirmer}) confirms it`,
    );
  }
}

/** verify: done → verified, with a note; a corrective action records it as its check passed. */
export const planVerify: ChangeHandler<'verify'> = (command, change) => {
  const note = required(command.note, 'verifying an action needs a note saying how it was confirmed');
  mustBeDone(change);
  if (!change.action.corrective) {
    return {
      next: { ...change.base, status: 'verified', history: change.history(change.moved('verified', note)) },
      eventType: 'action.updated',
      eventData: change.eventData({ to: 'verified', note }),
    };
  }
  return recordCheck(true, note, change);
};

/** check: PASS or FAIL of a done corrective action's effectiveness check. */
export const planCheck: ChangeHandler<'check'> = (command, change) => {
  const note = required(
    command.note,
    `${command.passed ? 'PASS' : 'FAIL'} needs the rationale: what was looked at and what it showed`,
  );
  mustBeDone(change);
  if (!change.action.corrective) {
    throw new InvalidActionChange(
      `${change.label} is not a corrective action; it has no effectiveness check`,
    );
  }
  return recordCheck(command.passed, note, change);
};

/** The effectiveness check's result: verified when it passed, reopened (with a later date) when not. */
function recordCheck(passed: boolean, note: string, change: ChangeContext): PlannedChange {
  const { action, label, by, today } = change;
  if (by === action.ownerId) {
    throw new InvalidActionChange(
      `the effectiveness check of ${label} must be done by someone other than its owner (${action.ownerId})`,
    );
  }
  const check = {
    ...(action.effectivenessCheck ?? { assigneeId: by, dueDate: today }),
    assigneeId: by,
    result: passed ? ('passed' as const) : ('failed' as const),
    note,
    checkedAt: change.at,
  };
  if (passed) {
    return {
      next: {
        ...change.base,
        status: 'verified',
        effectivenessCheck: check,
        history: change.history(`effectiveness check passed; ${change.moved('verified', note)}`),
      },
      eventType: 'action.effectiveness_checked',
      eventData: change.eventData({ to: 'verified', result: 'passed', note }),
    };
  }
  const dueDate = [action.dueDate, addDays(today, REOPENED_DUE_DAYS)].sort().at(-1)!;
  // The ladder starts again; the owner's notice of the reopening names the due date and stands for
  // its reminders already due (action-change.ts CoveredReminders).
  const covered = change.coverReminders(dueDate);
  const reopened: Action = {
    ...without(change.base, 'closureEvidence', 'closureConfirmation', 'stepsSent'),
    ...covered.record,
    status: 'open',
    dueDate,
    escalationLevel: 0,
    effectivenessCheck: check,
    history: change.history(
      `effectiveness check failed; ${change.moved('open', note)}` +
        (dueDate !== action.dueDate ? `; due date ${action.dueDate} → ${dueDate}` : '') +
        covered.words,
    ),
  };
  return {
    next: reopened,
    eventType: 'action.effectiveness_checked',
    eventData: change.eventData({ to: 'open', result: 'failed', note, dueDate, ...covered.data }),
    followOn: { kind: 'reopened', finding: note, checkedBy: by },
  };
}
