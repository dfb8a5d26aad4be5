/**
 * Rendering the input-submission format: the help lines, empty blocks to copy into a reply, and a
 * filled block for an input as recorded. input-reply.ts reads what these produce.
 */
import { InputKey, Period } from '#shared/model/common.ts';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import { METRIC_EXAMPLE, OBJECTIVE_EXAMPLE, OBJECTIVE_STATUSES, ParsedInput } from './input-reply.ts';
import { InvalidTemplateInput, oneLine } from './reply-text.ts';

export interface TemplateInput {
  readonly key: string;
  readonly title: string;
  readonly period: Period;
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
  '  summary: what happened in the period, in your own words; it may go on over several lines',
  `  metric: one line per figure, as <name> = <number> <unit>, e.g. ${METRIC_EXAMPLE}`,
  '    (the figures already named in the block are the ones this review tracks: write the number after "=")',
  `  objective: one line per objective, e.g. ${OBJECTIVE_EXAMPLE}`,
  `    (status is one of: ${OBJECTIVE_STATUSES.join(', ')})`,
  '  decision needed: what management must decide, if anything (or leave it empty); with it, if you can:',
  '    options: the choices, separated by ";"   recommendation: the one you recommend',
  '    cost: its cost or effort   risk if not decided: what happens if management does not decide',
  'If there is nothing to report, write "nothing to report: <reason>" instead of summary and metrics.',
  'A summary such as "see register" or "reviewed for the period" alone is sent back: say what it shows.',
];

/** The lines of one empty block: the input's figures and objectives pre-labelled. */
function emptyBlock(input: TemplateInput): string[] {
  const { fields, objectives } = inputFields(input.key);
  return [
    `[input ${input.key}] ${oneLine(input.title)}`,
    `period: ${input.period.from} to ${input.period.to}`,
    'summary:',
    ...(fields.length > 0 ? fields.map((field) => `metric: ${field.label} =`) : ['metric:']),
    ...(objectives ? ['objective: | target | actual | status', 'objective: | target | actual | status'] : []),
    'decision needed:',
    'options:',
    'recommendation:',
    'cost:',
    'risk if not decided:',
    '[end]',
  ];
}

/** One empty block per input, to copy into a reply (an email that explains the format itself). */
export function renderInputBlocks(inputs: readonly TemplateInput[]): string {
  checkTemplateInputs(inputs);
  return inputs.map((input) => emptyBlock(input).join('\n')).join('\n\n');
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
    const figure = (value: number, unit: string) => `${value}${unit === 'count' ? '' : ` ${unit}`}`;
    for (const metric of input.metrics) {
      lines.push(
        metric.target === undefined
          ? `metric: ${metric.name} = ${figure(metric.value, metric.unit)}`
          : `objective: ${metric.name} | target ${figure(metric.target, metric.unit)} | actual ${figure(metric.value, metric.unit)}`,
      );
    }
  }
  if (input.decisionNeeded) lines.push(`decision needed: ${input.decisionNeeded}`);
  if (input.decisionOptions) lines.push(`options: ${input.decisionOptions.join('; ')}`);
  if (input.recommendation) lines.push(`recommendation: ${input.recommendation}`);
  if (input.decisionCost) lines.push(`cost: ${input.decisionCost}`);
  if (input.riskIfNotDecided) lines.push(`risk if not decided: ${input.riskIfNotDecided}`);
  lines.push('[end]');
  return lines.join('\n');
}
