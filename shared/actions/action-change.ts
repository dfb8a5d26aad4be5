/**
 * What a change to an action is: the commands, the request, the planned result and what it sends
 * afterwards, the errors a change can fail with, and the context every change handler gets (who,
 * when, and the history entry and event every change records). The handlers live in
 * work-changes.ts, check-changes.ts, extension-changes.ts and management-decisions.ts.
 */
import { DateTime } from 'luxon';
import type { Action, ActionStatus, FollowOn, HistoryEntry, UpdateSource } from '../model/action.ts';
import type { Attachment } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';
import { ismsManager, topManagement } from '../programme/queries.ts';
import { ladderPolicyOf, reminderLabel, remindersDue } from './escalation-policy.ts';

/** Days the assignee has for an effectiveness check once a corrective action is done. */
export const EFFECTIVENESS_CHECK_DAYS = 30;
/** The follow-up step sent once when a corrective action's closure waits for confirmation too long. */
export const CONFIRM_OVERDUE_STEP = 'confirm-overdue';
/** Days an action reopened by a failed effectiveness check has, at least. */
export const REOPENED_DUE_DAYS = 30;

export class ActionNotFound extends Error {
  override name = 'ActionNotFound' as const;
  constructor(readonly actionId: string) {
    super(`action ${actionId} does not exist; check the id with \`isms-review actions list\``);
  }
}

/** The change does not fit the action's state or lacks what it needs; the message says what to do. */
export class InvalidActionChange extends Error {
  override name = 'InvalidActionChange' as const;
}

/** Verified and cancelled actions are final. */
export class ActionClosed extends Error {
  override name = 'ActionClosed' as const;
}

export type ActionCommand =
  | { readonly kind: 'progress'; readonly note: string }
  | {
      readonly kind: 'done';
      readonly evidence: string;
      readonly attachments?: readonly Attachment[];
      /** Web links to the evidence given apart from the text (the command line's --evidence-url). */
      readonly links?: readonly string[];
      /** Who checks the effectiveness of a corrective action (default: see `defaultChecker`). */
      readonly checkerId?: string;
    }
  | { readonly kind: 'confirm'; readonly note?: string }
  | { readonly kind: 'verify'; readonly note: string }
  | { readonly kind: 'check'; readonly passed: boolean; readonly note: string }
  | { readonly kind: 'reopen'; readonly note: string }
  | { readonly kind: 'cancel'; readonly reason: string }
  | { readonly kind: 'extend'; readonly until: string; readonly reason: string }
  | { readonly kind: 'approve'; readonly comment?: string }
  | { readonly kind: 'refuse'; readonly reason: string }
  | { readonly kind: 'reschedule'; readonly until: string; readonly reason: string }
  | {
      readonly kind: 'reassign';
      /** The new owner: a person id or email of the programme. */
      readonly to: string;
      readonly until?: string;
      readonly reason: string;
    }
  | { readonly kind: 'accept-risk'; readonly reason: string };

/** The decisions top management takes on an escalated action. */
export type ManagementDecision = Extract<FollowOn, { kind: 'management-decision' }>['decision'];

export interface ActionChangeRequest {
  readonly actionId: string;
  /** The person making the change (a programme person id). */
  readonly by: string;
  readonly source: UpdateSource;
  readonly command: ActionCommand;
}

/** What a change sends afterwards. */
/** The message a change calls for beyond the change itself (the model's FollowOn: kept with email changes). */
export type { FollowOn };

export interface PlannedChange {
  readonly next: Action;
  readonly eventType: string;
  readonly eventData: Record<string, unknown>;
  readonly followOn?: FollowOn;
}

/** The statuses as a sentence says them. */
export const STATUS_WORDS: Record<ActionStatus, string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
};

/** The text trimmed, or the change fails with `what` (the sentence saying what to add). */
export function required(text: string | undefined, what: string): string {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') throw new InvalidActionChange(what);
  return trimmed;
}

/** The calendar date of `at` in the organisation's time zone. */
export function localDate(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}

/** A calendar date `days` later. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

/**
 * Who checks a corrective action by default: the ISMS manager, or the chair when the ISMS manager
 * owns the action (the check is never done by the owner).
 */
export function defaultChecker(programme: Programme, ownerId: string): string {
  const manager = ismsManager(programme).id;
  return manager !== ownerId ? manager : topManagement(programme).chair.id;
}

/**
 * Who confirms the closure of a done corrective action: the ISMS manager, or the chair when the
 * ISMS manager owns the action (nobody confirms their own work).
 */
export function closureConfirmer(programme: Programme, ownerId: string): string {
  return defaultChecker(programme, ownerId);
}

/**
 * The reminders a change's notice stands for. A change that moves the due date or the owner (or puts
 * the action back into work) and tells the owner so in a notice naming the due date IS the reminder
 * for each reminder step of the ladder already due at that moment (escalation-policy.ts
 * `remindersDue`): they are recorded as sent at the time of the change, so the sweep does not send a
 * second message in the same minute; later reminders, the overdue notice and escalations still go.
 * None when the change's notice is not sent (a caller without a notifier).
 */
export interface CoveredReminders {
  /** The reminder step ids, in ladder order (empty: none). */
  readonly ids: readonly string[];
  /** `{ stepsSent }` with them recorded at the time of the change, to spread into the action; `{}` when none. */
  readonly record: { readonly stepsSent?: Record<string, string> };
  /** For the history line: `; the notice to the owner stands for the 7-day reminder, ...`, or ''. */
  readonly words: string;
  /** For the event's data: `{ remindersCovered: [...] }`, or `{}`. */
  readonly data: { readonly remindersCovered?: readonly string[] };
}

/** `a`, `a and b`, `a, b and c`. */
const listWords = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/**
 * What the notice of a change at `at` to an action due on `dueDate` stands for (`CoveredReminders`),
 * `sent` being the steps already recorded for that due date (none when the ladder starts again).
 */
export function coveredReminders(args: {
  readonly dueDate: string;
  readonly programme: Programme;
  readonly at: string;
  readonly sent?: Readonly<Record<string, string>>;
  /** Whether the change's notice is sent to the owner; false: nothing is covered. */
  readonly noticeSent: boolean;
}): CoveredReminders {
  const { dueDate, programme, at, sent = {}, noticeSent } = args;
  const steps = noticeSent
    ? remindersDue({
        dueDate,
        timeZone: programme.organisation.timeZone,
        policy: ladderPolicyOf(programme),
        now: new Date(at),
        sent: new Set(Object.keys(sent)),
      })
    : [];
  if (steps.length === 0) return { ids: [], record: {}, words: '', data: {} };
  const ids = steps.map((step) => step.id);
  const names = steps.map(reminderLabel);
  const what =
    ids.length === 1
      ? `the ${names[0]} reminder, which is not sent separately`
      : `the ${listWords(names)} reminders, which are not sent separately`;
  return {
    ids,
    record: { stepsSent: { ...sent, ...Object.fromEntries(ids.map((id) => [id, at])) } },
    words: `; the notice to the owner stands for ${what}`,
    data: { remindersCovered: ids },
  };
}

/** What every handler gets besides its command: the action, who changes it, when, from where. */
export interface ChangeContext {
  readonly action: Action;
  /** The person making the change (a programme person id). */
  readonly by: string;
  readonly source: UpdateSource;
  readonly programme: Programme;
  /** The time of the change, ISO 8601. */
  readonly at: string;
  /** The calendar date of the change in the organisation's time zone. */
  readonly today: string;
  /** `action <id>`, for messages. */
  readonly label: string;
  /** The action is open or in progress. */
  readonly openWork: boolean;
  /** The action as it stands, stamped with the time of the change. */
  readonly base: Action;
  /** The action's history with one entry for this change (saying who and from where) appended. */
  history(change: string): HistoryEntry[];
  /** `status <from> → <to>: <note>`, for a history entry. */
  moved(to: ActionStatus, note: string): string;
  /** The event's data: what every change records (action, command, from, source), and `extra`. */
  eventData(extra: Record<string, unknown>): Record<string, unknown>;
  /**
   * The reminders the notice this change sends the owner stands for, the action due on `dueDate`
   * and `sent` already recorded for that date (`coveredReminders`); none when the caller sends no
   * notice.
   */
  coverReminders(dueDate: string, sent?: Readonly<Record<string, string>>): CoveredReminders;
}

/** A plan for one kind of command. */
export type ChangeHandler<K extends ActionCommand['kind']> = (
  command: Extract<ActionCommand, { kind: K }>,
  change: ChangeContext,
) => PlannedChange;

type Droppable =
  'extensionRequest' | 'stepsSent' | 'closureEvidence' | 'closureConfirmation' | 'effectivenessCheck';

/**
 * The action without the named fields: a request answered (`extensionRequest`), a ladder to start
 * again for a new date (`stepsSent`), evidence that no longer holds (`closureEvidence`, and its
 * `closureConfirmation`).
 */
export function without(action: Action, ...fields: readonly Droppable[]): Action {
  const copy: Action = { ...action };
  for (const field of fields) delete (copy as Partial<Record<Droppable, unknown>>)[field];
  return copy;
}

/** `effectivenessCheck` when the action has a check assigned but not yet done, which leaving 'done' drops. */
export function unfinishedCheck(action: Action): Droppable[] {
  return action.effectivenessCheck && action.effectivenessCheck.result === undefined
    ? ['effectivenessCheck']
    : [];
}
