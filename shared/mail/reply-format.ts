/**
 * The formats people fill in when they answer by email, rendered into our emails and parsed back
 * here, in one module, so that what we ask for and what we accept cannot drift apart.
 *
 * (a) Input submission: one block per input key.
 *
 *     [input d1] Nonconformities and corrective actions
 *     period: 2026-07-01 to 2026-09-30
 *     summary: free text, may continue on following lines
 *     metric: Open nonconformities = 4
 *     metric: Patch compliance = 97.5 %
 *     decision needed: optional text for management
 *     [end]
 *
 *   or `nothing to report: <reason>` instead of summary and metrics. Text outside blocks (greetings,
 *   signatures) is ignored. Field names are read without regard to case, extra or non-breaking
 *   spaces, smart quotes or `*bold*` markers; a line that starts with no field name continues the
 *   field above it (mail clients wrap long lines). Lines starting with `>` are quoted text and
 *   never part of an answer.
 *
 * (b) Action commands, on the first line of a reply (after an optional greeting line):
 *     DONE <evidence> | PROGRESS <note> | EXTEND <yyyy-mm-dd> <reason>, and for the chair
 *     APPROVE [comment] | REFUSE <reason>, and for the effectiveness check of a corrective action
 *     PASS <rationale> | FAIL <finding>. The command's text runs to the first blank line.
 */
import { z } from 'zod';
import { CalendarDate, InputKey, NonEmptyText, Period } from '#shared/model/common.ts';
import { Metric } from '#shared/model/input.ts';

/** A renderer was given something that cannot become a valid template. */
export class InvalidTemplateInput extends Error {
  override name = 'InvalidTemplateInput' as const;
}

// ---------------------------------------------------------------------------------------------
// Shared line handling

const ODD_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;

/** Odd spaces become plain spaces, character for character (positions stay the same). */
function plainSpaces(line: string): string {
  return line.replace(ODD_SPACES, ' ');
}

/** For structured values: plain spaces and quotes, no emphasis markers, single spaces, trimmed. */
function structural(value: string): string {
  return plainSpaces(value)
    .replace(/[\u2018\u2019\u201a\u201b]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f]/g, '"')
    .replace(/[*_]{1,2}(?=\S)|(?<=\S)[*_]{1,2}/g, (marker, offset: number, whole: string) =>
      // Keep underscores inside words (file_name), drop emphasis markers at word edges.
      marker.startsWith('_') &&
      /\w/.test(whole[offset - 1] ?? '') &&
      /\w/.test(whole[offset + marker.length] ?? '')
        ? marker
        : '',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

function isQuotedLine(line: string): boolean {
  return /^\s*>/.test(plainSpaces(line));
}

// ---------------------------------------------------------------------------------------------
// (a) Input submissions

export const ParsedInput = z.discriminatedUnion('kind', [
  z.strictObject({
    key: InputKey,
    kind: z.literal('report'),
    period: Period,
    summary: NonEmptyText,
    metrics: z.array(Metric),
    decisionNeeded: z.optional(NonEmptyText),
  }),
  z.strictObject({
    key: InputKey,
    kind: z.literal('nothing_to_report'),
    period: Period,
    /** Why there is nothing to report. */
    nothingToReport: NonEmptyText,
    metrics: z.array(Metric).max(0),
    decisionNeeded: z.optional(NonEmptyText),
  }),
]);
export type ParsedInput = z.infer<typeof ParsedInput>;

export interface ExpectedInput {
  readonly key: string;
  /** The period asked for: shown in error messages as the example to copy. */
  readonly period?: Period;
}

export interface InputReplyProblem {
  /** The input the problem is about, when it is about one. */
  readonly key: string | undefined;
  /** A sentence the sender can act on, e.g. "input d1: 'period' is missing; write it as ...". */
  readonly message: string;
}

export interface InputReply {
  /** Every block that was complete and valid, in the order written. */
  readonly inputs: readonly ParsedInput[];
  /** Every problem found; an input with a problem is not in `inputs`. */
  readonly problems: readonly InputReplyProblem[];
  /** Expected keys the reply did not answer (neither valid nor with problems). */
  readonly missing: readonly string[];
}

export interface TemplateInput {
  readonly key: string;
  readonly title: string;
  readonly period: Period;
}

type FieldName = 'period' | 'summary' | 'metric' | 'decision needed' | 'nothing to report';

const FIELD_ALIASES: ReadonlyArray<readonly [RegExp, FieldName]> = [
  [/^period$/, 'period'],
  [/^summary$/, 'summary'],
  [/^metrics?$/, 'metric'],
  [/^decisions? (needed|required)$/, 'decision needed'],
  [/^nothing to report$/, 'nothing to report'],
];
const FIELD_WORDS = ['period', 'summary', 'metric', 'decision needed', 'nothing to report'];

/*
 * The line patterns below run on lines trimmed of leading (and for markers, trailing) space, and
 * bound every run of space they allow, so that no line, however long, makes them backtrack.
 */

/** `*summary:* text`, `**Period**: ...`, `summary : text`, `Decision-needed: ...`. */
const FIELD_LINE =
  /^[*_]{0,2}[ \t]{0,8}([A-Za-z][A-Za-z _-]{1,30}?)[ \t]{0,8}[*_]{0,2}[ \t]{0,8}:[*_]{0,2}[ \t]*(.*)$/;
/** `[input d1] Title`, `**[Input "D1"]**`, `[ input: d1 ]`. */
const BLOCK_START =
  /^[*_]{0,2}[ \t]{0,8}\[[ \t]{0,8}input[ \t]{0,8}[:#]?[ \t]{0,8}"?([A-Za-z0-9][A-Za-z0-9._-]*)"?[ \t]{0,8}\][ \t]{0,8}[*_]{0,2}(.*)$/i;
/** `[end]`, `[END]`, `[end d1]`, `*[end]*`. */
const BLOCK_END =
  /^[*_]{0,2}[ \t]{0,8}\[[ \t]{0,8}end(?:[ \t]{1,8}(?:input[ \t]{0,8})?[:#]?[ \t]{0,8}"?([A-Za-z0-9][A-Za-z0-9._-]*)"?)?[ \t]{0,8}\][ \t]{0,8}[*_]{0,2}$/i;

/** The line with odd spaces made plain, smart double quotes made straight, outer space removed. */
function markerLine(line: string): string {
  return plainSpaces(line)
    .replace(/[\u201c\u201d]/g, '"')
    .trim();
}

function fieldOf(label: string): FieldName | undefined {
  const words = label.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return FIELD_ALIASES.find(([pattern]) => pattern.test(words))?.[1];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** A label that is almost a field name (a typo), e.g. `sumary`, `perod`. */
function nearField(label: string): string | undefined {
  const words = label.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (words.length < 4) return undefined;
  return FIELD_WORDS.find((field) => editDistance(words, field) <= 2);
}

function periodExample(expected: ExpectedInput | undefined): string {
  return expected?.period ? `${expected.period.from} to ${expected.period.to}` : 'yyyy-mm-dd to yyyy-mm-dd';
}

const PERIOD_VALUE =
  /^(\d{4}-\d{2}-\d{2}) ?(?:to|until|till|through|thru|bis|au|-|–|—|\.\.\.?) ?(\d{4}-\d{2}-\d{2})\.?$/i;

function parsePeriod(value: string): Period | string {
  const match = PERIOD_VALUE.exec(structural(value));
  if (!match) return 'not understood';
  const period = Period.safeParse({ from: match[1], to: match[2] });
  if (period.success) return period.data;
  const from = CalendarDate.safeParse(match[1]);
  const to = CalendarDate.safeParse(match[2]);
  if (!from.success) return `${match[1]} is not a date in the calendar`;
  if (!to.success) return `${match[2]} is not a date in the calendar`;
  return `it starts (${match[1]}) after it ends (${match[2]})`;
}

/** A metric line as the reply format reads it, for examples in help and problems. */
export const METRIC_EXAMPLE = 'metric: Open nonconformities = 4';

/** `<name> = <number> [unit]`; the unit defaults to `count`. */
export function parseMetric(value: string): Metric | string {
  const text = structural(value);
  const equals = text.indexOf('=');
  if (equals < 0) return `write it as <name> = <number>, e.g. ${METRIC_EXAMPLE}`;
  const name = text.slice(0, equals).trim();
  const rest = text.slice(equals + 1).trim();
  if (name === '') return `give the metric a name before "=", e.g. ${METRIC_EXAMPLE}`;
  const number = /^([-+\u2212]?)(\d+)(?:([.,])(\d+))?(?:\s*(.*))?$/.exec(rest);
  if (!number) return `"${rest}" is not a number; write the number after "=", e.g. ${METRIC_EXAMPLE}`;
  const [, sign, whole, separator, fraction, unitText] = number;
  if (separator === ',' && fraction?.length === 3) {
    return `"${rest}" is ambiguous; write numbers without thousands separators and decimals with a point, e.g. 1234 or 97.5`;
  }
  const unit = (unitText ?? '').trim();
  if (unit !== '' && (unit.length > 24 || /^[\d.,]/.test(unit))) {
    return `write only a number and a short unit after "=", e.g. ${METRIC_EXAMPLE} or metric: Patch compliance = 97.5 %`;
  }
  const numeric = Number(
    `${sign === '-' || sign === '\u2212' ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
  );
  const metric = Metric.safeParse({ name, value: numeric, unit: unit === '' ? 'count' : unit });
  return metric.success ? metric.data : metric.error.issues.map((issue) => issue.message).join('; ');
}

interface RawField {
  readonly field: FieldName;
  readonly lines: string[];
}

interface RawBlock {
  readonly key: string;
  readonly fields: RawField[];
  readonly problems: string[];
}

function joinFree(lines: readonly string[]): string {
  return lines
    .map((line) => plainSpaces(line).trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function blockToInput(block: RawBlock, expected: ExpectedInput | undefined): ParsedInput | string[] {
  const problems = [...block.problems];
  const key = block.key;
  const byField = (name: FieldName): RawField[] => block.fields.filter((field) => field.field === name);
  for (const name of ['period', 'summary', 'decision needed', 'nothing to report'] as const) {
    if (byField(name).length > 1)
      problems.push(`'${name}' is given ${byField(name).length} times; give it once`);
  }

  let period: Period | undefined;
  const periodField = byField('period')[0];
  const periodText = periodField ? periodField.lines.join(' ').trim() : '';
  if (periodText === '') {
    problems.push(`'period' is missing; write it as period: ${periodExample(expected)}`);
  } else {
    const parsed = parsePeriod(periodText);
    if (typeof parsed === 'string') {
      problems.push(
        `'period: ${structural(periodText)}': ${parsed}; write it as period: ${periodExample(expected)}`,
      );
    } else {
      period = parsed;
    }
  }

  const metrics: Metric[] = [];
  for (const field of byField('metric')) {
    const text = field.lines.join(' ').trim();
    if (text === '') continue; // an empty template line
    const parsed = parseMetric(text);
    if (typeof parsed === 'string') {
      problems.push(`'metric: ${structural(text)}' is not understood: ${parsed}`);
    } else if (metrics.some((metric) => metric.name.toLowerCase() === parsed.name.toLowerCase())) {
      problems.push(`metric '${parsed.name}' is listed twice; give each metric once`);
    } else {
      metrics.push(parsed);
    }
  }

  const summary = joinFree(byField('summary').flatMap((field) => field.lines));
  const nothing = joinFree(byField('nothing to report').flatMap((field) => field.lines));
  const decision = joinFree(byField('decision needed').flatMap((field) => field.lines));
  const saysNothing = byField('nothing to report').length > 0 && nothing !== '';

  if (saysNothing && (summary !== '' || metrics.length > 0)) {
    problems.push(
      "write either 'nothing to report: <reason>' or a summary (with any metrics), not both; remove the one that does not apply",
    );
  } else if (!saysNothing && summary === '') {
    problems.push(
      byField('nothing to report').length > 0
        ? "'nothing to report' needs a reason, e.g. nothing to report: no audits were held this quarter"
        : "'summary' is missing; write summary: followed by what happened in the period, or nothing to report: <reason>",
    );
  }
  if (problems.length > 0 || !period) return problems;

  const candidate = saysNothing
    ? {
        key,
        kind: 'nothing_to_report' as const,
        period,
        nothingToReport: nothing,
        metrics: [],
        ...(decision === '' ? {} : { decisionNeeded: decision }),
      }
    : {
        key,
        kind: 'report' as const,
        period,
        summary,
        metrics,
        ...(decision === '' ? {} : { decisionNeeded: decision }),
      };
  const checked = ParsedInput.safeParse(candidate);
  return checked.success ? checked.data : checked.error.issues.map((issue) => issue.message);
}

const QUOTED_IN_BLOCK =
  'lines starting with ">" are quoted text; write your answer without ">" at the start of lines';

/**
 * Reads every `[input <key>] ... [end]` block of a reply. `expected` lists the inputs the request
 * asked for (keys, optionally with their period for the examples in messages). Returns the valid
 * inputs, every problem found (each a sentence saying what to fix), and the expected keys not
 * answered. The text should already be stripped of quoted history (strip-quotes.ts).
 */
export function parseInputReply(text: string, expected: readonly (string | ExpectedInput)[]): InputReply {
  const expectations = expected.map((entry) => (typeof entry === 'string' ? { key: entry } : entry));
  const expectedKeys = expectations.map((entry) => entry.key.toLowerCase());
  const asked = expectedKeys.join(', ');
  const problems: InputReplyProblem[] = [];
  const blocks: RawBlock[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');

  let open: RawBlock | undefined;
  let last: RawField | undefined;
  const closeWithoutEnd = (block: RawBlock): void => {
    block.problems.push('the block has no [end] line; end each block with a line [end] after its last field');
  };

  for (const line of lines) {
    if (isQuotedLine(line)) {
      if (open && !open.problems.includes(QUOTED_IN_BLOCK)) open.problems.push(QUOTED_IN_BLOCK);
      continue;
    }
    const plain = structural(line);
    const start = BLOCK_START.exec(markerLine(line));
    if (start) {
      if (open) {
        closeWithoutEnd(open);
        blocks.push(open);
      }
      open = { key: (start[1] as string).toLowerCase(), fields: [], problems: [] };
      last = undefined;
      continue;
    }
    const end = BLOCK_END.exec(markerLine(line));
    if (end) {
      if (!open) {
        problems.push({
          key: undefined,
          message: 'an [end] line has no [input <key>] line before it; keep both lines of each block',
        });
        continue;
      }
      const endKey = end[1]?.toLowerCase();
      if (endKey && endKey !== open.key) {
        open.problems.push(`the block ends with [end ${endKey}]; end it with [end]`);
      }
      blocks.push(open);
      open = undefined;
      last = undefined;
      continue;
    }
    if (!open) continue;
    const fieldLine = FIELD_LINE.exec(plainSpaces(line).trimStart());
    const field = fieldLine ? fieldOf(fieldLine[1] as string) : undefined;
    if (fieldLine && field) {
      last = { field, lines: [fieldLine[2] ?? ''] };
      open.fields.push(last);
      continue;
    }
    const typo = fieldLine ? nearField(fieldLine[1] as string) : undefined;
    if (typo) {
      open.problems.push(
        `'${structural(fieldLine?.[1] ?? '')}:' is not a field name; did you mean '${typo}:'?`,
      );
      continue;
    }
    if (plain === '') {
      if (last) last.lines.push('');
      continue;
    }
    if (!last) {
      open.problems.push(
        `'${plain.slice(0, 60)}' is not a field; start each line with period:, summary:, metric:, decision needed: or nothing to report:`,
      );
      continue;
    }
    last.lines.push(line);
  }
  if (open) {
    closeWithoutEnd(open);
    blocks.push(open);
  }

  const inputs: ParsedInput[] = [];
  const answered = new Set<string>();
  const duplicated = new Set<string>();
  for (const block of blocks) {
    const prefix = `input ${block.key}: `;
    if (!expectedKeys.includes(block.key)) {
      problems.push({
        key: block.key,
        message: `${prefix}this request did not ask for input ${block.key}; it asked for ${asked || 'no inputs'}. Check the key in the [input ...] line`,
      });
      continue;
    }
    if (answered.has(block.key)) {
      if (!duplicated.has(block.key)) {
        problems.push({ key: block.key, message: `${prefix}the block appears more than once; send it once` });
      }
      duplicated.add(block.key);
      continue;
    }
    answered.add(block.key);
    const result = blockToInput(
      block,
      expectations.find((entry) => entry.key.toLowerCase() === block.key),
    );
    if (Array.isArray(result)) {
      for (const message of result) problems.push({ key: block.key, message: prefix + message });
    } else {
      inputs.push(result);
    }
  }
  // A second block for the same key makes the first one doubtful too: neither is taken.
  const kept = inputs.filter((input) => !duplicated.has(input.key));

  if (blocks.length === 0) {
    problems.push({
      key: undefined,
      message: `no [input <key>] block was found; copy the block for each input (${asked || 'none asked'}) from the request into your reply, fill it in, and keep its [input ...] and [end] lines`,
    });
  }
  return {
    inputs: kept,
    problems,
    missing: expectedKeys.filter((key) => !answered.has(key)),
  };
}

function oneLine(text: string): string {
  return plainSpaces(text).replace(/\s+/g, ' ').trim();
}

function checkTemplateInputs(inputs: readonly TemplateInput[]): void {
  if (inputs.length === 0) throw new InvalidTemplateInput('a template needs at least one input');
  const seen = new Set<string>();
  for (const input of inputs) {
    if (!InputKey.safeParse(input.key).success) {
      throw new InvalidTemplateInput(`"${input.key}" is not an input key such as a, d1 or g`);
    }
    if (seen.has(input.key)) throw new InvalidTemplateInput(`input ${input.key} is listed twice`);
    seen.add(input.key);
    if (oneLine(input.title) === '') throw new InvalidTemplateInput(`input ${input.key} has no title`);
    if (!Period.safeParse(input.period).success) {
      throw new InvalidTemplateInput(
        `input ${input.key} has no valid period (yyyy-mm-dd to yyyy-mm-dd, from ≤ to)`,
      );
    }
  }
}

/** The lines that explain the input format, shown above the blocks. */
export const INPUT_TEMPLATE_HELP: readonly string[] = [
  'How to answer: reply to this email with the block below filled in, one block per input.',
  'Keep the [input ...] and [end] lines, and write after each field name:',
  '  period: the dates your answer covers, as yyyy-mm-dd to yyyy-mm-dd',
  '  summary: what happened in the period; it may go on over several lines',
  `  metric: one line per figure, as <name> = <number> <unit>, e.g. ${METRIC_EXAMPLE}`,
  '  decision needed: what management must decide, if anything (or leave it empty)',
  'If there is nothing to report, write "nothing to report: <reason>" instead of summary and metrics.',
];

/** One empty block per input, to copy into a reply (an email that explains the format itself). */
export function renderInputBlocks(inputs: readonly TemplateInput[]): string {
  checkTemplateInputs(inputs);
  return inputs
    .map((input) =>
      [
        `[input ${input.key}] ${oneLine(input.title)}`,
        `period: ${input.period.from} to ${input.period.to}`,
        'summary:',
        'metric:',
        'decision needed:',
        '[end]',
      ].join('\n'),
    )
    .join('\n\n');
}

/** The help lines and one empty block per input, for the text of a request or reminder. */
export function renderInputTemplate(inputs: readonly TemplateInput[]): string {
  return [...INPUT_TEMPLATE_HELP, '', renderInputBlocks(inputs)].join('\n');
}

/** A filled block for an input as recorded: the echo in a confirmation, or a file for the CLI. */
export function renderInputAnswer(input: ParsedInput, title?: string): string {
  const checked = ParsedInput.safeParse(input);
  if (!checked.success) {
    throw new InvalidTemplateInput(`the input cannot be rendered: ${checked.error.issues[0]?.message ?? ''}`);
  }
  const lines = [`[input ${input.key}]${title && oneLine(title) !== '' ? ` ${oneLine(title)}` : ''}`];
  lines.push(`period: ${input.period.from} to ${input.period.to}`);
  if (input.kind === 'nothing_to_report') {
    lines.push(`nothing to report: ${input.nothingToReport}`);
  } else {
    lines.push(`summary: ${input.summary}`);
    for (const metric of input.metrics) {
      lines.push(
        `metric: ${metric.name} = ${metric.value}${metric.unit === 'count' ? '' : ` ${metric.unit}`}`,
      );
    }
  }
  if (input.decisionNeeded) lines.push(`decision needed: ${input.decisionNeeded}`);
  lines.push('[end]');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// (b) Action commands

export const ACTION_COMMAND_KINDS = [
  'done',
  'progress',
  'extend',
  'approve',
  'refuse',
  'pass',
  'fail',
  'reschedule',
  'reassign',
  'accept-risk',
] as const;
export type ActionCommandKind = (typeof ACTION_COMMAND_KINDS)[number];
/** What an action owner may send. */
export const OWNER_COMMANDS: readonly ActionCommandKind[] = ['done', 'progress', 'extend'];
/** What the chair may send. */
export const CHAIR_COMMANDS: readonly ActionCommandKind[] = ['approve', 'refuse'];
/** What the person checking a corrective action's effectiveness may send. */
export const CHECK_COMMANDS: readonly ActionCommandKind[] = ['pass', 'fail'];
/** What top management may decide on an escalated action. */
export const MANAGEMENT_COMMANDS: readonly ActionCommandKind[] = ['reschedule', 'reassign', 'accept-risk'];

export const ActionCommand = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('done'), evidence: NonEmptyText }),
  z.strictObject({ kind: z.literal('progress'), note: NonEmptyText }),
  z.strictObject({ kind: z.literal('extend'), until: CalendarDate, reason: NonEmptyText }),
  z.strictObject({ kind: z.literal('approve'), comment: z.optional(NonEmptyText) }),
  z.strictObject({ kind: z.literal('refuse'), reason: NonEmptyText }),
  z.strictObject({ kind: z.literal('pass'), rationale: NonEmptyText }),
  z.strictObject({ kind: z.literal('fail'), finding: NonEmptyText }),
  z.strictObject({ kind: z.literal('reschedule'), until: CalendarDate, reason: NonEmptyText }),
  z.strictObject({
    kind: z.literal('reassign'),
    to: NonEmptyText,
    until: z.optional(CalendarDate),
    reason: NonEmptyText,
  }),
  z.strictObject({ kind: z.literal('accept-risk'), reason: NonEmptyText }),
]);
export type ActionCommand = z.infer<typeof ActionCommand>;

export type ActionCommandResult =
  { readonly ok: true; readonly command: ActionCommand } | { readonly ok: false; readonly error: string };

const COMMAND_HELP: Record<ActionCommandKind, string> = {
  done: 'DONE <what shows it is done: a document, a link, a ticket>',
  progress: 'PROGRESS <where it stands>',
  extend: 'EXTEND <new due date yyyy-mm-dd> <reason>',
  approve: 'APPROVE',
  refuse: 'REFUSE <reason>',
  pass: 'PASS <what you looked at and what it showed>',
  fail: 'FAIL <what you found>',
  reschedule: 'RESCHEDULE <new due date yyyy-mm-dd> <reason>',
  reassign: "REASSIGN <new owner's id or email> <new due date yyyy-mm-dd> <reason>",
  'accept-risk': 'ACCEPT RISK <why the risk is accepted>',
};

const COMMAND_WORDS: Record<string, ActionCommandKind> = {
  done: 'done',
  progress: 'progress',
  extend: 'extend',
  approve: 'approve',
  approved: 'approve',
  refuse: 'refuse',
  refused: 'refuse',
  pass: 'pass',
  passed: 'pass',
  fail: 'fail',
  failed: 'fail',
  reschedule: 'reschedule',
  reassign: 'reassign',
  accept: 'accept-risk',
};

/** The lines that explain the commands, for the body of a reminder or an approval request. */
export function renderActionCommandHelp(kinds: readonly ActionCommandKind[] = OWNER_COMMANDS): string {
  return [
    'Reply with one of these on the first line of your reply:',
    ...renderActionCommandLines(kinds)
      .split('\n')
      .map((line) => `  ${line}`),
  ].join('\n');
}

/** The commands alone, one per line, e.g. for a block to copy into a reply. */
export function renderActionCommandLines(kinds: readonly ActionCommandKind[]): string {
  if (kinds.length === 0) throw new InvalidTemplateInput('name at least one command');
  return kinds.map((kind) => COMMAND_HELP[kind]).join('\n');
}

const COMMAND_LINE = /^[*_]{0,2}[ \t]{0,8}([A-Za-z]+)[*_]{0,2}(?=$|[\s:.,;!-])[\s:.,;!\-*_]*(.*)$/;
const GREETING =
  /^(hi|hello|hey|dear|hallo|guten (morgen|tag)|bonjour|good (morning|afternoon|evening))\b.{0,60}$/i;

function helpFor(kinds: readonly ActionCommandKind[]): string {
  return kinds.map((kind) => COMMAND_HELP[kind]).join(', or ');
}

/** `<yyyy-mm-dd> <reason>` after a command word (EXTEND, RESCHEDULE, REASSIGN's optional date). */
function dateThenReason(
  kind: ActionCommandKind,
  argument: string,
  example: string,
): { ok: true; date: string; reason: string } | { ok: false; error: string } {
  const word = COMMAND_HELP[kind].split(' ')[0];
  const dated = /^(?:(?:to|until|till|on)\s+)?(\S+)[\s:.,;\-–—]*([\s\S]*)$/i.exec(structural(argument));
  const date = dated?.[1]?.replace(/[.,;:]$/, '') ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    return {
      ok: false,
      error: `${word} needs the new due date as yyyy-mm-dd, then the reason: write ${COMMAND_HELP[kind]}, e.g. ${example}`,
    };
  }
  if (!CalendarDate.safeParse(date).success) {
    return {
      ok: false,
      error: `${word}: ${date} is not a date in the calendar; write the new due date as yyyy-mm-dd`,
    };
  }
  const reason = argument
    .slice(argument.indexOf(date) + date.length)
    .replace(/^[\s:.,;\-–—*_]+/, '')
    .trim();
  if (reason === '') {
    return { ok: false, error: `${word} needs a reason after the date: write ${COMMAND_HELP[kind]}` };
  }
  return { ok: true, date, reason };
}

/**
 * Reads the command on the first line of a reply (a greeting line before it is skipped).
 * `allowed` limits what this message accepts (an owner's reminder or the chair's approval).
 */
export function parseActionCommand(
  text: string,
  options: { allowed?: readonly ActionCommandKind[] } = {},
): ActionCommandResult {
  const allowed = options.allowed ?? OWNER_COMMANDS;
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => plainSpaces(line).trim());
  let i = 0;
  const skipBlank = (): void => {
    while (i < lines.length && (lines[i] as string).trim() === '') i += 1;
  };
  skipBlank();
  const firstLine = lines[i] ?? '';
  const firstWord = COMMAND_LINE.exec(firstLine)?.[1]?.toLowerCase();
  if (firstWord === undefined || COMMAND_WORDS[firstWord] === undefined) {
    const plain = structural(firstLine);
    if (GREETING.test(plain) || (/[,!]$/.test(plain) && plain.length <= 40)) {
      i += 1;
      skipBlank();
    }
  }
  const commandLine = lines[i] ?? '';
  const match = COMMAND_LINE.exec(commandLine);
  const kind = match ? COMMAND_WORDS[(match[1] as string).toLowerCase()] : undefined;
  if (!match || !kind) {
    return {
      ok: false,
      error: `no command was found at the start of the reply; write one of ${helpFor(allowed)} on the first line`,
    };
  }
  if (!allowed.includes(kind)) {
    return {
      ok: false,
      error: `${kind.toUpperCase()} is not a command for this message; write one of ${helpFor(allowed)}`,
    };
  }
  const argumentLines = [match[2] ?? ''];
  for (let k = i + 1; k < lines.length && (lines[k] as string).trim() !== ''; k += 1) {
    argumentLines.push(lines[k] as string);
  }
  const argument = argumentLines
    .map((line) => line.trim())
    .filter((line, index) => index > 0 || line !== '')
    .join('\n')
    .trim();

  let candidate: unknown;
  switch (kind) {
    case 'done':
      if (argument === '') {
        return {
          ok: false,
          error: `DONE needs evidence: write ${COMMAND_HELP.done}, e.g. DONE policy v2 published on the intranet`,
        };
      }
      candidate = { kind, evidence: argument };
      break;
    case 'progress':
      if (argument === '') {
        return { ok: false, error: `PROGRESS needs a note: write ${COMMAND_HELP.progress}` };
      }
      candidate = { kind, note: argument };
      break;
    case 'extend':
    case 'reschedule': {
      const word = kind === 'extend' ? 'EXTEND' : 'RESCHEDULE';
      const dated = dateThenReason(kind, argument, `${word} 2026-12-15 the supplier delivers in December`);
      if (!dated.ok) return dated;
      candidate = { kind, until: dated.date, reason: dated.reason };
      break;
    }
    case 'reassign': {
      const [, to = '', rest = ''] = /^(\S+)[\s:.,;\-–—]*([\s\S]*)$/.exec(structural(argument)) ?? [];
      if (to === '' || /^\d{4}-\d{2}-\d{2}/.test(to)) {
        return {
          ok: false,
          error: `REASSIGN needs the new owner first: write ${COMMAND_HELP.reassign}, e.g. REASSIGN bob@example.com 2027-02-15 Bob runs the supplier now`,
        };
      }
      const owner = to.replace(/[.,;:]$/, '');
      if (/^\d{4}-\d{2}-\d{2}\b/.test(rest)) {
        const dated = dateThenReason(kind, rest, `REASSIGN ${owner} 2027-02-15 Bob runs the supplier now`);
        if (!dated.ok) return dated;
        candidate = { kind, to: owner, until: dated.date, reason: dated.reason };
      } else {
        const reasonText = rest.replace(/^[\s:.,;\-–—*_]+/, '').trim();
        if (reasonText === '') {
          return {
            ok: false,
            error: `REASSIGN needs a reason after the owner: write ${COMMAND_HELP.reassign}`,
          };
        }
        candidate = { kind, to: owner, reason: reasonText };
      }
      break;
    }
    case 'accept-risk': {
      const risk = /^risk\b[\s:.,;\-–—*_]*([\s\S]*)$/i.exec(argument);
      if (!risk) {
        return {
          ok: false,
          error: `ACCEPT must be followed by RISK and the reason: write ${COMMAND_HELP['accept-risk']}`,
        };
      }
      const reasonText = (risk[1] ?? '').trim();
      if (reasonText === '') {
        return {
          ok: false,
          error: `ACCEPT RISK needs the reason the risk is accepted, which auditors will read: write ${COMMAND_HELP['accept-risk']}`,
        };
      }
      candidate = { kind, reason: reasonText };
      break;
    }
    case 'approve':
      candidate = argument === '' ? { kind } : { kind, comment: argument };
      break;
    case 'refuse':
      if (argument === '') return { ok: false, error: `REFUSE needs a reason: write ${COMMAND_HELP.refuse}` };
      candidate = { kind, reason: argument };
      break;
    case 'pass':
      if (argument === '')
        return { ok: false, error: `PASS needs the rationale: write ${COMMAND_HELP.pass}` };
      candidate = { kind, rationale: argument };
      break;
    case 'fail':
      if (argument === '')
        return { ok: false, error: `FAIL needs what you found: write ${COMMAND_HELP.fail}` };
      candidate = { kind, finding: argument };
      break;
  }
  const checked = ActionCommand.safeParse(candidate);
  return checked.success
    ? { ok: true, command: checked.data }
    : { ok: false, error: checked.error.issues.map((issue) => issue.message).join('; ') };
}
