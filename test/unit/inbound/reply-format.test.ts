import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  CHAIR_COMMANDS,
  MANAGEMENT_COMMANDS,
  INPUT_TEMPLATE_HELP,
  InvalidTemplateInput,
  OWNER_COMMANDS,
  ParsedInput,
  parseActionCommand,
  parseInputReply,
  parseMetric,
  parseObjective,
  renderActionCommandHelp,
  renderInputAnswer,
  renderInputBlocks,
  renderInputTemplate,
} from '#shared/mail/reply-format.ts';
import type { ActionCommandResult, InputReply } from '#shared/mail/reply-format.ts';

const PERIOD = { from: '2026-07-01', to: '2026-09-30' };
const EXPECTED = [{ key: 'd1', period: PERIOD }];

function messages(reply: InputReply): string[] {
  return reply.problems.map((problem) => problem.message);
}

function block(...lines: string[]): string {
  return ['[input d1]', ...lines, '[end]'].join('\n');
}

function errorOf(result: ActionCommandResult): string {
  expect(result.ok, 'expected the command to be refused').toBe(false);
  return result.ok ? '' : result.error;
}

describe('parseInputReply: what it refuses', () => {
  it('says how to answer when there is no block at all', () => {
    for (const text of [
      '',
      'Thanks, will do!',
      '> [input d1]\n> period: 2026-07-01 to 2026-09-30\n> [end]',
    ]) {
      const reply = parseInputReply(text, EXPECTED);
      expect(reply.inputs).toEqual([]);
      expect(reply.missing).toEqual(['d1']);
      expect(messages(reply)).toEqual([
        'no [input <key>] block was found; copy the block for each input (d1) from the request into your reply, fill it in, and keep its [input ...] and [end] lines',
      ]);
    }
  });

  it('names each missing or malformed field with the line to write', () => {
    expect(messages(parseInputReply(block('summary: ok'), EXPECTED))).toEqual([
      "input d1: 'period' is missing; write it as period: 2026-07-01 to 2026-09-30",
    ]);
    expect(messages(parseInputReply(block('summary: ok'), ['d1']))).toEqual([
      "input d1: 'period' is missing; write it as period: yyyy-mm-dd to yyyy-mm-dd",
    ]);
    expect(messages(parseInputReply(block('period: Q3', 'summary: ok'), EXPECTED))).toEqual([
      "input d1: 'period: Q3': not understood; write it as period: 2026-07-01 to 2026-09-30",
    ]);
    expect(
      messages(parseInputReply(block('period: 2026-02-30 to 2026-03-31', 'summary: ok'), EXPECTED)),
    ).toEqual([
      "input d1: 'period: 2026-02-30 to 2026-03-31': 2026-02-30 is not a date in the calendar; write it as period: 2026-07-01 to 2026-09-30",
    ]);
    expect(messages(parseInputReply(block('period: 2026-07-01 to 2026-09-30'), EXPECTED))).toEqual([
      "input d1: 'summary' is missing; write summary: followed by what happened in the period, or nothing to report: <reason>",
    ]);
    expect(
      messages(parseInputReply(block('period: 2026-07-01 to 2026-09-30', 'nothing to report:'), EXPECTED)),
    ).toEqual([
      "input d1: 'nothing to report' needs a reason, e.g. nothing to report: no audits were held this quarter",
    ]);
    expect(
      messages(
        parseInputReply(
          block('period: 2026-07-01 to 2026-09-30', 'summary: all fine', 'nothing to report: none'),
          EXPECTED,
        ),
      ),
    ).toEqual([
      "input d1: write either 'nothing to report: <reason>' or a summary (with any metrics and objectives), not both; remove the one that does not apply",
    ]);
    expect(
      messages(
        parseInputReply(
          block('period: 2026-07-01 to 2026-09-30', 'period: 2026-07-01 to 2026-09-30', 'summary: ok'),
          EXPECTED,
        ),
      ),
    ).toEqual(["input d1: 'period' is given 2 times; give it once"]);
  });

  it('refuses metrics it cannot read, and a metric given twice', () => {
    const problems = (metric: string) =>
      messages(parseInputReply(block('period: 2026-07-01 to 2026-09-30', 'summary: ok', metric), EXPECTED));
    expect(problems('metric: Open 4')[0]).toContain('write it as <name> = <number>');
    expect(problems('metric: = 4')[0]).toContain('give the metric a name before "="');
    expect(problems('metric: Open = four')[0]).toContain('"four" is not a number');
    expect(problems('metric: Open = 1,234')[0]).toContain('is ambiguous');
    expect(problems('metric: Open = 4 nonconformities that were raised by the July audit')[0]).toContain(
      'write only a number and a short unit',
    );
    expect(problems('metric: Open = 4 5')[0]).toContain('write only a number and a short unit');
    expect(
      messages(
        parseInputReply(
          block('period: 2026-07-01 to 2026-09-30', 'summary: ok', 'metric: Open = 4', 'metric: open = 5'),
          EXPECTED,
        ),
      ),
    ).toEqual(["input d1: metric 'open' is listed twice; give each metric once"]);
  });

  it('refuses blocks that are quoted, unterminated, unexpected, repeated or start with text', () => {
    const valid = block('period: 2026-07-01 to 2026-09-30', 'summary: ok');
    expect(messages(parseInputReply(valid.replace('[end]', '> [end]'), EXPECTED))).toEqual([
      'input d1: lines starting with ">" are quoted text; write your answer without ">" at the start of lines',
      'input d1: the block has no [end] line; end each block with a line [end] after its last field',
    ]);
    expect(messages(parseInputReply(`${valid}\n[end]`, EXPECTED))).toEqual([
      'an [end] line has no [input <key>] line before it; keep both lines of each block',
    ]);
    const unexpected = parseInputReply(valid.replace('d1', 'd9'), EXPECTED);
    expect(messages(unexpected)).toEqual([
      'input d9: this request did not ask for input d9; it asked for d1. Check the key in the [input ...] line',
    ]);
    expect(unexpected.missing).toEqual(['d1']);
    const twice = parseInputReply(`${valid}\n\n${valid}`, EXPECTED);
    expect(twice.inputs).toEqual([]);
    expect(messages(twice)).toEqual(['input d1: the block appears more than once; send it once']);
    expect(
      messages(
        parseInputReply(block('Hello there', 'period: 2026-07-01 to 2026-09-30', 'summary: ok'), EXPECTED),
      ),
    ).toEqual([
      "input d1: 'Hello there' is not a field; start each line with period:, summary:, metric:, objective:, decision needed: or nothing to report:",
    ]);
    expect(messages(parseInputReply(valid.replace('[end]', '[end d2]'), EXPECTED))).toEqual([
      'input d1: the block ends with [end d2]; end it with [end]',
    ]);
  });

  it('points at a misspelt field name', () => {
    const reply = parseInputReply(block('perod: 2026-07-01 to 2026-09-30', 'summary: ok'), EXPECTED);
    expect(messages(reply)).toEqual([
      "input d1: 'perod:' is not a field name; did you mean 'period:'?",
      "input d1: 'period' is missing; write it as period: 2026-07-01 to 2026-09-30",
    ]);
  });

  it('keeps the valid inputs of a reply with problems in another, and lists the keys not answered', () => {
    const reply = parseInputReply(
      [
        '[input d1]',
        'period: 2026-07-01 to 2026-09-30',
        'summary: ok',
        '[end]',
        '[input d2]',
        'summary: no period',
        '[end]',
      ].join('\n'),
      ['d1', 'd2', 'd3'],
    );
    expect(reply.inputs.map((input) => input.key)).toEqual(['d1']);
    expect(reply.problems.map((problem) => problem.key)).toEqual(['d2']);
    expect(reply.missing).toEqual(['d3']);
  });
});

describe('the reply formats on hostile text', () => {
  it('read very long lines of spaces, markers and letters in linear time', () => {
    const long = [
      ' '.repeat(200_000) + 'x',
      '*'.repeat(200_000),
      `summary${' '.repeat(200_000)}x`,
      `[input d1]${' '.repeat(200_000)}x`,
      `[end${' '.repeat(200_000)}x`,
      `DONE${'a'.repeat(200_000)}1`,
      `${'a'.repeat(200_000)}:`,
    ];
    const started = Date.now();
    for (const line of long) {
      parseInputReply(`[input d1]\n${line}\n[end]`, EXPECTED);
      parseInputReply(line, EXPECTED);
      parseActionCommand(line);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});

describe('parseInputReply: what it tolerates', () => {
  it('reads field names in any case, with bold markers, odd spaces, smart quotes and other spellings', () => {
    const text = [
      'Hi, here it is:',
      '',
      '**[Input \u201cD1\u201d]** Nonconformities',
      '*Period:*\u00a02026-07-01 \u2013 2026-09-30',
      '**SUMMARY**:  Four open;',
      '   two closed.',
      'Metrics: Open NCs = 4',
      '_metric_ : Closure rate = 63,5 %',
      'metric: Days = \u22122 days',
      'Decisions-Required:\u00a0more staff',
      '[ END ]',
      '',
      'Priya',
    ].join('\n');
    const reply = parseInputReply(text, EXPECTED);
    expect(reply.problems).toEqual([]);
    expect(reply.inputs).toEqual([
      {
        key: 'd1',
        kind: 'report',
        period: PERIOD,
        summary: 'Four open;\n   two closed.',
        metrics: [
          { name: 'Open NCs', value: 4, unit: 'count' },
          { name: 'Closure rate', value: 63.5, unit: '%' },
          { name: 'Days', value: -2, unit: 'days' },
        ],
        decisionNeeded: 'more staff',
      },
    ]);
  });

  it('accepts several ways of writing a period', () => {
    for (const period of [
      '2026-07-01 to 2026-09-30',
      '2026-07-01 until 2026-09-30',
      '2026-07-01..2026-09-30',
      '2026-07-01 - 2026-09-30',
      '*2026-07-01* to *2026-09-30*.',
    ]) {
      const reply = parseInputReply(block(`period: ${period}`, 'summary: ok'), EXPECTED);
      expect(reply.inputs[0]?.period, period).toEqual(PERIOD);
    }
  });

  it('reads "nothing to report" with a reason over wrapped lines', () => {
    const reply = parseInputReply(
      block('period: 2026-07-01 to 2026-09-30', 'nothing to report: no audits', 'were held.', 'metric:'),
      EXPECTED,
    );
    expect(reply.inputs).toEqual([
      {
        key: 'd1',
        kind: 'nothing_to_report',
        period: PERIOD,
        nothingToReport: 'no audits\nwere held.',
        metrics: [],
      },
    ]);
  });
});

describe('objectives and decision details: what is refused', () => {
  const d4 = [{ key: 'd4', period: PERIOD }];
  const d4Block = (...lines: string[]) =>
    [
      '[input d4]',
      'period: 2026-07-01 to 2026-09-30',
      'summary: Two of three objectives met.',
      ...lines,
      '[end]',
    ].join('\n');

  it('names what an objective line lacks or gets wrong', () => {
    const cases: [string, string][] = [
      ['objective: Phishing click rate | actual 7.5 %', 'the target of "Phishing click rate" is missing'],
      [
        'objective: Phishing click rate | target 5 %',
        'the actual result of "Phishing click rate" is missing',
      ],
      ['objective: | target 5 % | actual 7 %', 'give the objective a name before the first "|"'],
      ['objective: Phishing | target five | actual 7 %', 'the target of "Phishing": "five" is not a number'],
      ['objective: Phishing | target 5 % | actual 1,500 %', '"1,500 %" is ambiguous'],
      [
        'objective: Phishing | target 5 % | actual 7 days',
        'the target of "Phishing" is in % but its actual result in days',
      ],
      [
        'objective: Phishing | target 5 % | actual 7 % | status fine',
        '"fine" is not a status; write one of: met,',
      ],
      ['objective: Phishing | target 5 % | owner Sam', '"owner Sam" is not understood'],
      ['objective: Phishing | target 5 % | target 6 % | actual 7 %', '"target" is given twice'],
    ];
    for (const [line, expected] of cases) {
      const reply = parseInputReply(d4Block(line), d4);
      expect(reply.inputs, line).toEqual([]);
      expect(messages(reply).join('\n'), line).toContain(expected);
    }
  });

  it('refuses decision details without a decision, and a single option', () => {
    const reply = parseInputReply(
      block(
        'period: 2026-07-01 to 2026-09-30',
        'summary: Four nonconformities open.',
        'recommendation: buy the tool',
        'options: buy the tool; train staff',
      ),
      EXPECTED,
    );
    expect(reply.inputs).toEqual([]);
    expect(messages(reply)).toEqual([
      "input d1: 'options', 'recommendation' belong to an item for decision, but 'decision needed' is empty; write decision needed: followed by what management must decide, or remove them",
    ]);
    const one = parseInputReply(
      block(
        'period: 2026-07-01 to 2026-09-30',
        'summary: Four nonconformities open.',
        'decision needed: fund a scanner',
        'options: buy the scanner',
      ),
      EXPECTED,
    );
    expect(messages(one)).toEqual([
      'input d1: \'options\' gives one option, which leaves nothing to choose; give two or more separated by ";" (e.g. options: buy the tool; train staff; accept the risk), or leave options empty',
    ]);
    const twice = parseInputReply(
      block(
        'period: 2026-07-01 to 2026-09-30',
        'summary: Four nonconformities open.',
        'decision needed: fund a scanner',
        'cost: 3 days',
        'effort: 4 days',
      ),
      EXPECTED,
    );
    expect(messages(twice)).toEqual(["input d1: 'cost' is given 2 times; give it once"]);
  });
});

describe('objectives and decision details: what is read', () => {
  it('reads objective lines in any case and spacing, as metrics with their targets', () => {
    expect(parseObjective('Phishing click rate | target 5 % | actual 7.5 % | status off track')).toEqual({
      metric: { name: 'Phishing click rate', value: 7.5, unit: '%', target: 5 },
      status: 'off track',
    });
    expect(parseObjective('  Staff trained|ACTUAL: 91%|Target = 95 %|Status: Partly met.')).toEqual({
      metric: { name: 'Staff trained', value: 91, unit: '%', target: 95 },
      status: 'partly met',
    });
    expect(parseObjective('Critical patches late | target 0 | result 2')).toEqual({
      metric: { name: 'Critical patches late', value: 2, unit: 'count', target: 0 },
    });
    // The template's empty line is no answer.
    expect(parseObjective(' | target | actual | status')).toBeUndefined();
  });

  it('reads the whole decision, skips the template lines left empty, and echoes it all back', () => {
    const text = [
      '[input d4] Fulfilment of objectives',
      'period: 2026-07-01 to 2026-09-30',
      'summary: Two of three objectives met; phishing clicks rose after the spring campaign.',
      'metric: Nonconformities opened =',
      '*Objective*: Phishing click rate | target 5 % | actual 7.5 % | status off track',
      'objective: Staff trained | target 95 % | actual 96 % | status met',
      'objective: | target | actual | status',
      'Decision needed: fund a second awareness campaign',
      'option: run it in-house',
      'option: buy a simulation service',
      'options: do nothing',
      'Recommendation: buy a simulation service',
      'Effort: £18,000 a year',
      'risk if not decided: the click rate stays above target',
      '[end]',
    ].join('\n');
    const reply = parseInputReply(text, [{ key: 'd4', period: PERIOD }]);
    expect(reply.problems).toEqual([]);
    const expected: ParsedInput = {
      key: 'd4',
      kind: 'report',
      period: PERIOD,
      summary: 'Two of three objectives met; phishing clicks rose after the spring campaign.',
      metrics: [
        { name: 'Phishing click rate', value: 7.5, unit: '%', target: 5 },
        { name: 'Staff trained', value: 96, unit: '%', target: 95 },
      ],
      decisionNeeded: 'fund a second awareness campaign',
      decisionOptions: ['run it in-house', 'buy a simulation service', 'do nothing'],
      recommendation: 'buy a simulation service',
      decisionCost: '£18,000 a year',
      riskIfNotDecided: 'the click rate stays above target',
    };
    expect(reply.inputs).toEqual([expected]);
    const echo = renderInputAnswer(expected, 'Fulfilment of objectives');
    expect(echo).toContain('objective: Phishing click rate | target 5 % | actual 7.5 %');
    expect(echo).toContain('options: run it in-house; buy a simulation service; do nothing');
    expect(echo).toContain('cost: £18,000 a year');
    expect(parseInputReply(echo, ['d4']).inputs).toEqual([expected]);
  });

  it('reads options one per line, with bullets', () => {
    const reply = parseInputReply(
      block(
        'period: 2026-07-01 to 2026-09-30',
        'summary: Four nonconformities open.',
        'decision needed: fund a scanner',
        'options:',
        '- buy the scanner',
        '2) extend the current licence',
      ),
      EXPECTED,
    );
    expect(reply.inputs[0]).toMatchObject({
      decisionOptions: ['buy the scanner', 'extend the current licence'],
    });
  });
});

describe('renderInputTemplate', () => {
  it('refuses inputs that cannot make a template', () => {
    expect(() => renderInputTemplate([])).toThrow(InvalidTemplateInput);
    expect(() => renderInputBlocks([])).toThrow('a template needs at least one input');
    expect(() => renderInputTemplate([{ key: 'D1', title: 'x', period: PERIOD }])).toThrow(
      'is not an input key',
    );
    expect(() => renderInputTemplate([{ key: 'd1', title: ' ', period: PERIOD }])).toThrow('has no title');
    expect(() =>
      renderInputTemplate([{ key: 'd1', title: 'x', period: { from: '2026-09-30', to: '2026-07-01' } }]),
    ).toThrow('has no valid period');
    expect(() =>
      renderInputTemplate([
        { key: 'd1', title: 'x', period: PERIOD },
        { key: 'd1', title: 'y', period: PERIOD },
      ]),
    ).toThrow('listed twice');
  });

  it('renders the help and one block per input, which untouched is never taken for an answer', () => {
    const template = renderInputTemplate([
      { key: 'd1', title: 'Nonconformities and corrective actions', period: PERIOD },
      { key: 'd2', title: 'Monitoring\nresults', period: PERIOD },
    ]);
    expect(template.startsWith(INPUT_TEMPLATE_HELP.join('\n'))).toBe(true);
    expect(
      template.endsWith(
        renderInputBlocks([
          { key: 'd1', title: 'Nonconformities and corrective actions', period: PERIOD },
          { key: 'd2', title: 'Monitoring results', period: PERIOD },
        ]),
      ),
    ).toBe(true);
    expect(template).toContain(
      [
        '[input d1] Nonconformities and corrective actions',
        'period: 2026-07-01 to 2026-09-30',
        'summary:',
        // The catalogue's figures for d1, pre-labelled: the owner writes the numbers.
        'metric: Nonconformities opened =',
        'metric: Nonconformities closed =',
        'metric: Nonconformities overdue =',
        'decision needed:',
        'options:',
        'recommendation:',
        'cost:',
        'risk if not decided:',
        '[end]',
      ].join('\n'),
    );
    expect(template).toContain('[input d2] Monitoring results\n');
    expect(template).not.toMatch(/ $/m);
    const reply = parseInputReply(template, ['d1', 'd2']);
    expect(reply.inputs).toEqual([]);
    expect(reply.missing).toEqual([]);
    expect(messages(reply).map((message) => message.slice(0, 30))).toEqual([
      "input d1: 'summary' is missing",
      "input d2: 'summary' is missing",
    ]);
  });
});

const safeWord = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9,.()%'-]{0,10}$/);
const safeLine = fc.array(safeWord, { minLength: 1, maxLength: 8 }).map((words) => words.join(' '));
const freeText = fc.array(safeLine, { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n'));
const date = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const period = fc.tuple(date, date).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a }));
const metricValue = fc
  .tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: 0, max: 3 }))
  .map(([n, k]) => n / 10 ** k)
  .map((v) => (Object.is(v, -0) ? 0 : v));
const metrics = fc.uniqueArray(
  fc.record({
    name: safeLine,
    value: metricValue,
    unit: fc.constantFrom<string>('count', '%', 'days', 'h', 'EUR', 'incidents'),
  }),
  { maxLength: 5, selector: (metric) => metric.name.toLowerCase() },
);
const key = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,6}$/);
const parsedInput = fc.oneof(
  fc.record(
    {
      key,
      kind: fc.constant('report' as const),
      period,
      summary: freeText,
      metrics,
      decisionNeeded: freeText,
    },
    { requiredKeys: ['key', 'kind', 'period', 'summary', 'metrics'] },
  ),
  fc.record(
    {
      key,
      kind: fc.constant('nothing_to_report' as const),
      period,
      nothingToReport: freeText,
      metrics: fc.constant<ParsedInput['metrics']>([]),
      decisionNeeded: freeText,
    },
    { requiredKeys: ['key', 'kind', 'period', 'nothingToReport', 'metrics'] },
  ),
);

describe('input format (properties)', () => {
  it('reads back every input rendered as an answer, whatever greeting and signature surround it', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(parsedInput, { minLength: 1, maxLength: 3, selector: (input) => input.key }),
        (inputs) => {
          for (const input of inputs) expect(ParsedInput.safeParse(input).success).toBe(true);
          const text = [
            'Hello,',
            '',
            ...inputs.map((input) => renderInputAnswer(input, 'A title')),
            '',
            'Regards',
            'Priya',
          ].join('\n\n');
          const reply = parseInputReply(
            text,
            inputs.map((input) => input.key),
          );
          expect(reply.problems).toEqual([]);
          expect(reply.inputs).toEqual(inputs);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseMetric', () => {
  it('reads name, number and unit, with a count when there is no unit', () => {
    expect(parseMetric('Open = 4')).toEqual({ name: 'Open', value: 4, unit: 'count' });
    expect(parseMetric('Rate = 97.5%')).toEqual({ name: 'Rate', value: 97.5, unit: '%' });
    expect(parseMetric('Cost = +12 EUR')).toEqual({ name: 'Cost', value: 12, unit: 'EUR' });
  });
});

describe('parseActionCommand: what it refuses', () => {
  it('says which commands to write when there is none', () => {
    expect(errorOf(parseActionCommand(''))).toBe(
      'no command was found at the start of the reply; write one of DONE <what was done> <a link to where it can be seen, or attach the document>, or PROGRESS <where it stands>, or EXTEND <new due date yyyy-mm-dd> <reason> on the first line',
    );
    expect(errorOf(parseActionCommand('I think we are nearly there.'))).toContain('no command was found');
    expect(errorOf(parseActionCommand('Hi Tom,\n\nThanks for the reminder.'))).toContain(
      'no command was found',
    );
    expect(errorOf(parseActionCommand('> DONE quoted'))).toContain('no command was found');
    expect(errorOf(parseActionCommand('Undone yet', { allowed: CHAIR_COMMANDS }))).toBe(
      'no command was found at the start of the reply; write one of APPROVE, or REFUSE <reason> on the first line',
    );
  });

  it('refuses commands that are not for this message', () => {
    expect(errorOf(parseActionCommand('APPROVE'))).toContain('APPROVE is not a command for this message');
    expect(errorOf(parseActionCommand('DONE it', { allowed: CHAIR_COMMANDS }))).toBe(
      'DONE is not a command for this message; write one of APPROVE, or REFUSE <reason>',
    );
  });

  it('refuses commands without what they need', () => {
    expect(errorOf(parseActionCommand('DONE'))).toContain('DONE needs evidence');
    expect(errorOf(parseActionCommand('Done.\n\nRegards'))).toContain('DONE needs evidence');
    expect(errorOf(parseActionCommand('PROGRESS'))).toContain('PROGRESS needs a note');
    expect(errorOf(parseActionCommand('EXTEND next month please'))).toContain(
      'EXTEND needs the new due date as yyyy-mm-dd',
    );
    expect(errorOf(parseActionCommand('EXTEND 15/12/2026 supplier'))).toContain('as yyyy-mm-dd');
    expect(errorOf(parseActionCommand('EXTEND 2026-02-30 supplier'))).toBe(
      'EXTEND: 2026-02-30 is not a date in the calendar; write the new due date as yyyy-mm-dd',
    );
    expect(errorOf(parseActionCommand('EXTEND 2026-12-15'))).toContain(
      'EXTEND needs a reason after the date',
    );
    expect(errorOf(parseActionCommand('REFUSE', { allowed: CHAIR_COMMANDS }))).toContain(
      'REFUSE needs a reason',
    );
  });
});

describe('parseActionCommand: what it reads', () => {
  it('reads the command in any case, with markers, punctuation, odd spaces or a greeting before it', () => {
    expect(parseActionCommand('*DONE* policy published')).toEqual({
      ok: true,
      command: { kind: 'done', evidence: 'policy published' },
    });
    expect(parseActionCommand('done: see attached')).toMatchObject({ command: { evidence: 'see attached' } });
    expect(parseActionCommand('Done, see attached.')).toMatchObject({
      command: { evidence: 'see attached.' },
    });
    expect(parseActionCommand('DONE\u00a0ticket SEC-123')).toMatchObject({
      command: { evidence: 'ticket SEC-123' },
    });
    expect(parseActionCommand('Hi Tom,\n\nPROGRESS half done')).toMatchObject({
      command: { kind: 'progress', note: 'half done' },
    });
    expect(parseActionCommand('Good morning!\nPROGRESS half done')).toMatchObject({
      command: { kind: 'progress' },
    });
  });

  it('takes the text up to the first blank line, including the lines after the command', () => {
    expect(parseActionCommand('DONE\nPolicy v2 is on the intranet\nand announced.\n\nRegards\nTom')).toEqual({
      ok: true,
      command: { kind: 'done', evidence: 'Policy v2 is on the intranet\nand announced.' },
    });
  });

  it('reads EXTEND with the date and reason in the usual ways', () => {
    for (const text of [
      'EXTEND 2026-12-15 supplier late',
      'Extend to 2026-12-15: supplier late',
      'EXTEND until 2026-12-15 - supplier late',
      'EXTEND *2026-12-15* supplier late',
      'EXTEND 2026-12-15, supplier late',
    ]) {
      expect(parseActionCommand(text), text).toEqual({
        ok: true,
        command: { kind: 'extend', until: '2026-12-15', reason: 'supplier late' },
      });
    }
  });

  it('reads the chair commands, APPROVE with an optional comment', () => {
    expect(parseActionCommand('APPROVE', { allowed: CHAIR_COMMANDS })).toEqual({
      ok: true,
      command: { kind: 'approve' },
    });
    expect(parseActionCommand('Approved - good work', { allowed: CHAIR_COMMANDS })).toEqual({
      ok: true,
      command: { kind: 'approve', comment: 'good work' },
    });
    expect(parseActionCommand('REFUSED: no owner for D-02', { allowed: CHAIR_COMMANDS })).toEqual({
      ok: true,
      command: { kind: 'refuse', reason: 'no owner for D-02' },
    });
  });

  it("reads top management's decisions on an escalated action", () => {
    const allowed = MANAGEMENT_COMMANDS;
    const cases: [string, unknown][] = [
      [
        'RESCHEDULE 2027-03-31 keys arrive late',
        { kind: 'reschedule', until: '2027-03-31', reason: 'keys arrive late' },
      ],
      [
        'Reschedule to 2027-03-31: keys arrive late',
        { kind: 'reschedule', until: '2027-03-31', reason: 'keys arrive late' },
      ],
      [
        'REASSIGN bob@example.com 2027-03-01 Bob runs the supplier now',
        { kind: 'reassign', to: 'bob@example.com', until: '2027-03-01', reason: 'Bob runs the supplier now' },
      ],
      [
        'Reassign: bob, he runs the supplier now',
        { kind: 'reassign', to: 'bob', reason: 'he runs the supplier now' },
      ],
      [
        '**ACCEPT RISK** compensating controls in place',
        { kind: 'accept-risk', reason: 'compensating controls in place' },
      ],
      ['accept risk - retired in Q2', { kind: 'accept-risk', reason: 'retired in Q2' }],
    ];
    for (const [text, command] of cases) {
      expect(parseActionCommand(text, { allowed }), text).toEqual({ ok: true, command });
    }
    // An owner cannot use them on a reminder, and top management cannot send DONE.
    expect(errorOf(parseActionCommand('RESCHEDULE 2027-03-31 x'))).toContain(
      'RESCHEDULE is not a command for this message',
    );
    expect(errorOf(parseActionCommand('DONE it', { allowed }))).toContain(
      'DONE is not a command for this message',
    );
    // The examples in the error messages read back.
    for (const message of [
      errorOf(parseActionCommand('RESCHEDULE soon', { allowed })),
      errorOf(parseActionCommand('REASSIGN 2027-03-01 bob', { allowed })),
    ]) {
      const example = message.slice(message.indexOf('e.g. ') + 5);
      expect(parseActionCommand(example, { allowed }).ok, example).toBe(true);
    }
  });

  it('renders help whose commands and examples it reads back', () => {
    const help = renderActionCommandHelp();
    expect(help).toBe(
      [
        'Reply with one of these on the first line of your reply:',
        '  DONE <what was done> <a link to where it can be seen, or attach the document>',
        '  PROGRESS <where it stands>',
        '  EXTEND <new due date yyyy-mm-dd> <reason>',
      ].join('\n'),
    );
    expect(renderActionCommandHelp(CHAIR_COMMANDS)).toContain('  APPROVE\n  REFUSE <reason>');
    expect(() => renderActionCommandHelp([])).toThrow(InvalidTemplateInput);
    // The examples given in error messages are valid commands.
    const examples = [errorOf(parseActionCommand('DONE')), errorOf(parseActionCommand('EXTEND soon'))].map(
      (message) => message.slice(message.indexOf('e.g. ') + 5),
    );
    for (const example of examples)
      expect(parseActionCommand(example, { allowed: OWNER_COMMANDS }).ok, example).toBe(true);
  });
});
