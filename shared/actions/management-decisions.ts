/**
 * Top management's decisions on an escalated action (the escalation email asks for one of them):
 * RESCHEDULE to a new future date, REASSIGN to another owner, ACCEPT RISK (the action is
 * cancelled). Only the chair or a member of top management decides; each decision supersedes a
 * pending extension request and tells the owner (and, when reassigned, the new owner).
 */
import type { Action } from '../model/action.ts';
import { findPerson, unknownPerson } from '../programme/people.ts';
import { personById, topManagement } from '../programme/queries.ts';
import {
  InvalidActionChange,
  required,
  STATUS_WORDS,
  without,
  type ActionCommand,
  type ChangeContext,
  type ChangeHandler,
  type FollowOn,
  type ManagementDecision,
} from './action-change.ts';

const DECISION_WORDS: Record<ManagementDecision, string> = {
  reschedule: 'RESCHEDULE',
  reassign: 'REASSIGN',
  'accept-risk': 'ACCEPT RISK',
};

/** What every decision checks and records before its own part. */
interface Decision {
  readonly word: string;
  readonly reason: string;
  readonly decider: { readonly id: string; readonly name: string };
  /** The action stamped with the time of the change, its pending extension request gone. */
  readonly rest: Action;
  /** ` (supersedes the request to extend to ...)` when a request was pending, else empty. */
  readonly superseded: string;
  readonly followOn: Extract<FollowOn, { kind: 'management-decision' }>;
  /** The date, if it is after today; else the decision fails. */
  futureDate(date: string): string;
}

/** Checks who decides, the reason and the action's state, and gathers what every decision records. */
function decide(
  command: Extract<ActionCommand, { kind: ManagementDecision }>,
  change: ChangeContext,
): Decision {
  const { action, by, programme, today, label } = change;
  const word = DECISION_WORDS[command.kind];
  const { chair, members } = topManagement(programme);
  const decider = personById(programme, by);
  if (![chair, ...members].some((member) => member.id === decider.id)) {
    throw new InvalidActionChange(
      `${word} is a decision of top management, and ${decider.id} (${decider.name}) is not a member of it; ` +
        `record it in the name of the member who decided (the chair is ${chair.id})`,
    );
  }
  const reason = required(
    command.reason,
    `${word} needs the reason for the decision, which auditors will read`,
  );
  if (!change.openWork) {
    throw new InvalidActionChange(
      `${label} is ${STATUS_WORDS[action.status]}; top management decides only on open work; nothing was changed`,
    );
  }
  return {
    word,
    reason,
    decider,
    rest: without(change.base, 'extensionRequest'),
    superseded: action.extensionRequest
      ? ` (supersedes the request to extend to ${action.extensionRequest.dueDate})`
      : '',
    followOn: {
      kind: 'management-decision',
      decision: command.kind,
      reason,
      decidedBy: by,
      decidedAt: change.at,
      previousOwnerId: action.ownerId,
      previousDueDate: action.dueDate,
    },
    futureDate: (date) => {
      if (date <= today) {
        throw new InvalidActionChange(
          `${word}: ${date} is not in the future (today is ${today}); give a due date the owner can still meet`,
        );
      }
      return date;
    },
  };
}

/** accept-risk: the action is cancelled, with the reason the risk is accepted. */
export const planAcceptRisk: ChangeHandler<'accept-risk'> = (command, change) => {
  const { reason, decider, rest, superseded, followOn } = decide(command, change);
  const note = `risk accepted by top management (${decider.name}): ${reason}`;
  const next: Action = {
    ...rest,
    status: 'cancelled',
    cancelReason: note,
    history: change.history(`${change.moved('cancelled', note)}${superseded}`),
  };
  return {
    next,
    eventType: 'action.risk_accepted',
    eventData: change.eventData({ to: 'cancelled', reason, decidedBy: change.by }),
    followOn,
  };
};

/**
 * reschedule: a new future due date; the follow-up ladder starts again, the owner's notice of the
 * decision standing for its reminders already due (action-change.ts CoveredReminders).
 */
export const planReschedule: ChangeHandler<'reschedule'> = (command, change) => {
  const { action, label } = change;
  const { reason, rest, superseded, followOn, futureDate } = decide(command, change);
  const until = futureDate(command.until);
  if (until === action.dueDate) {
    throw new InvalidActionChange(`${label} is already due on ${until}; nothing was changed`);
  }
  const covered = change.coverReminders(until);
  const next: Action = {
    ...without(rest, 'stepsSent'),
    ...covered.record,
    dueDate: until,
    escalationLevel: 0,
    history: change.history(
      `due date ${action.dueDate} → ${until} set by top management: ${reason}${superseded}${covered.words}`,
    ),
  };
  return {
    next,
    eventType: 'action.rescheduled',
    eventData: change.eventData({
      to: action.status,
      previousDueDate: action.dueDate,
      reason,
      decidedBy: change.by,
      ...covered.data,
    }),
    followOn,
  };
};

/**
 * reassign: another owner, and a new future due date when one is given (needed when overdue); the
 * ladder starts again for the new owner, whose notice of the decision stands for its reminders
 * already due (action-change.ts CoveredReminders).
 */
export const planReassign: ChangeHandler<'reassign'> = (command, change) => {
  const { action, label, programme, today } = change;
  const { reason, rest, superseded, followOn, futureDate } = decide(command, change);
  const owner = findPerson(programme, command.to);
  if (!owner) throw new InvalidActionChange(`REASSIGN: ${unknownPerson(programme, command.to)}`);
  if (owner.id === action.ownerId) {
    throw new InvalidActionChange(
      `${owner.id} (${owner.name}) already owns ${label}; name another owner, or RESCHEDULE to give a new date`,
    );
  }
  if (command.until === undefined && action.dueDate <= today) {
    throw new InvalidActionChange(
      `${label} was due on ${action.dueDate}; give the new owner a due date: REASSIGN ${owner.id} <yyyy-mm-dd> <reason>`,
    );
  }
  const dueDate = command.until === undefined ? action.dueDate : futureDate(command.until);
  const covered = change.coverReminders(dueDate);
  const next: Action = {
    ...without(rest, 'stepsSent'),
    ...covered.record,
    ownerId: owner.id,
    dueDate,
    escalationLevel: 0,
    history: change.history(
      `owner ${action.ownerId} → ${owner.id}` +
        (dueDate !== action.dueDate ? `, due date ${action.dueDate} → ${dueDate}` : '') +
        `, decided by top management: ${reason}${superseded}${covered.words}`,
    ),
  };
  return {
    next,
    eventType: 'action.reassigned',
    eventData: change.eventData({
      to: action.status,
      previousOwnerId: action.ownerId,
      ownerId: owner.id,
      previousDueDate: action.dueDate,
      reason,
      decidedBy: change.by,
      ...covered.data,
    }),
    followOn,
  };
};
