/**
 * The minutes of a management review as the ISMS manager writes them: YAML, in a file or pasted
 * into an email reply (template.ts renders the form to fill in).
 *
 *   cycle: C-20261001T0800Z-Q            # optional: the review these minutes are for
 *   replaces: 1                          # only when correcting minutes already recorded
 *   meeting:
 *     date: 2026-10-29                   # when it was held, in the organisation's time zone
 *     time: '09:30'
 *   attendees:                           # person: id or email from the programme
 *     - person: ceo
 *       status: present                  # present | absent | proxy
 *     - person: deputy@example.com
 *       status: proxy
 *       proxyFor: cto                    # whom the proxy stood in for
 *       role: Deputy CTO                 # optional; the programme's job title otherwise
 *   inputsConsidered:                    # EVERY input of the review → what was considered
 *     a: Two actions overdue; both discussed.
 *     b: considered, nothing to report     # not for an input a decision answers, nor one not provided
 *     e: not provided; Carol to report at the next review
 *   decisions:
 *     - ref: D1                          # short label actions point to
 *       category: resource allocation    # a category id or its title, any case
 *       text: Fund a second security engineer.
 *       input: g                         # optional: the input the decision answers
 *   actions:
 *     - title: Hire a security engineer
 *       owner: cto                       # id or email
 *       due: 2027-01-31                  # yyyy-mm-dd, not in the past
 *       decision: D1                     # optional: the ref of the decision it carries out
 *       corrective: false                # optional; true for a corrective action (clause 10.1)
 *       description: optional text
 *   changesToTheIsms: Add the Leeds office to the scope (D3).   # clause 9.3.3; or "no changes needed: <why>"
 *   resourceNeeds: A second security engineer (D1).            # or "no additional resources needed: <why>"
 *   assessment:                          # each aspect: verdict yes | partly | no, and why
 *     suitability: { verdict: yes, rationale: ... }
 *     adequacy: { verdict: partly, rationale: ... }
 *     effectiveness: { verdict: yes, rationale: ... }
 *     alignment: { verdict: yes, rationale: ... }
 *
 * `MinutesDocument` checks the shape only: types, required fields, unknown fields. What relates
 * the text to the programme and the cycle (people, input keys, decision refs, dates) is checked in
 * validate.ts, which turns the document into `ValidMinutes`: the model's own types, with person
 * ids resolved, decision ids given, and the meeting time in UTC. Every message is written to be
 * put after the field's path: `attendees[1].status: is missing; write present, absent or proxy`.
 */
import * as z from 'zod';
import { CalendarDate, InputKey, NonEmptyText, PersonId, UtcTimestamp } from './common.ts';
import { CycleId, DecisionId } from './ids.ts';
import {
  ASSESSMENT_ASPECTS,
  Assessment,
  Attendance,
  ATTENDANCE_STATUSES,
  Decision,
  DECISION_CATEGORIES,
  DECISION_CATEGORY_TITLES,
  VERDICTS,
  type AssessmentAspect,
  type DecisionCategory,
} from './meeting.ts';

/** Minutes longer than this (UTF-8 bytes) are refused: the record must fit one stored item. */
export const MAX_MINUTES_BYTES = 64 * 1024;
/** At most this many actions in one set of minutes (they are created in one transaction). */
export const MAX_ACTIONS = 40;
/** At most this many decisions in one set of minutes. */
export const MAX_DECISIONS = 60;

/** A short label for a decision, as written in the minutes: D1, R-2, budget.1. */
export const DECISION_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/;

/** What each assessment aspect asks, in the words the template and the messages use. */
export const ASPECT_QUESTIONS: Record<AssessmentAspect, string> = {
  suitability: 'is the ISMS still suitable for the organisation, its context and its risks?',
  adequacy: 'is it adequate: enough scope, resources, controls and documentation?',
  effectiveness: 'does it achieve its intended outcomes (objectives met, incidents, audit results)?',
  alignment: "is it aligned with the organisation's strategic direction?",
};

export const ASPECT_TITLES: Record<AssessmentAspect, string> = {
  suitability: 'Suitability',
  adequacy: 'Adequacy',
  effectiveness: 'Effectiveness',
  alignment: 'Alignment with strategic direction',
};

// ---------------------------------------------------------------------------------------------
// Messages

/** A value as it appears in a message: strings quoted, lists and mappings named. */
export function showValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** `is missing; <help>` for a missing or empty value, `<value> is not <kind>; <help>` otherwise. */
function message(kind: string, help: string) {
  return (issue: { input?: unknown }) =>
    isBlank(issue.input) ? `is missing; ${help}` : `${showValue(issue.input)} is not ${kind}; ${help}`;
}

/** Required text. */
function text(help: string) {
  return z
    .string({ error: message('text', help) })
    .refine((value) => value.trim().length > 0, { error: `is missing; ${help}` });
}

/** Optional text: a blank field counts as left out. */
function optionalText(help: string) {
  return z.optional(z.nullable(z.string({ error: message('text', help) })));
}

/** Required text, or a number read as text (a ref written as `ref: 1`). */
function label(help: string) {
  return z.preprocess(
    (value) => (typeof value === 'number' ? String(value) : value),
    z.string({ error: message('a label', help) }).refine((value) => value.trim().length > 0, {
      error: `is missing; ${help}`,
    }),
  );
}

/** One of `options`, any case. */
function choice<const T extends readonly [string, ...string[]]>(options: T, help: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
    z.enum(options, {
      error: (issue) =>
        isBlank(issue.input)
          ? `is missing; ${help}`
          : `${showValue(issue.input)} is not valid; expected ${options.join(', ')}`,
    }),
  );
}

/** true or false; yes/no and true/false written as text are read too. */
const flag = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (word === 'true' || word === 'yes') return true;
    if (word === 'false' || word === 'no') return false;
    return value;
  },
  z.boolean({ error: (issue) => `${showValue(issue.input)} is not true or false` }),
);

// ---------------------------------------------------------------------------------------------
// The document as written

/**
 * `"Resource allocation", "Changes to information security objectives", ...`: the titles people
 * write (the ids, e.g. resource_allocation, are still accepted from replies written before).
 */
export const CATEGORY_CHOICES = DECISION_CATEGORIES.map(
  (category) => `"${DECISION_CATEGORY_TITLES[category]}"`,
).join(', ');

/** The message for a list item that is not a mapping of fields. */
function entry(what: string, example: string) {
  return (issue: { input?: unknown; code?: string }) =>
    `${isBlank(issue.input) ? 'is empty' : `${showValue(issue.input)} is not ${what}`}; write it as ${example}`;
}

export const MeetingEntry = z.strictObject({
  date: text('write the day the meeting was held as yyyy-mm-dd, e.g. 2026-10-29'),
  time: text("write the time the meeting started as hh:mm in the organisation's time zone, e.g. 09:30"),
});

export const AttendeeEntry = z.strictObject(
  {
    person: text('write the id or email of a person in the programme'),
    status: choice(ATTENDANCE_STATUSES, 'write present, absent or proxy'),
    proxyFor: optionalText('write the id or email of the person the proxy stood in for'),
    role: optionalText('write the role they had in the meeting, e.g. Chair'),
  },
  {
    error: entry(
      'an attendee',
      '"- person: <id or email>" with "status: present" (or absent, proxy) below it',
    ),
  },
);

export const DecisionEntry = z.strictObject(
  {
    ref: label('write a short label actions can point to, e.g. D1'),
    category: text(`every decision needs a category; expected one of: ${CATEGORY_CHOICES}`),
    text: text('write what was decided'),
    input: z.optional(
      z.nullable(
        z.string({ error: message('an input key', 'write the key of the input it answers, e.g. g') }),
      ),
    ),
  },
  { error: entry('a decision', '"- ref: D1" with category and text below it') },
);

export const ActionEntry = z.strictObject(
  {
    title: text('write what is to be done, in a few words'),
    owner: text('every action needs one owner: write the id or email of a person in the programme'),
    due: text('every action needs a due date: write it as yyyy-mm-dd'),
    decision: z.optional(z.nullable(label('write the ref of the decision it carries out, e.g. D1'))),
    corrective: z.optional(z.nullable(flag)),
    description: optionalText('write more detail, or leave the field out'),
  },
  { error: entry('an action', '"- title: <what>" with owner and due below it') },
);

export const VerdictEntry = z.strictObject({
  verdict: choice(VERDICTS, 'write yes, partly or no'),
  rationale: text('say why, in a sentence or two'),
});

function aspect(name: AssessmentAspect) {
  const help = `${ASPECT_QUESTIONS[name]} Give verdict (yes, partly or no) and rationale`;
  return z.strictObject(VerdictEntry.shape, {
    error: (issue) =>
      isBlank(issue.input) ? `is missing; ${help}` : `${showValue(issue.input)} is not a verdict; ${help}`,
  });
}

export const AssessmentEntry = z.strictObject(
  {
    suitability: aspect('suitability'),
    adequacy: aspect('adequacy'),
    effectiveness: aspect('effectiveness'),
    alignment: aspect('alignment'),
  },
  {
    error: (issue) =>
      `${isBlank(issue.input) ? 'is missing' : `${showValue(issue.input)} is not a mapping`}; give a verdict ` +
      `(yes, partly or no) and its rationale for each of ${ASSESSMENT_ASPECTS.join(', ')}`,
  },
);

/** A list field that may be left empty (`decisions:` with nothing under it) but not left out. */
function list<T extends z.ZodType>(element: T, what: string, max: number) {
  return z.preprocess(
    (value) => (value === null ? [] : value),
    z
      .array(element, {
        error: (issue) =>
          issue.input === undefined
            ? `is missing; list the ${what}, or write [] if there were none`
            : `${showValue(issue.input)} is not a list; list the ${what}, each starting with "- "`,
      })
      .max(max, { error: `lists more than ${max} ${what}; record at most ${max} in one set of minutes` }),
  );
}

/** What each clause 9.3.3 outcome asks, in the words the template and the messages use. */
export const OUTCOME_HELP = {
  changesToTheIsms:
    'write the changes to the ISMS the review decided (with their decision refs), or "no changes needed: <why>"',
  resourceNeeds:
    'write the resources the ISMS needs and what was decided about them, or "no additional resources needed: <why>"',
} as const;
export type OutcomeField = keyof typeof OUTCOME_HELP;

export const MinutesDocument = z.strictObject(
  {
    cycle: z.optional(z.nullable(z.string({ error: message('a cycle id', 'e.g. C-20261001T0800Z-Q') }))),
    replaces: z.optional(
      z.nullable(
        z.int({ error: (issue) => `${showValue(issue.input)} is not a version number, e.g. 1` }).min(1, {
          error: 'is not a version number; versions start at 1',
        }),
      ),
    ),
    meeting: z.strictObject(MeetingEntry.shape, {
      error: (issue) =>
        `${isBlank(issue.input) ? 'is missing' : `${showValue(issue.input)} is not a mapping`}; ` +
        'give the date and time of the meeting (date: yyyy-mm-dd, time: hh:mm)',
    }),
    attendees: z.preprocess(
      (value) => (value === null ? [] : value),
      z
        .array(AttendeeEntry, {
          error: (issue) =>
            `${isBlank(issue.input) ? 'is missing' : `${showValue(issue.input)} is not a list`}; ` +
            'list who attended, each as "- person: <id or email>" with a status',
        })
        .min(1, { error: 'is empty; list who attended, each with a status (present, absent or proxy)' }),
    ),
    inputsConsidered: z.record(z.string(), z.unknown(), {
      error: (issue) =>
        `${isBlank(issue.input) ? 'is missing' : `${showValue(issue.input)} is not a mapping`}; ` +
        'list every input of the review with what was considered, e.g. "d1: open nonconformities reviewed"',
    }),
    decisions: list(DecisionEntry, 'decisions', MAX_DECISIONS),
    actions: list(ActionEntry, 'actions', MAX_ACTIONS),
    changesToTheIsms: text(OUTCOME_HELP.changesToTheIsms),
    resourceNeeds: text(OUTCOME_HELP.resourceNeeds),
    assessment: AssessmentEntry,
  },
  {
    error: (issue) =>
      `${showValue(issue.input)} is not minutes; expected the minutes template (fields meeting, attendees, ` +
      'inputsConsidered, decisions, actions, changesToTheIsms, resourceNeeds, assessment)',
  },
);
export type MinutesDocument = z.output<typeof MinutesDocument>;

/** The fields each part of the document knows, by the path of that part (list indexes left out). */
export const KNOWN_FIELDS: Record<string, readonly string[]> = {
  '': Object.keys(MinutesDocument.shape),
  meeting: Object.keys(MeetingEntry.shape),
  attendees: Object.keys(AttendeeEntry.shape),
  decisions: Object.keys(DecisionEntry.shape),
  actions: Object.keys(ActionEntry.shape),
  assessment: Object.keys(AssessmentEntry.shape),
  ...Object.fromEntries(
    ASSESSMENT_ASPECTS.map((name) => [`assessment.${name}`, Object.keys(VerdictEntry.shape)]),
  ),
};

// ---------------------------------------------------------------------------------------------
// Decision categories as people write them

const ALIASES: Record<DecisionCategory, readonly string[]> = {
  resource_allocation: ['resources', 'resourcing'],
  security_objectives: [
    'changes to security objectives',
    'changes to objectives',
    'information security objectives',
    'objectives',
  ],
  risk_treatment_approach: [
    'changes to the risk treatment approach',
    'risk treatment',
    'risk treatment approach',
  ],
  processes_and_controls: [
    'improvements to processes and controls',
    'process and control improvements',
    'processes and controls',
  ],
  isms_changes: ['changes to the isms', 'isms changes', 'other changes to the isms'],
  other: [],
};

function words(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The category a written name stands for: its id or its title, any case, `_` or spaces; else undefined. */
export function decisionCategoryOf(written: string): DecisionCategory | undefined {
  const wanted = words(written);
  if (wanted === '') return undefined;
  return DECISION_CATEGORIES.find(
    (category) =>
      words(category) === wanted ||
      words(DECISION_CATEGORY_TITLES[category]) === wanted ||
      ALIASES[category].some((alias) => words(alias) === wanted),
  );
}

/** Every name a category may be written as, for "did you mean". */
export function decisionCategoryNames(): string[] {
  return DECISION_CATEGORIES.flatMap((category) => [
    category,
    DECISION_CATEGORY_TITLES[category],
    ...ALIASES[category],
  ]);
}

// ---------------------------------------------------------------------------------------------
// The validated minutes

/** An input of the review and what the meeting noted about it. */
export const InputConsidered = z.strictObject({
  key: InputKey,
  title: NonEmptyText,
  note: NonEmptyText,
});
export type InputConsidered = z.infer<typeof InputConsidered>;

/** An action as decided in the minutes; accept.ts gives it an id and makes it an Action. */
export const ActionDraft = z.strictObject({
  title: NonEmptyText,
  description: z.optional(NonEmptyText),
  ownerId: PersonId,
  dueDate: CalendarDate,
  corrective: z.boolean(),
  /** The decision it carries out, if the minutes say so. */
  decisionId: z.optional(DecisionId),
  /** The input that decision answers, if any. */
  inputKey: z.optional(InputKey),
});
export type ActionDraft = z.infer<typeof ActionDraft>;

export const ValidMinutes = z.strictObject({
  cycleId: CycleId,
  /** When the meeting was held, in UTC. */
  heldAt: UtcTimestamp,
  /** The meeting time as written, and the zone it was read in. */
  meeting: z.strictObject({
    date: CalendarDate,
    time: z.string().regex(/^\d{2}:\d{2}$/),
    timeZone: NonEmptyText,
  }),
  attendance: z.array(Attendance).min(1),
  /** Every input of the review, in package order. */
  inputsConsidered: z.array(InputConsidered),
  decisions: z.array(Decision),
  /** The label each decision had in the minutes (decision id → ref), e.g. D-20261001T0800Z-Q-01 → D1. */
  decisionRefs: z.record(DecisionId, NonEmptyText),
  actions: z.array(ActionDraft),
  /**
   * The review's outcome on changes to the ISMS and on resources (clause 9.3.3). Every set of minutes
   * validated now has both; minutes recorded before they were asked for have neither.
   */
  changesToTheIsms: z.optional(NonEmptyText),
  resourceNeeds: z.optional(NonEmptyText),
  assessment: Assessment,
  /** The version of the recorded minutes these correct, if they are a correction. */
  replaces: z.optional(z.int().min(1)),
});
export type ValidMinutes = z.infer<typeof ValidMinutes>;
