/**
 * The configuration reference (docs/configuration.md), rendered from the programme schema's
 * descriptions and from the input catalogues, so the documentation cannot drift from the code.
 * Regenerate with `npm run docs`; a unit test fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import * as z from 'zod';
import { catalogueFor, clauseLabel } from '#shared/catalogue/catalogue.ts';
import { standardIds, standards } from '#shared/catalogue/standards.ts';
import { SCHEDULE_HORIZON_YEARS } from './rules.ts';
import { ProgrammeSchema } from './schema.ts';

export const CONFIGURATION_REFERENCE_PATH = 'docs/configuration.md';

interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  format?: string;
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `always ${code(schema.const)}`;
  if (schema.enum) return `one of ${schema.enum.map(code).join(', ')}`;
  switch (schema.type) {
    case 'string':
      return schema.format === 'email' ? 'email address' : 'text';
    case 'integer': {
      const range =
        schema.minimum !== undefined && schema.maximum !== undefined
          ? ` ${schema.minimum} to ${schema.maximum}`
          : '';
      return `whole number${range}`;
    }
    case 'number':
      return 'number';
    case 'boolean':
      return '`true` or `false`';
    case 'array': {
      const least = schema.minItems ? ` of at least ${schema.minItems}` : '';
      const each = schema.items && schema.items.type !== 'object' ? `, each ${typeOf(schema.items)}` : '';
      return `list${least}${each}`;
    }
    case 'object':
      return typeof schema.additionalProperties === 'object' ? 'mapping of key to value' : 'section';
    default:
      return 'value';
  }
}

function needOf(field: JsonSchema, required: boolean): string {
  if (field.default !== undefined) return `optional, default ${code(field.default)}`;
  return required ? 'required' : 'optional';
}

function fieldLines(schema: JsonSchema, prefix: string, depth: number): string[] {
  const lines: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const need = needOf(field, required.has(name));
    const indent = '  '.repeat(depth);
    lines.push(`${indent}- ${code(path)} (${typeOf(field)}; ${need}): ${field.description ?? ''}`.trimEnd());
    if (field.type === 'object' && field.properties) lines.push(...fieldLines(field, path, depth + 1));
    if (field.type === 'array' && field.items?.type === 'object') {
      lines.push(...fieldLines(field.items, `${path}[]`, depth + 1));
    }
  }
  return lines;
}

function fieldsSection(): string[] {
  const root = z.toJSONSchema(ProgrammeSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: string[] = ['## Fields', ''];
  const required = new Set(root.required ?? []);
  for (const [name, field] of Object.entries(root.properties ?? {})) {
    const need = needOf(field, required.has(name));
    out.push(`### ${code(name)}`, '', `${field.description ?? ''} (${typeOf(field)}; ${need})`, '');
    const nested =
      field.type === 'object'
        ? fieldLines(field, name, 0)
        : field.type === 'array' && field.items?.type === 'object'
          ? fieldLines(field.items, `${name}[]`, 0)
          : [];
    if (nested.length > 0) out.push(...nested, '');
  }
  return out;
}

const RULES: readonly string[] = [
  'Unknown fields are errors (a misspelt field is never silently ignored); the message names the valid fields.',
  'Time zones (organisation and people) must be IANA names such as `Europe/London`.',
  'Every person has a valid, unique email address and a unique id.',
  'Every reference to a person (`roles`, `inputs.owners`, `inputs.delegates`, `people[].executive`) names a person in `people`; the error suggests the closest id.',
  'The chair is required and is listed only as the chair, not again under `members`; members are listed once.',
  'Every input of the chosen standards that is not filled automatically has an owner; owners are given only for inputs of the chosen standards.',
  'A delegate is someone other than the person they answer for.',
  'Executives never go round in a circle (a person is not their own executive, nor is anyone above them): overdue actions are escalated up this line.',
  `Each \`cron\` parses and fires within the next ${SCHEDULE_HORIZON_YEARS} years; each review type appears once; two reviews never open on the same day.`,
  'Lead times fit: `packageSentDaysBeforeMeeting` < `inputsDueDaysBeforeMeeting` < `meetingAfterDays` of every review, and `inputReminderEveryDays` is shorter than the time owners have to answer.',
  'The escalation ladder goes up in order: `overdueNoticeAfterDays` <= `ismsManagerAfterDays` < `topManagementAfterDays`.',
  'Evidence is kept for at least one year (365 days).',
];

function rulesSection(): string[] {
  return [
    '## Rules checked across fields',
    '',
    'Besides each field’s own type and range, validation checks:',
    '',
    ...RULES.map((rule) => `- ${rule}`),
    '',
    'Every problem is reported at once, with its place in the file and what would be valid, for example:',
    '',
    '```text',
    'programme.yaml:63:12 people[6].email: "hannah@" is not an email address; expected name@domain',
    '```',
    '',
  ];
}

function inputsSection(): string[] {
  const out: string[] = [
    '## Review inputs by standard',
    '',
    'The keys below are what `inputs.owners` uses. They are stable: a key never changes when standards are added or removed. Inputs that ISO/IEC 27001 lists keep its item letters; inputs only other standards ask for have descriptive keys. "Automatic" inputs are filled by the system and take no owner; "trend" inputs are shown against earlier cycles.',
    '',
  ];
  for (const id of standardIds) {
    const standard = standards[id];
    out.push(`### ${standard.title} (${code(id)})`, '');
    for (const input of catalogueFor([id])) {
      const notes = [`clause ${input.clauses[0]?.clause ?? ''}`];
      if (input.automatic) notes.push('automatic');
      if (input.trend) notes.push('trend');
      out.push(`- ${code(input.key)}: ${input.title}; ${notes.join('; ')}`);
    }
    out.push('');
  }
  out.push(
    '### Integrated reviews',
    '',
    'When `managementSystems` lists several standards, an input that means the same in each is requested once and keeps every clause it answers:',
    '',
  );
  for (const input of catalogueFor([...standardIds])) {
    if (input.clauses.length < 2) continue;
    out.push(`- ${code(input.key)}: ${input.title}: ${input.clauses.map(clauseLabel).join('; ')}`);
  }
  out.push('');
  return out;
}

function scheduleSection(): string[] {
  return [
    '## Schedules and time zones',
    '',
    '`schedule.reviews[].cron` is an EventBridge Scheduler cron expression, `cron(minutes hours day-of-month month day-of-week year)`, evaluated in `organisation.timeZone`:',
    '',
    '- minutes `0-59` and hours `0-23`, with `,` lists, `-` ranges, `*` and `/` steps (`0/15`);',
    '- day-of-month `1-31`, also `L` (last day), `LW` (last weekday), `15W` (weekday nearest the 15th, within the month);',
    '- month `1-12` or `JAN-DEC`; year `1970-2199`;',
    '- day-of-week `1-7` or `SUN-SAT` (1 is Sunday), also `L` (Saturday), `6L` (last Friday of the month), `2#1` (first Monday);',
    '- exactly one of day-of-month and day-of-week is `?`; `L`, `W` and `#` stand alone in their field; ranges do not wrap around.',
    '',
    'Daylight saving time: the expression is matched against the local wall clock, so a 09:00 schedule stays at 09:00 local time all year. A time that does not exist because clocks go forward (for example 01:30 on the last Sunday of March in London) has no cycle that day; a time that happens twice because clocks go back runs once, at its first occurrence. This is what EventBridge Scheduler does.',
    '',
    'Cycle dates are counted in local calendar days from the opening: the meeting is `meetingAfterDays` days later at the same local time, inputs are due `leadTimes.inputsDueDaysBeforeMeeting` days before the meeting and the package goes out `leadTimes.packageSentDaysBeforeMeeting` days before it. All times are stored in UTC.',
    '',
  ];
}

/** docs/configuration.md, as Markdown. */
export function renderConfigurationReference(): string {
  return [
    '# Programme configuration reference',
    '',
    '<!-- Generated from shared/programme/schema.ts and shared/catalogue/ by `npm run docs`; do not edit by hand. -->',
    '',
    'The review programme is one YAML file that says who takes part in the management review, which standards it covers, when cycles open and how deadlines and escalations work. `programme.example.yaml` is a complete example. Check a file with `isms-review programme validate <file>`; validation only reads.',
    '',
    ...fieldsSection(),
    ...rulesSection(),
    ...inputsSection(),
    ...scheduleSection(),
  ]
    .join('\n')
    .replace(/\n+$/, '\n');
}

/** Writes the reference to docs/configuration.md (or `path`). */
export function writeConfigurationReference(path: string = CONFIGURATION_REFERENCE_PATH): void {
  writeFileSync(path, renderConfigurationReference());
}
