/**
 * Inputs with substance: the rules an answer must pass beyond its format (shared/mail/input-reply.ts
 * reads the format), the same for a reply by email (shared/ingest/purposes.ts) and for the command
 * line (submit-input.ts).
 *
 * Refused, each with a sentence saying what to write instead (the input stays REQUESTED; the raw
 * mail is kept as evidence either way):
 * - a summary that is empty of substance: only stock phrases ("reviewed for the period", "see
 *   register", "n/a", "tbd", "no change", ...). A real summary that merely contains such a phrase
 *   passes: what is refused is a summary with nothing else in it;
 * - a summary pointing at a register or an attachment when nothing is attached;
 * - a word-for-word copy (whitespace and case aside) of the same input's answer in the previous cycle;
 * - "nothing to report" whose reason is itself a stock phrase ("n/a", "none", "no change");
 * - a report without a figure the catalogue requires (shared/catalogue/catalogue.ts `fields`), or
 *   without any objective where the catalogue asks for objectives; a count that is not a whole
 *   number of 0 or more, or a figure in another unit than the catalogue's.
 *
 * Accepted but thin (listed for the ISMS manager before the package is frozen, as an `input.thin`
 * event that `isms-review cycle show` lists): no figure where the catalogue has optional ones, a
 * very short summary, an answer after its due date.
 */
import { inputFields, type InputFields } from '../catalogue/catalogue.ts';
import { OBJECTIVE_EXAMPLE, type ParsedInput } from '../mail/reply-format.ts';
import type { Cycle } from '../model/cycle.ts';
import type { EventDraft } from '../model/event.ts';
import type { InputSubmission, Metric } from '../model/input.ts';
import type { ReviewRepository } from '../store/repository.ts';

export const INPUT_QUALITY_CODES = [
  'boilerplate-summary',
  'reference-without-attachment',
  'copy-of-previous',
  'nothing-to-report-without-reason',
  'required-field-missing',
  'objectives-missing',
  'field-number',
] as const;
export type InputQualityCode = (typeof INPUT_QUALITY_CODES)[number];

export const THIN_CODES = ['no-figures', 'short-summary', 'late'] as const;
export type ThinCode = (typeof THIN_CODES)[number];

/** Why an answer is refused: a code for programs, and "what is wrong; what to write" for people. */
export interface InputQualityProblem {
  readonly code: InputQualityCode;
  readonly key: string;
  /** What is wrong (may quote the owner's words). */
  readonly problem: string;
  /** What to write instead. */
  readonly fix: string;
  /** `problem; fix`, as one sentence. */
  readonly message: string;
}

const refused = (code: InputQualityCode, key: string, problem: string, fix: string): InputQualityProblem => ({
  code,
  key,
  problem,
  fix,
  message: `${problem}; ${fix}`,
});

/** Why an accepted answer is weak. */
export interface ThinReason {
  readonly code: ThinCode;
  readonly message: string;
}

/** An answer refused for lack of substance (for callers that throw rather than list problems). */
export class InputLacksSubstance extends Error {
  override name = 'InputLacksSubstance' as const;
  constructor(readonly problems: readonly InputQualityProblem[]) {
    super(problems.map((problem) => `input ${problem.key}: ${problem.message}`).join('\n'));
  }
}

export interface QualityContext {
  /** The input's figures and objectives; by default the catalogue's for its key. */
  readonly fields?: InputFields;
  /** How many files came with the answer (none from the command line). */
  readonly attachments: number;
  /** The same input's answers in the previous cycle of the programme (previousCycleAnswers). */
  readonly previous: readonly InputSubmission[];
  /** When the answer arrived, and when the input was due: an answer after its due date is thin. */
  readonly receivedAt?: string | undefined;
  readonly dueAt?: string | undefined;
}

export interface QualityVerdict {
  /** The answer with its figures named exactly as the catalogue names them (for trends). */
  readonly input: ParsedInput;
  /** Empty when the answer is accepted. */
  readonly problems: readonly InputQualityProblem[];
  /** Why an accepted answer is weak; empty when it is not. */
  readonly thin: readonly ThinReason[];
}

/** A summary shorter than this (in characters) is thin. */
export const SHORT_SUMMARY = 30;

/** Phrases that say nothing about the period by themselves (matched on normalised text). */
const STOCK_PHRASES: readonly RegExp[] = [
  /\b(?:reviewed|checked|looked at) (?:for|in|during) (?:the|this) (?:period|quarter|month|year)\b/g,
  /\b(?:please )?(?:see|refer to|check) (?:the |our )?(?:attached|attachment|register|risk register|log|tool|system|sharepoint|file|spreadsheet|workbook|report)\b/g,
  /\b(?:details|detail|information|info|everything|all) (?:is |are )?(?:in|on) (?:the |our )?(?:attached|attachment|register|risk register|log|tool|system|sharepoint|file|spreadsheet|workbook|report)\b/g,
  /\bas per (?:the )?(?:attached|attachment|register|last (?:review|time|quarter))\b/g,
  /\b(?:no|nothing) (?:changes?|new|to add|significant|of note|notable)\b/g,
  /\b(?:same|unchanged) (?:as|since) (?:before|last (?:time|review|quarter|period|year)|previous(?:ly)?)\b/g,
  /\bbusiness as usual\b/g,
  /\b(?:n a|tbd|tbc|to be (?:confirmed|determined)|nil|none|ok|okay|fine|all good|as before|in progress|ongoing|bau)\b/g,
];

/** Words that carry no substance on their own. */
const FILLER = new Set(
  (
    'a an the and or of for in on at to by with from as per is are was were be been has have had it its ' +
    'this that these those our we i all any no not nothing new change changes changed same last previous ' +
    'time period quarter month year review reviewed report reported status update updated see please ' +
    'details detail register registers attached attachment attachments refer information info documented ' +
    'document here there so far yet still good fine ok okay yes nil none na n tbd tbc ongoing progress ' +
    'usual business bau note notes noted add further comments comment'
  ).split(' '),
);

/** Lower case, punctuation as space, single spaces. */
function normalised(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^a-z0-9%'\s]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words of `text` that say something, once stock phrases and filler words are removed. */
export function substantiveWords(text: string): string[] {
  let rest = ` ${normalised(text)} `;
  for (const phrase of STOCK_PHRASES) rest = rest.replace(phrase, ' ');
  return rest.split(' ').filter((word) => word !== '' && (/\d/.test(word) || !FILLER.has(word)));
}

const MENTIONS_ATTACHMENT = /\b(?:attached|attachments?|enclosed|enclosure)\b/i;
const POINTS_ELSEWHERE =
  /\b(?:see|refer to|in|per|check)\b[^.;]{0,30}\b(?:register|attached|attachment|log|tool|system|sharepoint|file|spreadsheet|workbook|report)\b/i;

/** Same text whitespace and case aside. */
const sameText = (a: string, b: string) =>
  a.replace(/\s+/g, ' ').trim().toLowerCase() === b.replace(/\s+/g, ' ').trim().toLowerCase();

const sameFigures = (a: readonly Metric[], b: readonly Metric[]) =>
  a.length === b.length &&
  a.every((metric) =>
    b.some(
      (other) =>
        other.name.toLowerCase() === metric.name.toLowerCase() &&
        other.value === metric.value &&
        other.target === metric.target,
    ),
  );

const quoted = (text: string) => (text.length > 60 ? `"${text.slice(0, 57)}..."` : `"${text}"`);

/** The checks on a summary (or a reason for nothing to report): refused, thin, or fine. */
function summaryProblems(
  key: string,
  input: ParsedInput,
  attachments: number,
): { problems: InputQualityProblem[]; thin: ThinReason[] } {
  const problems: InputQualityProblem[] = [];
  const thin: ThinReason[] = [];
  if (input.kind === 'nothing_to_report') {
    if (substantiveWords(input.nothingToReport).length === 0) {
      problems.push(
        refused(
          'nothing-to-report-without-reason',
          key,
          `${quoted(input.nothingToReport)} does not say why there is nothing to report`,
          'write the reason, e.g. nothing to report: no audits were held this quarter, the next one is in November',
        ),
      );
    }
    return { problems, thin };
  }
  const summary = input.summary;
  const words = substantiveWords(summary);
  if (attachments === 0 && MENTIONS_ATTACHMENT.test(summary)) {
    problems.push(
      refused(
        'reference-without-attachment',
        key,
        'the summary refers to an attachment, but no file came with the answer',
        'attach the file to your reply, or write in the summary what it shows',
      ),
    );
  } else if (words.length === 0 && attachments === 0 && POINTS_ELSEWHERE.test(summary)) {
    problems.push(
      refused(
        'reference-without-attachment',
        key,
        `the summary ${quoted(summary)} points elsewhere, and nothing came with the answer`,
        'write in the summary what the register or document shows for this period (the figures, what changed, what management should know), or attach it',
      ),
    );
  } else if (words.length === 0 && attachments === 0) {
    problems.push(
      refused(
        'boilerplate-summary',
        key,
        `the summary ${quoted(summary)} says nothing about the period`,
        'write what happened: the figures, what changed and what management should know (if nothing happened, write nothing to report: and the reason)',
      ),
    );
  } else if (summary.length < SHORT_SUMMARY) {
    thin.push({ code: 'short-summary', message: `the summary is very short (${quoted(summary)})` });
  }
  return { problems, thin };
}

/** The field checks: figures named as the catalogue names them, required ones present, counts whole. */
function fieldProblems(
  key: string,
  input: ParsedInput,
  fields: InputFields,
): { metrics: Metric[]; problems: InputQualityProblem[]; thin: ThinReason[] } {
  const problems: InputQualityProblem[] = [];
  const thin: ThinReason[] = [];
  const labelOf = (name: string) =>
    fields.fields.find(
      (field) => field.label.toLowerCase() === name.replace(/\s+/g, ' ').trim().toLowerCase(),
    );
  const metrics = input.metrics.map((metric) => {
    const field = labelOf(metric.name);
    return field && metric.target === undefined ? { ...metric, name: field.label } : metric;
  });
  if (input.kind !== 'report') return { metrics, problems, thin };
  for (const field of fields.fields) {
    const given = metrics.find((metric) => metric.name === field.label);
    if (!given) {
      if (field.required) {
        problems.push(
          refused(
            'required-field-missing',
            key,
            `the figure '${field.label}' is missing`,
            `write metric: ${field.label} = <number> (0 when there were none)`,
          ),
        );
      }
      continue;
    }
    if (
      field.unit === 'count' &&
      (given.unit !== 'count' || !Number.isInteger(given.value) || given.value < 0)
    ) {
      problems.push(
        refused(
          'field-number',
          key,
          `'${field.label} = ${given.value}${given.unit === 'count' ? '' : ` ${given.unit}`}' is not a number of things`,
          `write a whole number of 0 or more without a unit, e.g. metric: ${field.label} = 3`,
        ),
      );
    } else if (field.unit !== 'count' && given.unit !== field.unit) {
      problems.push(
        refused(
          'field-number',
          key,
          `'${field.label}' is given in ${given.unit}`,
          `write it in ${field.unit}, e.g. metric: ${field.label} = 12 ${field.unit}`,
        ),
      );
    }
  }
  if (fields.objectives && !metrics.some((metric) => metric.target !== undefined)) {
    problems.push(
      refused(
        'objectives-missing',
        key,
        'no objective is given with its target and result',
        `write one line per objective, e.g. ${OBJECTIVE_EXAMPLE}`,
      ),
    );
  }
  const optional = fields.fields.filter((field) => !field.required);
  if (
    optional.length > 0 &&
    !optional.some((field) => metrics.some((metric) => metric.name === field.label))
  ) {
    thin.push({
      code: 'no-figures',
      message: `no figure for ${optional.map((field) => field.label).join(', ')}`,
    });
  }
  return { metrics, problems, thin };
}

/** Checks one parsed answer (see the module note). Pure: the caller reads `previous` from the store. */
export function checkInputQuality(input: ParsedInput, context: QualityContext): QualityVerdict {
  const key = input.key;
  const fields = context.fields ?? inputFields(key);
  const summary = summaryProblems(key, input, context.attachments);
  const figures = fieldProblems(key, input, fields);
  const problems = [...summary.problems, ...figures.problems];
  const text = input.kind === 'report' ? input.summary : input.nothingToReport;
  const copied = context.previous.find(
    (earlier) =>
      earlier.kind === input.kind &&
      sameText(earlier.summary, text) &&
      sameFigures(earlier.metrics, figures.metrics),
  );
  if (copied) {
    const received = copied.receivedAt.slice(0, 10);
    problems.push(
      input.kind === 'report'
        ? refused(
            'copy-of-previous',
            key,
            `this answer is word for word the one given at the previous review (received ${received})`,
            "write what happened in this period, with this period's figures",
          )
        : refused(
            'copy-of-previous',
            key,
            `this reason is word for word the one given at the previous review (received ${received})`,
            'say why there is nothing to report this time',
          ),
    );
  }
  const thin = [...summary.thin, ...figures.thin];
  if (context.receivedAt && context.dueAt && Date.parse(context.receivedAt) > Date.parse(context.dueAt)) {
    thin.push({ code: 'late', message: `it arrived after its due date (${context.dueAt.slice(0, 10)})` });
  }
  return { input: { ...input, metrics: figures.metrics }, problems, thin };
}

/**
 * The same input's answers in the previous cycle of the programme (every answer of that cycle,
 * superseded ones too: a copy of any of them is a copy). One index query.
 */
export async function previousCycleAnswers(
  repo: Pick<ReviewRepository, 'listSubmissionHistory'>,
  cycle: Pick<Cycle, 'id' | 'programmeId'>,
  inputKey: string,
): Promise<InputSubmission[]> {
  const history = await repo.listSubmissionHistory(cycle.programmeId, inputKey, {
    newestFirst: true,
    limit: 10,
  });
  const last = history.find((submission) => submission.cycleId !== cycle.id);
  return last ? history.filter((submission) => submission.cycleId === last.cycleId) : [];
}

/** The `input.thin` event recorded next to an accepted but weak answer (listed by `cycle show`). */
export function thinInputEvent(args: {
  submission: Pick<InputSubmission, 'id' | 'inputKey'>;
  thin: readonly ThinReason[];
  at: string;
  actor: string;
  sourceMessageId?: string;
}): EventDraft {
  return {
    type: 'input.thin',
    at: args.at,
    actor: args.actor,
    ...(args.sourceMessageId ? { sourceMessageId: args.sourceMessageId } : {}),
    data: {
      inputKey: args.submission.inputKey,
      submissionId: args.submission.id,
      reasons: args.thin.map((reason) => ({ code: reason.code, message: reason.message })),
    },
  };
}
