/**
 * What `cycle list` and `cycle show` print: a view of the stored records (plain data, the --json
 * output) and its lines for a person. Pure functions: no I/O, `now` given.
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { awaitingConfirmation, followUpDate, type Action } from '#shared/model/action.ts';
import type { Cycle, CyclePhase } from '#shared/model/cycle.ts';
import type { InputRequest } from '#shared/model/input.ts';
import type { CycleRecords } from '#shared/store/repository.ts';
import { columns } from './output.ts';
import { localTime, relative, utcTime, zonedTime } from './time.ts';

/** What the views need from a stored programme document. */
export interface ProgrammeInfo {
  readonly timeZone: string;
  /** Person id to name. */
  readonly names: ReadonlyMap<string, string>;
}

export const UTC_INFO: ProgrammeInfo = { timeZone: 'UTC', names: new Map() };

const DocumentView = z.looseObject({
  organisation: z.looseObject({ timeZone: z.string() }),
  people: z.optional(z.array(z.looseObject({ id: z.string(), name: z.string() }))),
});

/** The zone and names of a stored programme document; undefined if it has none usable. */
export function programmeInfo(document: unknown): ProgrammeInfo | undefined {
  const parsed = DocumentView.safeParse(document);
  if (!parsed.success || !IANAZone.isValidZone(parsed.data.organisation.timeZone)) return undefined;
  return {
    timeZone: parsed.data.organisation.timeZone,
    names: new Map((parsed.data.people ?? []).map((person) => [person.id, person.name])),
  };
}

type Zoned = ReturnType<typeof zonedTime>;

export interface CycleListItem {
  readonly id: string;
  readonly type: Cycle['type'];
  readonly comprehensive: boolean;
  readonly phase: CyclePhase;
  readonly status: Cycle['status'];
  readonly meeting: Zoned;
}

export interface CycleListView {
  readonly programmeId: string;
  readonly timeZone: string;
  readonly cycles: CycleListItem[];
}

export function cycleListView(
  programmeId: string,
  cycles: readonly Cycle[],
  info: ProgrammeInfo,
): CycleListView {
  return {
    programmeId,
    timeZone: info.timeZone,
    cycles: cycles.map((cycle) => ({
      id: cycle.id,
      type: cycle.type,
      comprehensive: cycle.comprehensive,
      phase: cycle.phase,
      status: cycle.status,
      meeting: zonedTime(cycle.plannedMeetingAt, info.timeZone),
    })),
  };
}

const typeLabel = (cycle: { type: string; comprehensive: boolean }) =>
  `${cycle.type}${cycle.comprehensive ? ' (comprehensive)' : ''}`;

export function formatCycleList(view: CycleListView): string[] {
  if (view.cycles.length === 0) {
    return [`No cycles of ${view.programmeId} yet; \`isms-review cycle start\` starts one.`];
  }
  return [
    `Cycles of ${view.programmeId} by meeting date (times in ${view.timeZone}):`,
    ...columns([
      ['CYCLE', 'TYPE', 'PHASE', 'STATUS', 'MEETING'],
      ...view.cycles.map((cycle) => [
        cycle.id,
        typeLabel(cycle),
        cycle.phase,
        cycle.status,
        cycle.meeting.local,
      ]),
    ]),
  ];
}

// ---------------------------------------------------------------------------------------------
// cycle show

const INPUT_ESCALATION = ['none', 'ISMS manager', 'chair'] as const;
const ACTION_ESCALATION = ['none', 'owner', 'ISMS manager', 'top management'] as const;

/** The ladder step that reaches each action escalation level (2 and 3), as the action's history names it. */
const ESCALATION_STEP: Readonly<Record<number, string>> = { 2: 'escalate-manager', 3: 'escalate-top' };

/**
 * Where an action's escalation went, by the people it reached (the ISMS manager, or the owner's
 * executive when the reporting line sent it there), from the action's history: "Łukasz Dvořák
 * (cto)"; the level's usual name when the history does not say.
 */
function actionEscalatedTo(
  action: { escalationLevel: number; history: readonly { change: string }[] },
  names: ReadonlyMap<string, string>,
): string {
  const step = ESCALATION_STEP[action.escalationLevel];
  const usual = ACTION_ESCALATION[action.escalationLevel] ?? 'unknown';
  if (!step) return usual;
  const entry = [...action.history].reverse().find((h) => h.change.startsWith(`${step} `));
  if (!entry) return usual;
  if (entry.change.startsWith(`${step} not sent`)) return 'nobody: no one stands above the owner';
  const sent = /^\S+ sent to (.+?)(?: \(recorded after a restart\))?$/.exec(entry.change);
  if (!sent?.[1]) return usual;
  return sent[1]
    .split(', ')
    .map((id) => (names.has(id) ? `${names.get(id)} (${id})` : id))
    .join(', ');
}

export interface Deadline extends Zoned {
  readonly name: string;
}

export interface InputRow {
  readonly key: string;
  readonly title: string;
  readonly automatic: boolean;
  readonly owner?: string;
  readonly ownerName?: string;
  readonly status: InputRequest['status'];
  readonly due: Zoned;
  readonly remindersSent: number;
  readonly lastReminderAt?: Zoned;
  readonly escalation: { readonly level: number; readonly to: string };
  /** Why the current answer, accepted, is thin (its `input.thin` event); absent when it is not. */
  readonly thin?: readonly string[];
}

export interface ActionRow {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
  readonly ownerName?: string;
  /** yyyy-mm-dd */
  readonly due: string;
  readonly status: Action['status'];
  readonly overdue: boolean;
  readonly escalation: { readonly level: number; readonly to: string };
}

export type TimerKind = 'input-deadline' | 'package-send' | 'meeting' | 'action-follow-up';

export interface NextTimer {
  readonly kind: TimerKind;
  /** What happens when it fires, in words. */
  readonly what: string;
  /** The instant (absent for an action follow-up, which is a calendar date). */
  readonly utc?: string;
  /** On the organisation's wall clock (`yyyy-mm-dd hh:mm`), or the date for an action. */
  readonly local: string;
  readonly timeZone: string;
  /** It is due already (the workflow acts on its next tick). */
  readonly passed: boolean;
}

export interface CycleView {
  readonly id: string;
  readonly programmeId: string;
  readonly programmeVersion: number;
  readonly type: Cycle['type'];
  readonly comprehensive: boolean;
  readonly phase: CyclePhase;
  readonly status: Cycle['status'];
  readonly timeZone: string;
  /** What the workflow waits for now, in words. */
  readonly waitingFor?: string;
  readonly deadlines: Deadline[];
  readonly inputs: InputRow[];
  readonly actions: ActionRow[];
  readonly nextTimer: NextTimer | null;
  readonly failure: (Omit<NonNullable<Cycle['failure']>, 'at'> & { at: Zoned }) | null;
}

function deadlines(cycle: Cycle, timeZone: string): Deadline[] {
  const entries: [string, string | undefined][] = [
    ['opened', cycle.openedAt],
    ['inputs due', cycle.inputsDueAt],
    ['package send', cycle.packageSendAt],
    ['meeting (planned)', cycle.plannedMeetingAt],
    ['package sent', cycle.packageSentAt],
    ['meeting held', cycle.heldAt],
    ['minutes approved', cycle.minutesApprovedAt],
    ['closed', cycle.closedAt],
  ];
  return entries
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, at]) => ({ name, ...zonedTime(at, timeZone) }));
}

function today(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toFormat('yyyy-MM-dd');
}

/** The next time the workflow acts on its own, from the phase; null when nothing is timed. */
export function nextTimer(
  cycle: Cycle,
  actions: readonly Action[],
  timeZone: string,
  now: Date,
): NextTimer | null {
  const instant = (kind: TimerKind, what: string, at: string): NextTimer => ({
    kind,
    what,
    utc: utcTime(at),
    local: localTime(at, timeZone),
    timeZone,
    passed: Date.parse(at) <= now.getTime(),
  });
  switch (cycle.phase) {
    case 'OPEN':
    case 'REQUESTING_INPUTS':
    case 'AWAITING_INPUTS':
      return instant(
        'input-deadline',
        'input deadline: missing inputs become "not provided"',
        cycle.inputsDueAt,
      );
    case 'COMPILING':
    case 'AWAITING_DISTRIBUTION':
      return instant('package-send', 'the review package goes to the attendees', cycle.packageSendAt);
    case 'DISTRIBUTED':
      return instant('meeting', 'the meeting; then the minutes are requested', cycle.plannedMeetingAt);
    case 'FOLLOW_UP': {
      let first: { action: Action; date: string } | undefined;
      for (const action of actions) {
        const date = followUpDate(action);
        if (date !== undefined && (first === undefined || date < first.date)) first = { action, date };
      }
      if (!first) return null;
      const what = awaitingConfirmation(first.action)
        ? `confirmation of the closure of action ${first.action.id} to be reminded`
        : first.action.status === 'done'
          ? `effectiveness check of action ${first.action.id} due`
          : `action ${first.action.id} due`;
      return {
        kind: 'action-follow-up',
        what,
        local: first.date,
        timeZone,
        passed: first.date < today(now, timeZone),
      };
    }
    default:
      return null;
  }
}

function waitingFor(
  cycle: Cycle,
  inputs: readonly InputRequest[],
  actions: readonly Action[],
): string | undefined {
  const answered = inputs.filter((input) => input.status !== 'REQUESTED').length;
  const open = actions.filter((action) => followUpDate(action) !== undefined).length;
  switch (cycle.phase) {
    case 'OPEN':
    case 'REQUESTING_INPUTS':
      return 'the input requests to be sent';
    case 'AWAITING_INPUTS':
      return `inputs from their owners (${answered} of ${inputs.length} answered)`;
    case 'COMPILING':
      return 'the review package to be compiled';
    case 'AWAITING_DISTRIBUTION':
      return 'the day the package is sent';
    case 'DISTRIBUTED':
      return 'the meeting';
    case 'AWAITING_MINUTES':
      return 'the minutes of the meeting';
    case 'FOLLOW_UP':
      return `actions to be closed (${open} still need follow-up)`;
    case 'FAILED':
      return 'the failure to be fixed and the cycle resumed';
    case 'CLOSED':
      return undefined;
  }
}

/** The reasons of each `input.thin` event, by the submission it is about. */
function thinBySubmission(records: CycleRecords): Map<string, string[]> {
  const thin = new Map<string, string[]>();
  for (const event of records.events) {
    if (event.type !== 'input.thin' || typeof event.data.submissionId !== 'string') continue;
    const reasons = Array.isArray(event.data.reasons) ? event.data.reasons : [];
    thin.set(
      event.data.submissionId,
      reasons.flatMap((reason) =>
        typeof reason === 'object' &&
        reason !== null &&
        typeof (reason as { message?: unknown }).message === 'string'
          ? [(reason as { message: string }).message]
          : [],
      ),
    );
  }
  return thin;
}

export function cycleView(records: CycleRecords, info: ProgrammeInfo, now: Date): CycleView {
  const { cycle } = records;
  const thin = thinBySubmission(records);
  const { timeZone, names } = info;
  const withName = (id: string | undefined) =>
    id !== undefined && names.has(id) ? { ownerName: names.get(id) as string } : {};
  const todayLocal = today(now, timeZone);
  const inputs = [...records.inputRequests].sort((a, b) =>
    a.inputKey.localeCompare(b.inputKey, 'en', { numeric: true }),
  );
  const actions = [...records.actions].sort((a, b) => a.id.localeCompare(b.id));
  const failure = cycle.failure ? { ...cycle.failure, at: zonedTime(cycle.failure.at, timeZone) } : null;
  const waiting = waitingFor(cycle, inputs, actions);
  return {
    id: cycle.id,
    programmeId: cycle.programmeId,
    programmeVersion: cycle.programme.version,
    type: cycle.type,
    comprehensive: cycle.comprehensive,
    phase: cycle.phase,
    status: cycle.status,
    timeZone,
    ...(waiting === undefined ? {} : { waitingFor: waiting }),
    deadlines: deadlines(cycle, timeZone),
    inputs: inputs.map((input) => ({
      key: input.inputKey,
      title: input.title,
      automatic: input.automatic,
      ...(input.ownerId === undefined ? {} : { owner: input.ownerId }),
      ...withName(input.ownerId),
      status: input.status,
      due: zonedTime(input.dueAt, timeZone),
      remindersSent: input.remindersSent,
      ...(input.lastReminderAt === undefined
        ? {}
        : { lastReminderAt: zonedTime(input.lastReminderAt, timeZone) }),
      escalation: { level: input.escalationLevel, to: INPUT_ESCALATION[input.escalationLevel] ?? 'unknown' },
      ...(input.submissionId !== undefined && thin.has(input.submissionId)
        ? { thin: thin.get(input.submissionId) as string[] }
        : {}),
    })),
    actions: actions.map((action) => {
      const follow = followUpDate(action);
      return {
        id: action.id,
        title: action.title,
        owner: action.ownerId,
        ...withName(action.ownerId),
        due: action.dueDate,
        status: action.status,
        overdue: follow !== undefined && follow < todayLocal,
        escalation: {
          level: action.escalationLevel,
          to: actionEscalatedTo(action, names),
        },
      };
    }),
    nextTimer: nextTimer(cycle, actions, timeZone, now),
    failure,
  };
}

const person = (id: string | undefined, name: string | undefined) =>
  id === undefined ? '-' : name === undefined ? id : `${id} (${name})`;

export function formatCycle(view: CycleView, now: Date): string[] {
  const lines = [
    `Cycle ${view.id}: ${typeLabel(view)} review of ${view.programmeId} (programme version ${view.programmeVersion})`,
    `Phase ${view.phase} (${view.status})${view.waitingFor ? `: waiting for ${view.waitingFor}` : ''}`,
  ];
  if (view.failure) {
    lines.push(
      '',
      `FAILED in ${view.failure.phase} at ${view.failure.at.local} ${view.timeZone}: ${view.failure.error}: ${view.failure.cause}`,
    );
  }
  lines.push('', `Dates (${view.timeZone}, and UTC):`);
  lines.push(...columns(view.deadlines.map((d) => [d.name, d.local, d.utc])));
  lines.push('');
  const timer = view.nextTimer;
  if (timer) {
    const when = timer.utc
      ? `${timer.local} ${timer.timeZone} (${timer.utc}, ${relative(timer.utc, now)})`
      : `${timer.local}`;
    lines.push(`Next timer: ${timer.what}, ${when}${timer.passed ? ' [due now]' : ''}`);
  } else {
    lines.push('Next timer: none');
  }
  lines.push('', `Inputs (${view.inputs.length}):`);
  if (view.inputs.length === 0) lines.push('  none requested yet');
  else {
    lines.push(
      ...columns([
        ['KEY', 'TITLE', 'OWNER', 'STATUS', 'DUE', 'REMINDERS', 'ESCALATED TO'],
        ...view.inputs.map((input) => [
          input.key,
          input.title,
          input.automatic ? 'automatic' : person(input.owner, input.ownerName),
          input.status,
          input.due.local,
          String(input.remindersSent) + (input.lastReminderAt ? ` (last ${input.lastReminderAt.local})` : ''),
          input.escalation.to,
        ]),
      ]),
    );
  }
  const thin = view.inputs.filter((input) => input.thin !== undefined);
  if (thin.length > 0) {
    lines.push('', 'Thin inputs (accepted, but weak: ask the owner for more before the package is frozen):');
    for (const input of thin) lines.push(`  ${input.key} ${input.title}: ${(input.thin ?? []).join('; ')}`);
  }
  lines.push('', `Actions (${view.actions.length}):`);
  if (view.actions.length === 0) lines.push('  none');
  else {
    lines.push(
      ...columns([
        ['ACTION', 'TITLE', 'OWNER', 'DUE', 'STATUS', 'ESCALATED TO'],
        ...view.actions.map((action) => [
          action.id,
          action.title,
          person(action.owner, action.ownerName),
          action.due + (action.overdue ? ' OVERDUE' : ''),
          action.status,
          action.escalation.to,
        ]),
      ]),
    );
  }
  return lines;
}
