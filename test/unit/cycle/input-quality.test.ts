/**
 * Inputs with substance (shared/cycle/input-quality.ts): the placeholder and field rules on a parsed
 * answer, bad input first; then the command-line path in memory (refused answers leave the input
 * REQUESTED, a structured answer is stored with its figures, targets and decision, a thin one is
 * listed by `cycle show`).
 */
import { describe, expect, it } from 'vitest';
import { formatCycle, cycleView, UTC_INFO } from '../../../cli/cycle-view.ts';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import {
  checkInputQuality,
  InputLacksSubstance,
  previousCycleAnswers,
  type QualityContext,
} from '#shared/cycle/input-quality.ts';
import { submitInput } from '#shared/cycle/submit-input.ts';
import type { ParsedInput } from '#shared/mail/reply-format.ts';
import type { InputSubmission, Metric } from '#shared/model/input.ts';
import { memoryWorld } from '#test/support/memory-world.ts';

const PERIOD = { from: '2026-07-01', to: '2026-09-30' };
const D1_FIGURES: Metric[] = [
  { name: 'Nonconformities opened', value: 3, unit: 'count' },
  { name: 'Nonconformities closed', value: 5, unit: 'count' },
  { name: 'Nonconformities overdue', value: 1, unit: 'count' },
];
const NO_HISTORY: QualityContext = { attachments: 0, previous: [] };

const report = (summary: string, metrics: Metric[] = D1_FIGURES, key = 'd1'): ParsedInput => ({
  key,
  kind: 'report',
  period: PERIOD,
  summary,
  metrics,
});
const nothing = (reason: string, key = 'b'): ParsedInput => ({
  key,
  kind: 'nothing_to_report',
  period: PERIOD,
  nothingToReport: reason,
  metrics: [],
});
const codes = (input: ParsedInput, context: QualityContext = NO_HISTORY) =>
  checkInputQuality(input, context).problems.map((problem) => problem.code);

function earlier(input: ParsedInput): InputSubmission {
  return {
    id: 'S-20260702T0900Z-aaaa',
    cycleId: 'C-20260601T0900Z-Q',
    programmeId: 'acme',
    inputKey: input.key,
    submitterId: 'auditor',
    kind: input.kind,
    periodCovered: { from: '2026-04-01', to: '2026-06-30' },
    receivedAt: '2026-07-02T09:00:00.000Z',
    summary: input.kind === 'report' ? input.summary : input.nothingToReport,
    metrics: input.metrics,
    attachments: [],
    source: { channel: 'cli' },
  };
}

describe('placeholder answers are refused, each with what to write', () => {
  it('refuses a summary of stock phrases only', () => {
    for (const summary of [
      'n/a',
      'TBD',
      'No change.',
      'Reviewed for the period.',
      'All OK, nothing new.',
      '-',
    ]) {
      expect(codes(report(summary)), summary).toEqual(['boilerplate-summary']);
    }
    const [problem] = checkInputQuality(report('No change.'), NO_HISTORY).problems;
    expect(problem?.message).toBe(
      'the summary "No change." says nothing about the period; write what happened: the figures, what changed and what management should know (if nothing happened, write nothing to report: and the reason)',
    );
  });

  it('refuses "see register" or "see attached" when nothing is attached', () => {
    for (const summary of [
      'Reviewed for the period; details in the register.',
      'See register',
      'Please see the attached.',
      'Four nonconformities open, details in the attached list.',
    ]) {
      expect(codes(report(summary)), summary).toEqual(['reference-without-attachment']);
    }
    // With the file attached, the same words are accepted.
    expect(codes(report('See register'), { attachments: 1, previous: [] })).toEqual([]);
    expect(codes(report('Please see the attached.'), { attachments: 2, previous: [] })).toEqual([]);
  });

  it('accepts real summaries that merely contain a stock phrase', () => {
    for (const summary of [
      'Reviewed for the period: four nonconformities open, down from seven; details in the register.',
      'No change in the open nonconformities, but two corrective actions failed their check.',
      'Nothing new from regulators; one customer asked for our ISO certificate.',
    ]) {
      expect(codes(report(summary)), summary).toEqual([]);
    }
  });

  it('refuses a word-for-word copy of the previous cycle’s answer, whitespace and case aside', () => {
    const last = report('Four nonconformities open; two corrective actions late.');
    const copy = report('four  nonconformities open;\ntwo corrective actions LATE.');
    const verdict = checkInputQuality(copy, { attachments: 0, previous: [earlier(last)] });
    expect(verdict.problems).toMatchObject([
      {
        code: 'copy-of-previous',
        key: 'd1',
        message:
          "this answer is word for word the one given at the previous review (received 2026-07-02); write what happened in this period, with this period's figures",
      },
    ]);
    // The same words with this period's figures are a new answer.
    const newFigures = D1_FIGURES.map((metric) => ({ ...metric, value: metric.value + 1 }));
    expect(
      codes(report(copy.kind === 'report' ? copy.summary : '', newFigures), {
        attachments: 0,
        previous: [earlier(last)],
      }),
    ).toEqual([]);
    // A repeated reason for nothing to report is refused too.
    const reason = nothing('No interested party changed its requirements this quarter.');
    expect(codes(reason, { attachments: 0, previous: [earlier(reason)] })).toEqual(['copy-of-previous']);
  });

  it('refuses "nothing to report" whose reason is a stock phrase, and keeps one with a reason', () => {
    for (const reason of ['n/a', 'none', 'No changes.', 'nothing', 'TBC']) {
      expect(codes(nothing(reason)), reason).toEqual(['nothing-to-report-without-reason']);
    }
    expect(codes(nothing('no audits were held this quarter; the next one is in November'))).toEqual([]);
  });
});

describe('the catalogue’s fields', () => {
  it('lists labelled figures per input, and objectives for d4', () => {
    expect(inputFields('d1').fields.map((field) => [field.label, field.unit, field.required])).toEqual([
      ['Nonconformities opened', 'count', true],
      ['Nonconformities closed', 'count', true],
      ['Nonconformities overdue', 'count', true],
    ]);
    expect(
      inputFields('f')
        .fields.filter((field) => field.required)
        .map((field) => field.label),
    ).toEqual(['Risks above appetite', 'Risk treatments late']);
    expect(inputFields('d4')).toEqual({ fields: [], objectives: true });
    expect(inputFields('no-such-input')).toEqual({ fields: [], objectives: false });
  });

  it('refuses a report without a required figure, naming the figure and the line to write', () => {
    const verdict = checkInputQuality(report('Four open, seven closed.', D1_FIGURES.slice(0, 1)), NO_HISTORY);
    expect(verdict.problems.map((problem) => problem.message)).toEqual([
      "the figure 'Nonconformities closed' is missing; write metric: Nonconformities closed = <number> (0 when there were none)",
      "the figure 'Nonconformities overdue' is missing; write metric: Nonconformities overdue = <number> (0 when there were none)",
    ]);
    // Nothing to report needs no figures.
    expect(codes(nothing('no internal audit was planned for this quarter', 'd1'))).toEqual([]);
  });

  it('refuses a count that is not a whole number of 0 or more, or has a unit', () => {
    for (const bad of [
      { name: 'Nonconformities overdue', value: -1, unit: 'count' },
      { name: 'Nonconformities overdue', value: 1.5, unit: 'count' },
      { name: 'Nonconformities overdue', value: 2, unit: '%' },
    ]) {
      const metrics = [...D1_FIGURES.slice(0, 2), bad];
      const verdict = checkInputQuality(report('Three opened, five closed.', metrics), NO_HISTORY);
      expect(
        verdict.problems.map((problem) => problem.code),
        JSON.stringify(bad),
      ).toEqual(['field-number']);
      expect(verdict.problems[0]?.message).toContain(
        'is not a number of things; write a whole number of 0 or more without a unit, e.g. metric: Nonconformities overdue = 3',
      );
    }
  });

  it('refuses d4 without any objective', () => {
    const verdict = checkInputQuality(
      report('Objectives reviewed at the ISMS committee.', [], 'd4'),
      NO_HISTORY,
    );
    expect(verdict.problems).toMatchObject([
      {
        code: 'objectives-missing',
        key: 'd4',
        message:
          'no objective is given with its target and result; write one line per objective, e.g. objective: Phishing click rate | target 5 % | actual 7.5 % | status off track',
      },
    ]);
  });

  it('names figures exactly as the catalogue does, so trends follow them', () => {
    const verdict = checkInputQuality(
      report('Three opened, five closed, one overdue.', [
        { name: 'nonconformities  OPENED', value: 3, unit: 'count' },
        { name: 'Nonconformities closed', value: 5, unit: 'count' },
        { name: 'NONCONFORMITIES OVERDUE', value: 1, unit: 'count' },
        { name: 'Mean days to close', value: 23.5, unit: 'days' },
      ]),
      NO_HISTORY,
    );
    expect(verdict.problems).toEqual([]);
    expect(verdict.input.metrics.map((metric) => metric.name)).toEqual([
      'Nonconformities opened',
      'Nonconformities closed',
      'Nonconformities overdue',
      'Mean days to close',
    ]);
  });
});

describe('thin answers: accepted, with the reasons the ISMS manager sees', () => {
  it('says when optional figures are all missing, the summary is very short, or the answer is late', () => {
    const verdict = checkInputQuality(
      report(
        'Two audits held.',
        [
          { name: 'Audit findings major', value: 0, unit: 'count' },
          { name: 'Audit findings minor', value: 4, unit: 'count' },
        ],
        'd3',
      ),
      {
        attachments: 0,
        previous: [],
        receivedAt: '2026-10-20T09:00:00.000Z',
        dueAt: '2026-10-15T17:00:00.000Z',
      },
    );
    expect(verdict.problems).toEqual([]);
    expect(verdict.thin).toEqual([
      { code: 'short-summary', message: 'the summary is very short ("Two audits held.")' },
      { code: 'no-figures', message: 'no figure for Audits held, Audit observations' },
      { code: 'late', message: 'it arrived after its due date (2026-10-15)' },
    ]);
    expect(
      checkInputQuality(report('Four nonconformities open at quarter end, seven closed.'), NO_HISTORY).thin,
    ).toEqual([]);
  });

  it('gives a named error listing the problems for callers that throw', () => {
    const { problems } = checkInputQuality(report('n/a'), NO_HISTORY);
    const error = new InputLacksSubstance(problems);
    expect(error.name).toBe('InputLacksSubstance');
    expect(error.message).toMatch(/^input d1: the summary "n\/a" says nothing about the period/);
  });
});

describe('previousCycleAnswers', () => {
  it("reads the same input's answers of the latest other cycle, superseded ones included", async () => {
    const older = { ...earlier(report('Q1 answer')), cycleId: 'C-20260301T0900Z-Q' };
    const last = earlier(report('Q2 answer'));
    const lastFirst = { ...earlier(report('Q2 first answer')), id: 'S-20260701T0900Z-bbbb' };
    const current = { ...earlier(report('Q3 answer')), cycleId: 'C-20260901T0900Z-Q' };
    const asked: unknown[] = [];
    const repo = {
      listSubmissionHistory: async (...args: unknown[]) => {
        asked.push(args);
        return [current, last, lastFirst, older];
      },
    };
    const found = await previousCycleAnswers(repo, { id: current.cycleId, programmeId: 'acme' }, 'd1');
    expect(found).toEqual([last, lastFirst]);
    expect(asked).toEqual([['acme', 'd1', { newestFirst: true, limit: 10 }]]);
    const none = await previousCycleAnswers(
      { listSubmissionHistory: async () => [current] },
      { id: current.cycleId, programmeId: 'acme' },
      'd1',
    );
    expect(none).toEqual([]);
  });
});

describe('answering from the command line', () => {
  it('refuses a placeholder: the input stays REQUESTED and nothing is recorded', async () => {
    const w = await memoryWorld();
    const request = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    const text = [
      `[input d1] ${request.title}`,
      `period: ${request.periodCovered.from} to ${request.periodCovered.to}`,
      'summary: Reviewed for the period; details in the register.',
      '[end]',
    ].join('\n');
    const result = await submitInput(w.deps, { cycleId: w.cycleId, inputKey: 'd1', text });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.problem)).toEqual([
      'the summary "Reviewed for the period; details in the register." points elsewhere, and nothing came with the answer; write in the summary what the register or document shows for this period (the figures, what changed, what management should know), or attach it',
      "the figure 'Nonconformities opened' is missing; write metric: Nonconformities opened = <number> (0 when there were none)",
      "the figure 'Nonconformities closed' is missing; write metric: Nonconformities closed = <number> (0 when there were none)",
      "the figure 'Nonconformities overdue' is missing; write metric: Nonconformities overdue = <number> (0 when there were none)",
    ]);
    expect(result.template).toContain('metric: Nonconformities opened =');
    expect((await w.repo.getInputRequest(w.cycleId, 'd1'))!.status).toBe('REQUESTED');
    expect(await w.repo.listSubmissions(w.cycleId, 'd1')).toEqual([]);
  });

  it('stores a structured answer with its figures, targets and decision, and lists a thin one in cycle show', async () => {
    const w = await memoryWorld();
    const d4 = (await w.repo.getInputRequest(w.cycleId, 'd4'))!;
    const text = [
      `[input d4] ${d4.title}`,
      `period: ${d4.periodCovered.from} to ${d4.periodCovered.to}`,
      'summary: Phishing objective missed.',
      'objective: Phishing click rate | target 5 % | actual 7.5 % | status off track',
      'decision needed: fund a second awareness campaign',
      'options: run it in-house; buy a simulation service',
      'recommendation: buy a simulation service',
      'cost: £18,000 a year',
      'risk if not decided: the click rate stays above target',
      '[end]',
    ].join('\n');
    const result = await submitInput(w.deps, { cycleId: w.cycleId, inputKey: 'd4', text });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.submission).toMatchObject({
      kind: 'report',
      metrics: [{ name: 'Phishing click rate', value: 7.5, unit: '%', target: 5 }],
      decisionNeeded: 'fund a second awareness campaign',
      decisionOptions: ['run it in-house', 'buy a simulation service'],
      recommendation: 'buy a simulation service',
      decisionCost: '£18,000 a year',
      riskIfNotDecided: 'the click rate stays above target',
    });
    expect(result.echo).toContain('objective: Phishing click rate | target 5 % | actual 7.5 %');
    expect(result.echo).toContain('risk if not decided: the click rate stays above target');
    expect(result.thin).toEqual(['the summary is very short ("Phishing objective missed.")']);
    const events = await w.repo.listEvents(w.cycleId);
    expect(events.filter((event) => event.type === 'input.thin')).toMatchObject([
      { data: { inputKey: 'd4', submissionId: result.submission.id } },
    ]);

    // The ISMS manager sees it before the package is frozen.
    const view = cycleView((await w.repo.getCycleRecords(w.cycleId))!, UTC_INFO, w.clock.now());
    expect(view.inputs.find((input) => input.key === 'd4')?.thin).toEqual(result.thin);
    expect(formatCycle(view, w.clock.now()).join('\n')).toContain(
      `Thin inputs (accepted, but weak: ask the owner for more before the package is frozen):\n  d4 ${d4.title}: the summary is very short ("Phishing objective missed.")`,
    );

    // The same answer again is a repeat: nothing new recorded, no second thin event.
    const again = await submitInput(w.deps, { cycleId: w.cycleId, inputKey: 'd4', text });
    expect(again).toMatchObject({ ok: true, repeated: true });
    expect((await w.repo.listEvents(w.cycleId)).filter((event) => event.type === 'input.thin')).toHaveLength(
      1,
    );
  });
});
