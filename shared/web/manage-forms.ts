/**
 * The forms of the ISMS manager's actions and the action owners' reports in the web app, read with
 * zod: each form's fields checked and turned into the command the CLI (or the reply email) would
 * give the same use case. A form that does not read gives `FormProblems`, one sentence per field,
 * naming the field as the page labels it; nothing is changed then.
 *
 * | form      | like                                   | command(s) of the action register        |
 * | --------- | -------------------------------------- | ---------------------------------------- |
 * | done      | DONE by reply                          | done (evidence text, link)               |
 * | progress  | PROGRESS by reply                      | progress                                 |
 * | extend    | EXTEND by reply                        | extend                                   |
 * | update    | `action update --status`               | reopen, progress, done, verify, cancel   |
 * | closure   | `action confirm [--reopen]`            | confirm, reopen                          |
 * | extension | `action extension --approve/--refuse`  | approve, refuse                          |
 * | decision  | `action decide`                        | reschedule, reassign, accept-risk        |
 * | start     | `cycle start --type --meeting`         | (a start request)                        |
 */
import { DateTime } from 'luxon';
import * as z from 'zod';
import type { ActionCommand } from '../actions/action-change.ts';
import { ACTION_STATUSES, EvidenceLink, type ActionStatus } from '../model/action.ts';
import { CalendarDate, PersonId } from '../model/common.ts';
import { CYCLE_TYPES, type CycleType } from '../model/ids.ts';
import { topManagement } from '../programme/queries.ts';
import type { Programme, Review } from '../programme/schema.ts';
import { plannedCycles } from '../programme/schedule.ts';
import { BadLocalTime, utcOfLocal } from './local-time.ts';

/** The longest note, reason or evidence text a form takes. */
export const MAX_FORM_TEXT = 4000;

/** A form that does not read: what is wrong with it, one sentence per field. Nothing was changed. */
export class FormProblems extends Error {
  override name = 'FormProblems' as const;
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** The text fields of a posted form (files and repeated fields are not text: they read as ''). */
export type FormFields = Readonly<Record<string, unknown>>;

const field = (form: FormFields, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value : '';
};

/** A written text: trimmed; `required` or not; at most MAX_FORM_TEXT characters. */
const text = (label: string, required: boolean) =>
  z
    .string()
    .transform((value) => value.trim())
    .check((ctx) => {
      if (ctx.value.length > MAX_FORM_TEXT) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `${label}: ${ctx.value.length} characters; at most ${MAX_FORM_TEXT} are taken, shorten it`,
        });
      } else if (required && ctx.value === '') {
        ctx.issues.push({ code: 'custom', input: ctx.value, message: `${label}: write it, it is required` });
      }
    });

/** An optional web link: '' is none; anything else must be an http(s) address. */
const link = (label: string) =>
  z
    .string()
    .transform((value) => value.trim())
    .check((ctx) => {
      if (ctx.value !== '' && !EvidenceLink.safeParse(ctx.value).success) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `${label}: not a web link; give an http:// or https:// address (at most 2048 characters)`,
        });
      }
    })
    .transform((value) => (value === '' ? undefined : value));

/** A calendar date (the browser's date field gives yyyy-mm-dd); '' is none unless `required`. */
const date = (label: string, required: boolean) =>
  z
    .string()
    .transform((value) => value.trim())
    .check((ctx) => {
      if (ctx.value === '') {
        if (required) {
          ctx.issues.push({ code: 'custom', input: ctx.value, message: `${label}: give a date, yyyy-mm-dd` });
        }
      } else if (ctx.value.length > 10 || !CalendarDate.safeParse(ctx.value).success) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value,
          message: `${label}: not a date in the calendar; give it as yyyy-mm-dd, e.g. 2027-06-30`,
        });
      }
    })
    .transform((value) => (value === '' ? undefined : value));

/** One of `choices`; the message names them. */
const oneOf = <T extends string>(label: string, choices: readonly T[], words?: Record<T, string>) =>
  z.string().refine((value): value is T => (choices as readonly string[]).includes(value), {
    error: `${label}: choose one of ${choices.map((c) => words?.[c] ?? c).join(', ')}`,
  });

/** Reads `form` with `schema`, or FormProblems with each field's sentence (in the form's order). */
function read<S extends z.ZodType>(schema: S, form: FormFields, names: readonly string[]): z.output<S> {
  const values = Object.fromEntries(names.map((name) => [name, field(form, name)]));
  const result = schema.safeParse(values);
  if (!result.success) throw new FormProblems(result.error.issues.map((issue) => issue.message));
  return result.data;
}

// ------------------------------------------------------------------ the owner's reports

/** DONE: what was done, and a link to where it can be seen (or a link in the text). */
export function doneCommand(form: FormFields): ActionCommand {
  const done = read(
    z.object({ evidence: text('What was done', true), link: link('Link to the evidence') }),
    form,
    ['evidence', 'link'],
  );
  return { kind: 'done', evidence: done.evidence, ...(done.link ? { links: [done.link] } : {}) };
}

/** PROGRESS: where the action stands. */
export function progressCommand(form: FormFields): ActionCommand {
  const { note } = read(z.object({ note: text('Where it stands', true) }), form, ['note']);
  return { kind: 'progress', note };
}

/** EXTEND: a later due date and the reason. */
export function extendCommand(form: FormFields): ActionCommand {
  const asked = read(
    z.object({ until: date('New due date', true), reason: text('Why it needs longer', true) }),
    form,
    ['until', 'reason'],
  );
  return { kind: 'extend', until: asked.until!, reason: asked.reason };
}

// ------------------------------------------------------------------ the ISMS manager's changes

const STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'open (reopened)',
  in_progress: 'in progress',
  done: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
};

/** `action update --status <status> --note <text> [--evidence-url <link>]`. */
export function updateCommand(form: FormFields): ActionCommand {
  const update = read(
    z
      .object({
        status: oneOf('New status', ACTION_STATUSES, STATUS_LABELS),
        note: text('Note', true),
        link: link('Link to the evidence'),
      })
      .check((ctx) => {
        if (ctx.value.link && ctx.value.status !== 'done') {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            message: 'Link to the evidence: goes with the status done only; leave it empty for the others',
          });
        }
      }),
    form,
    ['status', 'note', 'link'],
  );
  const note = update.note;
  switch (update.status) {
    case 'open':
      return { kind: 'reopen', note };
    case 'in_progress':
      return { kind: 'progress', note };
    case 'done':
      return { kind: 'done', evidence: note, ...(update.link ? { links: [update.link] } : {}) };
    case 'verified':
      return { kind: 'verify', note };
    default:
      return { kind: 'cancel', reason: note };
  }
}

/** `action confirm [--note]` or `action confirm --reopen <what is missing>`. */
export function closureCommand(form: FormFields): ActionCommand {
  const answer = read(
    z
      .object({
        answer: oneOf('Answer', ['confirm', 'reopen'] as const),
        note: text('Note (what is missing, to reopen)', false),
      })
      .check((ctx) => {
        if (ctx.value.answer === 'reopen' && ctx.value.note === '') {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            message: 'Note: to send it back, say what is missing; the owner is told',
          });
        }
      }),
    form,
    ['answer', 'note'],
  );
  if (answer.answer === 'reopen') return { kind: 'reopen', note: answer.note };
  return { kind: 'confirm', ...(answer.note ? { note: answer.note } : {}) };
}

/** Who of top management a decision is recorded for: a member's id; default the chair. */
function decider(programme: Programme, given: string): string {
  const { chair, members } = topManagement(programme);
  const id = given.trim() === '' ? chair.id : given.trim();
  const people = [chair, ...members];
  if (!PersonId.safeParse(id).success || !people.some((p) => p.id === id)) {
    throw new FormProblems([
      `Decided by: choose a member of top management (${people.map((p) => p.name).join(', ')})`,
    ]);
  }
  return id;
}

/** `action extension --approve [--note] | --refuse --reason [--by]`: the command and who decided. */
export function extensionAnswer(
  form: FormFields,
  programme: Programme,
): { command: ActionCommand; by: string } {
  const answer = read(
    z
      .object({
        answer: oneOf('Answer', ['approve', 'refuse'] as const),
        note: text('Comment or reason', false),
      })
      .check((ctx) => {
        if (ctx.value.answer === 'refuse' && ctx.value.note === '') {
          ctx.issues.push({
            code: 'custom',
            input: ctx.value,
            message: 'Comment or reason: a refusal needs the reason; the owner is told it',
          });
        }
      }),
    form,
    ['answer', 'note'],
  );
  const by = decider(programme, field(form, 'by'));
  const command: ActionCommand =
    answer.answer === 'refuse'
      ? { kind: 'refuse', reason: answer.note }
      : { kind: 'approve', ...(answer.note ? { comment: answer.note } : {}) };
  return { command, by };
}

const DECISIONS = ['reschedule', 'reassign', 'accept-risk'] as const;

/** `action decide <id> (--reschedule <date> | --reassign <person> [--due] | --accept-risk) --reason [--by]`. */
export function decisionOf(form: FormFields, programme: Programme): { command: ActionCommand; by: string } {
  const decided = read(
    z
      .object({
        decision: oneOf('Decision', DECISIONS, {
          reschedule: 'a new due date',
          reassign: 'a new owner',
          'accept-risk': 'the risk accepted',
        }),
        until: date('New due date', false),
        to: z.string().transform((value) => value.trim()),
        reason: text('Reason', true),
      })
      .check((ctx) => {
        const v = ctx.value;
        const problem = (message: string) => ctx.issues.push({ code: 'custom', input: v, message });
        if (v.decision === 'reschedule' && !v.until) problem('New due date: a new due date needs the date');
        if (v.decision === 'reassign' && v.to === '') problem('New owner: choose the person it goes to');
        if (v.decision === 'accept-risk' && v.until) {
          problem('New due date: accepting the risk closes the action; leave the date empty');
        }
        if (v.decision !== 'reassign' && v.to !== '') {
          problem('New owner: goes with a new owner only; leave it empty for the other decisions');
        }
      }),
    form,
    ['decision', 'until', 'to', 'reason'],
  );
  const by = decider(programme, field(form, 'by'));
  const { reason, until, to } = decided;
  if (decided.decision === 'reschedule')
    return { command: { kind: 'reschedule', until: until!, reason }, by };
  if (decided.decision === 'reassign') {
    if (!PersonId.safeParse(to).success || !programme.people.some((p) => p.id === to)) {
      throw new FormProblems(['New owner: choose a person of the programme']);
    }
    return { command: { kind: 'reassign', to, ...(until ? { until } : {}), reason }, by };
  }
  return { command: { kind: 'accept-risk', reason }, by };
}

// ------------------------------------------------------------------ starting a cycle

export interface StartChoice {
  readonly review: Review;
  /** The meeting given (UTC ISO), or undefined for the schedule's. */
  readonly meetingAt?: string;
}

/**
 * `cycle start [--type] [--meeting]`: the review of the type chosen (default the programme's next
 * scheduled one) and the meeting, if given, in the organisation's zone, leaving the input lead time.
 */
export function startChoice(form: FormFields, programme: Programme, now: Date): StartChoice {
  const typed = field(form, 'type').trim();
  const meeting = field(form, 'meeting').trim();
  const problems: string[] = [];
  const reviews = programme.schedule.reviews;
  let review: Review | undefined;
  if (typed === '') {
    const next = plannedCycles(programme, now, 1)[0];
    review = next && reviews[next.reviewIndex];
    if (!review) problems.push('Review: the programme schedules no further review; choose a type');
  } else {
    review = (CYCLE_TYPES as readonly string[]).includes(typed)
      ? reviews.find((candidate) => candidate.type === (typed as CycleType))
      : undefined;
    if (!review) {
      problems.push(`Review: choose one the programme schedules (${reviews.map((r) => r.type).join(', ')})`);
    }
  }
  let meetingAt: string | undefined;
  if (meeting !== '') {
    const zone = programme.organisation.timeZone;
    try {
      if (meeting.length > 40) throw new BadLocalTime('not a date and time; expected yyyy-mm-dd HH:MM');
      meetingAt = utcOfLocal(meeting, zone);
      const days = programme.leadTimes.inputsDueDaysBeforeMeeting;
      const inputsDue = DateTime.fromISO(meetingAt, { zone }).minus({ days });
      if (inputsDue.toMillis() <= now.getTime()) {
        const earliest = DateTime.fromJSDate(now, { zone }).plus({ days, hours: 1 }).startOf('hour');
        problems.push(
          `Meeting: it leaves no time for inputs, which are due ${days} days before the meeting; the earliest meeting is ${earliest.toFormat('yyyy-MM-dd HH:mm')}`,
        );
      }
    } catch (error) {
      if (!(error instanceof BadLocalTime)) throw error;
      problems.push(`Meeting: ${error.message.replace(/^the new meeting time /, '')}`);
    }
  }
  if (problems.length > 0 || !review) throw new FormProblems(problems);
  return { review, ...(meetingAt ? { meetingAt } : {}) };
}
