/**
 * What the action notices share: how an action is described, and the reply commands its owner uses.
 */
import { formatDate, formatDateTime } from './format.ts';
import { code, contact, type Fact, type Inline, type Person } from './document.ts';

export interface ActionRef {
  /** e.g. A-20261001T0800Z-Q-003 */
  id: string;
  title: string;
  owner: Person;
  /** yyyy-mm-dd */
  dueDate: string;
  /** In words, e.g. "open", "in progress". */
  status: string;
  /** Where it was decided: the review's title and the meeting's date (yyyy-mm-dd). */
  decidedIn: { cycleTitle: string; meetingDate: string };
  /** The decision the action carries out, in the minutes' words. */
  decisionText?: string;
  /** The owner's last update, if any. */
  lastUpdate?: { at: string; note: string };
}

export interface ActionFactsOptions {
  /** Leave out the action's id and title (when they head the item already). */
  withoutTitle?: boolean;
  /** Show the owner's address as well as their name. */
  ownerAddress?: boolean;
}

export function actionFacts(action: ActionRef, timeZone: string, options: ActionFactsOptions = {}): Fact[] {
  const rows: Fact[] = [
    ...(options.withoutTitle ? [] : ([['Action', `${action.id}: ${action.title}`]] as const)),
    ['Owner', options.ownerAddress ? contact(action.owner) : action.owner.name],
    ['Due', formatDate(action.dueDate)],
    ['Status', action.status],
    [
      'Decided at',
      // A cycle title may end with its planned date; the meeting's own date is shown instead.
      `${action.decidedIn.cycleTitle.replace(/, \d{4}-\d{2}-\d{2}$/, '')}, ${formatDate(action.decidedIn.meetingDate)}`,
    ],
  ];
  if (action.decisionText) rows.push(['Decision', action.decisionText]);
  if (action.lastUpdate) {
    rows.push([
      'Last update',
      `${formatDateTime(action.lastUpdate.at, timeZone)}: ${action.lastUpdate.note}`,
    ]);
  }
  return rows;
}

/** The commands an owner puts on the first line of a reply (parsed by the inbound reply format). */
export const OWNER_COMMANDS: readonly Inline[] = [
  [
    code('DONE <what was done, and where the evidence is>'),
    ' when the action is complete: attach the document that shows it, or put a link (https://...) to it in the DONE line.',
  ],
  [code('PROGRESS <short note>'), ' to report where it stands.'],
  [
    code('EXTEND <yyyy-mm-dd> <reason>'),
    ' to ask for a new due date. The chair decides; you will be told the answer.',
  ],
];

/**
 * What a notice of a new due date says of reminders: that it is itself the reminder `stoodFor` names
 * (e.g. `7-day`: recorded as sent with the change, so no separate one follows), or that they start
 * again for the new date.
 */
export function newDateReminderWords(stoodFor: readonly string[] = []): string {
  if (stoodFor.length === 0) return 'Reminders start again for the new date.';
  const names =
    stoodFor.length === 1 ? stoodFor[0] : `${stoodFor.slice(0, -1).join(', ')} and ${stoodFor.at(-1)}`;
  return `This message is your ${names} reminder for the new date; later reminders come as usual.`;
}
