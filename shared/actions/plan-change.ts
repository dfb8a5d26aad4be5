/**
 * Planning one change to an action: the checks every change makes (a final action stays final, the
 * person exists), the context every handler gets, and the table that sends each command to its
 * handler. Pure: the caller loads the action and stores the result.
 */
import type { Action, HistoryEntry, UpdateSource } from '../model/action.ts';
import type { Programme } from '../programme/schema.ts';
import { personById } from '../programme/queries.ts';
import {
  ActionClosed,
  coveredReminders,
  localDate,
  STATUS_WORDS,
  type ActionChangeRequest,
  type ActionCommand,
  type ChangeContext,
  type ChangeHandler,
  type PlannedChange,
} from './action-change.ts';
import { planCheck, planVerify } from './check-changes.ts';
import { planConfirm } from './closure-changes.ts';
import { planApprove, planExtend, planRefuse } from './extension-changes.ts';
import { planAcceptRisk, planReassign, planReschedule } from './management-decisions.ts';
import { planCancel, planDone, planProgress, planReopen } from './work-changes.ts';

/** Each command's handler. */
const HANDLERS: { readonly [K in ActionCommand['kind']]: ChangeHandler<K> } = {
  progress: planProgress,
  done: planDone,
  confirm: planConfirm,
  verify: planVerify,
  check: planCheck,
  reopen: planReopen,
  cancel: planCancel,
  extend: planExtend,
  approve: planApprove,
  refuse: planRefuse,
  reschedule: planReschedule,
  reassign: planReassign,
  'accept-risk': planAcceptRisk,
};

const sourceWords = (source: UpdateSource, by: string) =>
  source.channel === 'email'
    ? 'by email'
    : source.channel === 'cli'
      ? 'on the command line'
      : source.channel === 'web'
        ? `in the web app${source.signedInAs === by ? '' : `, recorded by ${source.signedInAs}`}`
        : 'by the system';

/** How the caller carries a planned change out. */
export interface PlanOptions {
  /**
   * Whether the caller sends the change's follow-on messages (default true). When it does not (no
   * notifier), no notice stands for a reminder (`ChangeContext.coverReminders` covers none).
   */
  readonly sendsFollowOn?: boolean;
}

/**
 * The action after `request`, as of `now`, or the reason it cannot be made. Pure: the caller loads
 * the action, stores the result and sends its follow-on.
 */
export function planChange(
  action: Action,
  request: ActionChangeRequest,
  programme: Programme,
  now: Date,
  { sendsFollowOn = true }: PlanOptions = {},
): PlannedChange {
  const { command, by, source } = request;
  const at = now.toISOString();
  const status = action.status;
  if (status === 'verified' || status === 'cancelled') {
    throw new ActionClosed(
      `action ${action.id} is already ${STATUS_WORDS[status]}, which is final; nothing was changed. ` +
        'If the work must go on, ask the ISMS manager to record a new action.',
    );
  }
  personById(programme, by);
  const entry = (change: string): HistoryEntry => ({
    at,
    by,
    change: `${change} (${sourceWords(source, by)})`,
    source,
  });
  const context: ChangeContext = {
    action,
    by,
    source,
    programme,
    at,
    today: localDate(now, programme.organisation.timeZone),
    label: `action ${action.id}`,
    openWork: status === 'open' || status === 'in_progress',
    base: { ...action, updatedAt: at },
    history: (change) => [...action.history, entry(change)],
    moved: (to, note) => `status ${STATUS_WORDS[status]} → ${STATUS_WORDS[to]}: ${note}`,
    eventData: (extra) => ({
      actionId: action.id,
      command: command.kind,
      from: status,
      source: source.channel,
      ...(source.channel === 'email' ? { messageId: source.messageId } : {}),
      ...(source.channel === 'web' ? { signedInAs: source.signedInAs } : {}),
      ...extra,
    }),
    coverReminders: (dueDate, sent) =>
      coveredReminders({ dueDate, programme, at, ...(sent ? { sent } : {}), noticeSent: sendsFollowOn }),
  };
  // The table pairs each kind with its handler; TypeScript cannot follow that through an index.
  const handler = HANDLERS[command.kind] as ChangeHandler<ActionCommand['kind']>;
  return handler(command, context);
}
