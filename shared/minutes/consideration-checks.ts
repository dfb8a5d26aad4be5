/**
 * The checks that make the minutes prove the review considered what it says it considered, as a
 * lead auditor reads them (clause 9.3.2 and 9.3.3):
 *
 * - an input nobody provided (its request still open, or closed as NOT_PROVIDED) is not "considered,
 *   nothing to report": the note says what the meeting did about the missing input;
 * - an input a decision answers is not "nothing to report" either: something in it led to the decision;
 * - the results record the review's outcome on changes to the ISMS and on resources, each as text
 *   that says something: "none" alone is not an outcome, "no changes needed" comes with its reason.
 *
 * "Nothing to report" is a class of notes, not a list: case, punctuation, spacing and words that
 * carry nothing ("considered", "this quarter") are set aside before a note is judged.
 */
import { showValue, OUTCOME_HELP, type OutcomeField } from '../model/minutes.ts';
import type { InputRequestStatus } from '../model/input.ts';
import { asLabel, asList, asObject, asText, inWords, titleOf, type Path, type Reading } from './reading.ts';

/** At least this many words of reason after "no changes needed". */
export const MIN_REASON_WORDS = 2;

/** Lower-case words, letters and digits only: "N/A." → n, a; "Didn't arrive" → didn, t, arrive. */
function wordsOf(text: string): string[] {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((word) => word !== '');
}

/** Words that say nothing about what was found: how, when and that something was looked at. */
const FILLER = new Set(
  (
    'all and are at been but checked consider considered covered currently cycle ' +
    'discussed far for has have in input is it item meeting month noted period presented ' +
    'quarter read review reviewed seen so that the there this time topic was we were year'
  ).split(' '),
);

const NONE = '(?:nothing|no|none|nil|zero)';
const QUALIFIER =
  '(?:new|further|significant|notable|noteworthy|major|material|relevant|particular|specific|special|other|open|additional|real)';
const NOUN =
  '(?:issues?|comments?|concerns?|changes?|updates?|findings?|remarks?|news|problems?|points?|matters?|actions?|observations?|reports?|risks?|questions?|developments?|needs?|resources?)';
const VERB =
  '(?:(?:to )?(?:report|add|note|raise|discuss|declare|mention|flag|say)|raised|found|reported|identified|arising|needed|required|necessary|changed|of note)';
/**
 * A note that says there is nothing, in any of the usual ways, once FILLER is set aside ("as is"
 * is left as "as").
 */
const NOTHING = new RegExp(
  `^(?:${NONE}(?: ${QUALIFIER})?(?: ${NOUN})?(?: ${VERB})?|not (?:applicable|needed|required|necessary)|n a|na|` +
    'unchanged|same|as|as before|status quo|ok|okay|fine|good|yes|done|x|tbd)?$',
);

/** The words of a note that may carry meaning. */
function meaningful(text: string): string[] {
  return wordsOf(text).filter((word) => !FILLER.has(word));
}

/** Notes that say an input did not come: "not provided", "missing", "no input received", ... */
const MISSING = [
  /\b(?:not|never|didn t|wasn t|weren t|hasn t|haven t|isn t|aren t|doesn t)\b(?: [a-z]+){0,2} (?:provided|received|submitted|delivered|supplied|sent|given|answered|available|arrived|provide|receive|submit|deliver|supply|send|give|answer|arrive|respond|responded|reply|replied)\b/,
  /\b(?:missing|unanswered|overdue|absent|lacking|awaited|unavailable)\b/,
  /\bno (?:[a-z]+ )?(?:input|inputs|submission|answer|response|reply|data|information|contribution)\b/,
  /\b(?:no|nothing) (?:was |were )?(?:received|provided|submitted|delivered|supplied)\b/,
];

/** Whether the note acknowledges that the input did not come. */
export function acknowledgesMissing(note: string): boolean {
  const text = wordsOf(note).join(' ');
  return MISSING.some((pattern) => pattern.test(text));
}

/** Whether the note says only "nothing to report" (or n/a, none, ok, no issues, ...). */
export function saysNothing(note: string): boolean {
  return !acknowledgesMissing(note) && NOTHING.test(meaningful(note).join(' '));
}

/**
 * What is wrong with an outcome's text, if anything: nothing but "none", or "no changes needed"
 * without a reason of at least MIN_REASON_WORDS words.
 */
export function outcomeFault(text: string): 'bare' | 'no reason' | undefined {
  const words = meaningful(text);
  if (NOTHING.test(words.join(' '))) return 'bare';
  if (!/^(?:nothing|no|none|nil|zero|n|na|not|unchanged)$/.test(words[0] ?? '')) return undefined;
  // The longest opening that says "nothing"; what follows it is the reason.
  for (let end = words.length - 1; end >= 1; end -= 1) {
    if (NOTHING.test(words.slice(0, end).join(' '))) {
      const reason = words.slice(end);
      return reason.length < MIN_REASON_WORDS || NOTHING.test(reason.join(' ')) ? 'no reason' : undefined;
    }
  }
  return undefined;
}

/** Where each input's note is, and what the decisions say about the inputs. */
export interface Considered {
  /** Input key → its note. */
  readonly notes: ReadonlyMap<string, string>;
  /** Input key → the key as written in the minutes (it may differ in case). */
  readonly writtenAs: ReadonlyMap<string, string>;
  /** Decision index → the input it answers. */
  readonly decisionInputs: ReadonlyMap<number, string>;
}

const UNANSWERED: Partial<Record<InputRequestStatus, string>> = {
  NOT_PROVIDED: 'was not provided (its owner did not answer the request by the deadline)',
  REQUESTED: 'has not been provided (its request is still waiting for an answer)',
};

/** Inputs noted as "nothing to report" although nobody provided them, or a decision answers them. */
export function checkConsideration(reading: Reading, considered: Considered): void {
  const { ctx, top, problem } = reading;
  const { notes, writtenAs, decisionInputs } = considered;
  const pathOf = (key: string): Path => ['inputsConsidered', writtenAs.get(key) ?? key];
  const owners = ctx.programme.inputs.owners;
  const statuses = ctx.inputStatuses ?? {};
  for (const [key, note] of notes) {
    const status = statuses[key];
    const unanswered = status === undefined ? undefined : UNANSWERED[status];
    if (unanswered === undefined || !saysNothing(note)) continue;
    const owner = ctx.programme.people.find((person) => person.id === owners[key]);
    const who = owner ? `${owner.name} to report at the next review` : 'to be reported at the next review';
    problem(
      pathOf(key),
      `input ${key} "${titleOf(key)}" ${unanswered}, yet the note says ${showValue(note)}; write what the ` +
        `meeting did about the missing input, e.g. "${writtenAs.get(key) ?? key}: not provided; ${who}"`,
    );
  }
  const decisions = asList(top.decisions);
  const citedBy = new Map<string, string[]>();
  for (const [index, key] of decisionInputs) {
    const ref = asLabel(asObject(decisions[index])?.ref) ?? `decisions[${index}]`;
    citedBy.set(key, [...(citedBy.get(key) ?? []), ref]);
  }
  for (const [key, refs] of citedBy) {
    const note = notes.get(key);
    if (note === undefined || !saysNothing(note)) continue;
    const decided = refs.length === 1 ? `decision ${refs[0]} answers` : `decisions ${inWords(refs)} answer`;
    problem(
      pathOf(key),
      `${decided} input ${key} "${titleOf(key)}", yet its note says ${showValue(note)}; write what was ` +
        'considered in it that led to the decision',
    );
  }
}

const OUTCOME_NAMES: Record<OutcomeField, { subject: string; example: string }> = {
  changesToTheIsms: {
    subject: 'any needs for changes to the ISMS',
    example: 'no changes needed: scope, risks and controls unchanged since the last review',
  },
  resourceNeeds: {
    subject: 'the resources the ISMS needs',
    example: 'no additional resources needed: the current team covers the treatment plan',
  },
};

/** The clause 9.3.3 outcomes: text that says something ("none" alone does not). */
export function checkOutcomes(reading: Reading): void {
  const { top, problem } = reading;
  for (const field of Object.keys(OUTCOME_NAMES) as OutcomeField[]) {
    const text = asText(top[field]);
    if (text === undefined) continue;
    const fault = outcomeFault(text);
    const { subject, example } = OUTCOME_NAMES[field];
    if (fault === 'bare') {
      problem(
        [field],
        `${showValue(text)} is not an outcome: clause 9.3.3 asks the review to decide on ${subject}; ` +
          `${OUTCOME_HELP[field]}`,
      );
    } else if (fault === 'no reason') {
      problem([field], `${showValue(text)} gives no reason; say why in a few words, e.g. "${example}"`);
    }
  }
}
