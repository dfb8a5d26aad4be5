/**
 * Reading the input-submission format: every `[input <key>] ... [end]` block of a reply becomes a
 * checked ParsedInput, or sentences saying what to fix (the format is described in reply-format.ts).
 */
import * as z from 'zod';
import { CalendarDate, InputKey, NonEmptyText, Period } from '#shared/model/common.ts';
import { Metric } from '#shared/model/input.ts';
import { isQuotedLine, plainSpaces, structural } from './reply-text.ts';

export const ParsedInput = z.discriminatedUnion('kind', [
  z.strictObject({
    key: InputKey,
    kind: z.literal('report'),
    period: Period,
    summary: NonEmptyText,
    metrics: z.array(Metric),
    decisionNeeded: z.optional(NonEmptyText),
    decisionOptions: z.optional(z.array(NonEmptyText)),
    recommendation: z.optional(NonEmptyText),
    decisionCost: z.optional(NonEmptyText),
    riskIfNotDecided: z.optional(NonEmptyText),
  }),
  z.strictObject({
    key: InputKey,
    kind: z.literal('nothing_to_report'),
    period: Period,
    /** Why there is nothing to report. */
    nothingToReport: NonEmptyText,
    metrics: z.array(Metric).max(0),
    decisionNeeded: z.optional(NonEmptyText),
    decisionOptions: z.optional(z.array(NonEmptyText)),
    recommendation: z.optional(NonEmptyText),
    decisionCost: z.optional(NonEmptyText),
    riskIfNotDecided: z.optional(NonEmptyText),
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

type FieldName =
  | 'period'
  | 'summary'
  | 'metric'
  | 'objective'
  | 'decision needed'
  | 'options'
  | 'recommendation'
  | 'cost'
  | 'risk if not decided'
  | 'nothing to report';

const FIELD_ALIASES: ReadonlyArray<readonly [RegExp, FieldName]> = [
  [/^period$/, 'period'],
  [/^summary$/, 'summary'],
  [/^metrics?$/, 'metric'],
  [/^objectives?$/, 'objective'],
  [/^decisions? (needed|required)$/, 'decision needed'],
  [/^options?$/, 'options'],
  [/^recommend(ation|ed|ed option)?$/, 'recommendation'],
  [/^(costs?|effort|cost or effort|cost and effort)$/, 'cost'],
  [/^risks? (if|of) not (deciding|decided)$/, 'risk if not decided'],
  [/^nothing to report$/, 'nothing to report'],
];
const FIELD_WORDS = [
  'period',
  'summary',
  'metric',
  'objective',
  'decision needed',
  'options',
  'recommendation',
  'risk if not decided',
  'nothing to report',
];

/** The decision details, each allowed only with `decision needed:`. */
const DECISION_DETAILS = ['options', 'recommendation', 'cost', 'risk if not decided'] as const;

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

/** An objective line as the reply format reads it, for examples in help and problems. */
export const OBJECTIVE_EXAMPLE =
  'objective: Phishing click rate | target 5 % | actual 7.5 % | status off track';

/** The statuses an objective may have, as the owner writes them. */
export const OBJECTIVE_STATUSES = [
  'met',
  'achieved',
  'on track',
  'partly met',
  'partially met',
  'at risk',
  'off track',
  'missed',
  'not met',
] as const;

/** `<number> [unit]` with a point for decimals; the unit defaults to `count`. */
function parseFigure(rest: string, example: string): { value: number; unit: string } | string {
  const number = /^([-+\u2212]?)(\d+)(?:([.,])(\d+))?(?:\s*(.*))?$/.exec(rest);
  if (!number) return `"${rest}" is not a number; write the number after "=", e.g. ${example}`;
  const [, sign, whole, separator, fraction, unitText] = number;
  if (separator === ',' && fraction?.length === 3) {
    return `"${rest}" is ambiguous; write numbers without thousands separators and decimals with a point, e.g. 1234 or 97.5`;
  }
  const unit = (unitText ?? '').trim();
  if (unit !== '' && (unit.length > 24 || /^[\d.,]/.test(unit))) {
    return `write only a number and a short unit, e.g. ${example} or metric: Patch compliance = 97.5 %`;
  }
  const value = Number(
    `${sign === '-' || sign === '\u2212' ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
  );
  return { value, unit: unit === '' ? 'count' : unit };
}

/** `<name> = <number> [unit]`; the unit defaults to `count`. */
export function parseMetric(value: string): Metric | string {
  const text = structural(value);
  const equals = text.indexOf('=');
  if (equals < 0) return `write it as <name> = <number>, e.g. ${METRIC_EXAMPLE}`;
  const name = text.slice(0, equals).trim();
  const rest = text.slice(equals + 1).trim();
  if (name === '') return `give the metric a name before "=", e.g. ${METRIC_EXAMPLE}`;
  const figure = parseFigure(rest, METRIC_EXAMPLE);
  if (typeof figure === 'string') return figure;
  const metric = Metric.safeParse({ name, ...figure });
  return metric.success ? metric.data : metric.error.issues.map((issue) => issue.message).join('; ');
}

/** A pre-labelled line of the template left as it was: `Nonconformities opened =` with no number. */
function unfilledMetric(value: string): boolean {
  return /=\s*$/.test(structural(value));
}

const OBJECTIVE_PART = /^(target|actual|result|achieved|status)\b\s*[:=]?\s*(.*)$/i;

/**
 * `<name> | target <number> [unit] | actual <number> [unit] | status <status>`, the parts after
 * the name in any order, each name without regard to case, `:` or `=` allowed after it. Stored as
 * a metric whose value is the actual result and whose target is the target; undefined for the
 * template's empty line (`objective: | target | actual | status`).
 */
export function parseObjective(value: string): { metric: Metric; status?: string } | string | undefined {
  const parts = structural(value)
    .split('|')
    .map((part) => part.trim());
  const name = parts[0] ?? '';
  const found = new Map<string, string>();
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const match = OBJECTIVE_PART.exec(part);
    if (!match) {
      return `"${part}" is not understood; after the objective's name write | target <number> | actual <number> | status <status>, e.g. ${OBJECTIVE_EXAMPLE}`;
    }
    const label = (match[1] as string).toLowerCase();
    const kind = label === 'target' || label === 'status' ? label : 'actual';
    if (found.has(kind)) return `"${kind}" is given twice; give it once, e.g. ${OBJECTIVE_EXAMPLE}`;
    found.set(kind, (match[2] ?? '').trim());
  }
  if (name === '' && [...found.values()].every((text) => text === '')) return undefined;
  if (name === '') return `give the objective a name before the first "|", e.g. ${OBJECTIVE_EXAMPLE}`;
  const target = found.get('target') ?? '';
  const actual = found.get('actual') ?? '';
  if (target === '')
    return `the target of "${name}" is missing; write it as | target <number>, e.g. ${OBJECTIVE_EXAMPLE}`;
  if (actual === '')
    return `the actual result of "${name}" is missing; write it as | actual <number>, e.g. ${OBJECTIVE_EXAMPLE}`;
  const targetFigure = parseFigure(target, OBJECTIVE_EXAMPLE);
  if (typeof targetFigure === 'string') return `the target of "${name}": ${targetFigure}`;
  const actualFigure = parseFigure(actual, OBJECTIVE_EXAMPLE);
  if (typeof actualFigure === 'string') return `the actual result of "${name}": ${actualFigure}`;
  const units = [targetFigure.unit, actualFigure.unit].filter((unit) => unit !== 'count');
  if (units.length === 2 && units[0] !== units[1]) {
    return `the target of "${name}" is in ${units[0]} but its actual result in ${units[1]}; give both in the same unit`;
  }
  const status = (found.get('status') ?? '').toLowerCase().replace(/[.!]+$/, '');
  if (status !== '' && !(OBJECTIVE_STATUSES as readonly string[]).includes(status)) {
    return `"${status}" is not a status; write one of: ${OBJECTIVE_STATUSES.join(', ')}`;
  }
  const metric = Metric.safeParse({
    name,
    value: actualFigure.value,
    unit: units[0] ?? 'count',
    target: targetFigure.value,
  });
  if (!metric.success) return metric.error.issues.map((issue) => issue.message).join('; ');
  return status === '' ? { metric: metric.data } : { metric: metric.data, status };
}

/** The options of `options:` lines: separated by ";" or one per line, bullets removed. */
function splitOptions(lines: readonly string[]): string[] {
  return lines
    .flatMap((line) => plainSpaces(line).split(';'))
    .map((option) =>
      option
        .replace(/^\s*(?:[-*\u2022]|\d{1,2}[.)]|[a-z][.)])\s+/i, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((option) => option !== '');
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
  for (const name of [
    'period',
    'summary',
    'decision needed',
    'recommendation',
    'cost',
    'risk if not decided',
    'nothing to report',
  ] as const) {
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
    if (text === '' || unfilledMetric(text)) continue; // an empty or unfilled template line
    const parsed = parseMetric(text);
    if (typeof parsed === 'string') {
      problems.push(`'metric: ${structural(text)}' is not understood: ${parsed}`);
    } else if (metrics.some((metric) => metric.name.toLowerCase() === parsed.name.toLowerCase())) {
      problems.push(`metric '${parsed.name}' is listed twice; give each metric once`);
    } else {
      metrics.push(parsed);
    }
  }

  for (const field of byField('objective')) {
    const text = field.lines.join(' ').trim();
    const parsed = parseObjective(text);
    if (parsed === undefined) continue; // the template's empty objective line
    if (typeof parsed === 'string') {
      problems.push(`'objective: ${structural(text)}' is not understood: ${parsed}`);
    } else if (metrics.some((metric) => metric.name.toLowerCase() === parsed.metric.name.toLowerCase())) {
      problems.push(`'${parsed.metric.name}' is listed twice; give each objective or metric once`);
    } else {
      metrics.push(parsed.metric);
    }
  }

  const options = splitOptions(byField('options').flatMap((field) => field.lines));
  const recommendation = joinFree(byField('recommendation').flatMap((field) => field.lines));
  const cost = joinFree(byField('cost').flatMap((field) => field.lines));
  const risk = joinFree(byField('risk if not decided').flatMap((field) => field.lines));
  const summary = joinFree(byField('summary').flatMap((field) => field.lines));
  const nothing = joinFree(byField('nothing to report').flatMap((field) => field.lines));
  const decision = joinFree(byField('decision needed').flatMap((field) => field.lines));
  const saysNothing = byField('nothing to report').length > 0 && nothing !== '';

  if (saysNothing && (summary !== '' || metrics.length > 0)) {
    problems.push(
      "write either 'nothing to report: <reason>' or a summary (with any metrics and objectives), not both; remove the one that does not apply",
    );
  } else if (!saysNothing && summary === '') {
    problems.push(
      byField('nothing to report').length > 0
        ? "'nothing to report' needs a reason, e.g. nothing to report: no audits were held this quarter"
        : "'summary' is missing; write summary: followed by what happened in the period, or nothing to report: <reason>",
    );
  }
  const details: Record<(typeof DECISION_DETAILS)[number], boolean> = {
    options: options.length > 0,
    recommendation: recommendation !== '',
    cost: cost !== '',
    'risk if not decided': risk !== '',
  };
  const given = DECISION_DETAILS.filter((name) => details[name]);
  if (decision === '' && given.length > 0) {
    problems.push(
      `${given.map((name) => `'${name}'`).join(', ')} ${given.length > 1 ? 'belong' : 'belongs'} to an item for decision, but 'decision needed' is empty; write decision needed: followed by what management must decide, or remove ${given.length > 1 ? 'them' : 'it'}`,
    );
  }
  if (options.length === 1) {
    problems.push(
      `'options' gives one option, which leaves nothing to choose; give two or more separated by ";" (e.g. options: buy the tool; train staff; accept the risk), or leave options empty`,
    );
  }
  if (problems.length > 0 || !period) return problems;

  const decided = {
    ...(decision === '' ? {} : { decisionNeeded: decision }),
    ...(options.length > 0 ? { decisionOptions: options } : {}),
    ...(recommendation === '' ? {} : { recommendation }),
    ...(cost === '' ? {} : { decisionCost: cost }),
    ...(risk === '' ? {} : { riskIfNotDecided: risk }),
  };
  const candidate = saysNothing
    ? {
        key,
        kind: 'nothing_to_report' as const,
        period,
        nothingToReport: nothing,
        metrics: [],
        ...decided,
      }
    : {
        key,
        kind: 'report' as const,
        period,
        summary,
        metrics,
        ...decided,
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
        `'${plain.slice(0, 60)}' is not a field; start each line with period:, summary:, metric:, objective:, decision needed: or nothing to report:`,
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
