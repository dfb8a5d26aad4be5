/**
 * Page one of the package, the decision sheet: one sentence per proposal with its options,
 * recommendation, cost and risk of not deciding; a red/amber/green line per input, in words; the
 * changes since the last review (or one line saying it is the first review). Then the KPI tables
 * and charts that make trends mean something, and the "About this document" block that carries
 * the hash and ids the page footers no longer do.
 */
import { describe, expect, it } from 'vitest';
import { inputRag, packageModel, proposalSentence } from '#shared/package/content.ts';
import type { PackageInputSection } from '#shared/package/model.ts';
import { packageOutline } from '#shared/package/outline.ts';
import { packageText } from '#shared/package/text.ts';
import { kpiRows, trendWords } from '#shared/package/trends.ts';
import type { PackageSources } from '#shared/package/content.ts';
import { packageSources } from './fixtures.ts';

const HASH = 'f'.repeat(64);

/** The fixture with the owner of input b giving options, a recommendation, a cost and a risk. */
function withOwnerDetails(sources: PackageSources): PackageSources {
  return {
    ...sources,
    submissions: sources.submissions.map((s) =>
      s.inputKey === 'b'
        ? {
            ...s,
            decisionNeeded: 'Fund a second supplier assessment.',
            decisionOptions: ['fund it this quarter', 'defer to next year'],
            recommendation: 'fund it this quarter',
            decisionCost: '£18,000',
            riskIfNotDecided: 'the supplier stays unassessed for a year',
          }
        : s,
    ),
  };
}

const section = (input: Partial<Omit<PackageInputSection, 'rag'>>): Omit<PackageInputSection, 'rag'> => ({
  inputKey: 'd2',
  title: 'Monitoring and measurement results',
  clauses: ['ISO/IEC 27001:2022 9.3.2 d) 2)'],
  owner: { name: 'Olena' },
  status: 'provided',
  automatic: false,
  text: 'Patching improved across the estate; two legacy servers remain outside the scope of the agent.',
  figures: [{ name: 'Patch compliance', value: 97, unit: '%' }],
  attachments: [],
  period: { from: '2026-10-01', to: '2026-12-31' },
  ...input,
});

describe('the red/amber/green status of an input', () => {
  it('is red, with the reason, when the input is missing, objectives are off track or treatment stalled', () => {
    expect(inputRag(section({ status: 'not-provided', figures: [], text: undefined }))).toEqual({
      rag: 'red',
      reason: 'not provided by the deadline',
    });
    expect(
      inputRag(
        section({
          inputKey: 'd4',
          figures: [
            { name: 'Phishing click rate', value: 7.5, unit: '%', target: 5 },
            { name: 'Objectives off track', value: 1, unit: 'count' },
          ],
        }),
      ),
    ).toEqual({ rag: 'red', reason: '2 objective(s) off track' });
    expect(
      inputRag(
        section({ inputKey: 'f', figures: [{ name: 'Risk treatments late', value: 2, unit: 'count' }] }),
      ).rag,
    ).toBe('red');
  });

  it('is amber when late, thin, nothing to report or off target; each reason in words', () => {
    expect(inputRag(section({ late: true }))).toEqual({
      rag: 'amber',
      reason: 'answered after the deadline',
    });
    expect(inputRag(section({ figures: [], text: 'Reviewed.' }))).toEqual({
      rag: 'amber',
      reason: 'thin: no figure and little text',
    });
    expect(inputRag(section({ status: 'nothing-to-report', figures: [] })).reason).toBe('nothing to report');
    expect(
      inputRag(section({ figures: [{ name: 'Patch compliance', value: 90, unit: '%', target: 95 }] })),
    ).toEqual({ rag: 'amber', reason: '1 figure(s) off target' });
  });

  it('is green when provided on time with substance and on target; a target it cannot judge is not held against it', () => {
    expect(inputRag(section({}))).toEqual({ rag: 'green', reason: 'provided on time, figures reported' });
    // "Phishing emails reported": the name does not say which way is good, so no verdict on the target.
    expect(
      inputRag(
        section({ figures: [{ name: 'Phishing emails reported', value: 3, unit: 'count', target: 10 }] }),
      ).rag,
    ).toBe('green');
  });

  it('for the action register (a): red when an overdue action reached top management', () => {
    const model = packageModel(packageSources());
    expect(model.inputs.find((i) => i.inputKey === 'a')!.rag).toEqual({
      rag: 'red',
      reason: '1 overdue action(s) escalated to top management',
    });
    expect(model.inputs.find((i) => i.inputKey === 'e')!.rag.rag).toBe('red');
    expect(model.inputs.find((i) => i.inputKey === 'c')!.rag.rag).toBe('amber');
    expect(model.inputs.find((i) => i.inputKey === 'g')!.rag).toEqual({
      rag: 'amber',
      reason: 'answered after the deadline',
    });
    expect(model.inputs.find((i) => i.inputKey === 'd2')!.rag.rag).toBe('green');
  });
});

describe('the proposals', () => {
  const model = packageModel(withOwnerDetails(packageSources()));
  const flagged = model.decisions.find((d) => d.source === 'owner-flagged')!;

  it("use the owner's options, recommendation, cost and risk, in one sentence naming owner and input", () => {
    expect(flagged).toMatchObject({
      id: 'P3',
      label: 'Proposal P3',
      title: 'Fund a second supplier assessment',
      options: ['fund it this quarter', 'defer to next year'],
      recommendation: 'fund it this quarter',
      cost: '£18,000',
      riskIfNotDecided: 'the supplier stays unassessed for a year',
    });
    expect(proposalSentence(flagged)).toBe(
      'P3 — Fund a second supplier assessment (owner: Олена Коваленко, from input b Changes in external and internal issues)',
    );
  });

  it('say "no recommendation given" plainly when the owner gave none, and never invent one', () => {
    const plain = packageModel(packageSources()).decisions.find((d) => d.source === 'owner-flagged')!;
    expect(plain.recommendation).toBeUndefined();
    expect(plain.options).toEqual([]);
    const text = packageText(packageOutline(packageModel(packageSources()), HASH));
    expect(text).toContain('Recommendation: no recommendation given');
  });

  it('made by the system carry a recommendation and the risk of not deciding', () => {
    for (const d of model.decisions.filter((x) => x.source !== 'owner-flagged')) {
      expect(d.recommendation, d.id).toBeTruthy();
      expect(d.riskIfNotDecided, d.id).toBeTruthy();
      expect(d.options.length, d.id).toBeGreaterThanOrEqual(2);
    }
    const missing = model.decisions.find((d) => d.source === 'missing-input')!;
    expect(missing.recommendation).toBe(
      'ask Emily Carter to present it at the meeting; if that is not possible, an action with a date',
    );
    expect(missing.riskIfNotDecided).toBe('the review cannot show it considered 9.3.2 e)');
  });
});

describe('the decision sheet (page one)', () => {
  const model = packageModel(withOwnerDetails(packageSources()));
  const outline = packageOutline(model, HASH);
  const text = packageText(outline);
  const sheet = text.slice(0, text.indexOf('Proposed agenda\n'));

  it('opens the package with every proposal, its options, recommendation, cost and risk of not deciding', () => {
    expect(outline.sections[0]!.title).toBe('Decision sheet');
    for (const d of model.decisions) expect(sheet).toContain(proposalSentence(d));
    expect(sheet).toContain('Options: (1) fund it this quarter; (2) defer to next year');
    expect(sheet).toContain('Recommendation: fund it this quarter');
    expect(sheet).toContain('Cost or effort: £18,000');
    expect(sheet).toContain('Risk of not deciding: the supplier stays unassessed for a year');
  });

  it('gives one status line per input, the status in words as well as colour', () => {
    const glance = sheet.slice(sheet.indexOf('Inputs at a glance'));
    for (const input of model.inputs) {
      expect(glance).toContain(
        `Status: ${input.rag.rag.toUpperCase()} | Input: ${input.inputKey}) ${input.title}`,
      );
    }
    expect(glance).toContain('Status: RED | Input: e) Feedback from interested parties');
  });

  it('lists the changes since the last review, and for a first review says so once', () => {
    expect(sheet).toContain('Changes since the last review');
    expect(sheet).toContain('Objectives met (input d4): 80 % → 78 %, worse.');
    const first = packageText(packageOutline(packageModel({ ...packageSources(), earlier: [] }), HASH));
    expect(first.match(/compare/gi)).toHaveLength(1);
    expect(first).toContain('First review: nothing earlier to compare with.');
    expect(first).not.toContain('Changes since the last review');
  });

  it('keeps hash and ids out of the footer and puts them in "About this document" at the end', () => {
    expect(outline.footer).not.toContain(HASH);
    expect(outline.footer).not.toContain(model.cycle.id);
    expect(sheet).not.toContain(HASH);
    const about = outline.sections.at(-1)!;
    expect(about.title).toBe('About this document');
    const aboutText = text.slice(text.indexOf('About this document'));
    expect(aboutText).toContain(`Content SHA-256: ${HASH}`);
    expect(aboutText).toContain(`Cycle: ${model.cycle.id}`);
    expect(aboutText).toContain('Built at: ');
    expect(aboutText).toContain(`d1: ${model.inputVersions.d1}`);
    expect(aboutText).toContain('e: none (not provided)');
  });
});

describe('the KPI tables and charts', () => {
  it('give each figure its actual, target, previous value and trend in words with an arrow', () => {
    const sources = packageSources();
    const model = packageModel({
      ...sources,
      submissions: sources.submissions.map((s) =>
        s.inputKey === 'd2'
          ? { ...s, metrics: [{ name: 'Patch compliance', value: 97.5, unit: '%', target: 95 }] }
          : s,
      ),
    });
    const d2 = model.inputs.find((i) => i.inputKey === 'd2')!;
    const [row] = kpiRows(d2, model.trends.series);
    expect(row).toMatchObject({ metric: 'Patch compliance', actual: 97.5, target: 95, previous: 94 });
    expect(row!.direction).toBe('better');
    expect(trendWords(row!)).toBe('↑ better');
    expect(row!.history.map((p) => p.value)).toEqual([88, 91, 94, 97.5]);
    const text = packageText(packageOutline(model, HASH));
    expect(text).toContain(
      'Figure: Patch compliance | Actual: 97.5 % | Target: 95 % | Last review: 94 % | Trend: ↑ better\n    4 reviews: 88 % → 91 % → 94 % → 97.5 %',
    );
    const d4 = kpiRows(
      model.inputs.find((i) => i.inputKey === 'd4')!,
      model.trends.series,
    );
    expect(d4.map((r) => [r.metric, trendWords(r)])).toEqual([
      ['Objectives met', '↓ worse'],
      ['Objectives off track', 'first report'],
    ]);
  });

  it('print each figure once outside the KPI table: not again in the input section or the chart text', () => {
    const model = packageModel(packageSources());
    const text = packageText(packageOutline(model, HASH));
    // Page one names the change (94 % → 97.5 %); after it, the KPI cell and the row of every review.
    const afterSheet = text.slice(text.indexOf('Proposed agenda\n'));
    expect(afterSheet.match(/97\.5 %/g)).toHaveLength(2);
    expect(text).not.toMatch(/\[Chart\][^\n]*97\.5/);
  });

  it('draw no chart for a figure with one point, and title each chart with the input title', () => {
    const model = packageModel(packageSources());
    const charted = model.trends.charts.flatMap((c) => c.series);
    expect(charted.every((s) => s.points.length >= 2)).toBe(true);
    // Objectives off track and stalled treatments are reported for the first time: no chart of them.
    expect(charted.map((s) => s.metric)).not.toContain('Objectives off track');
    expect(charted.map((s) => s.metric)).not.toContain('Stalled risk treatments');
    for (const chart of model.trends.charts) {
      expect(chart.title).toBe(model.inputs.find((i) => i.inputKey === chart.inputKey)!.title);
    }
    const first = packageModel({ ...packageSources(), earlier: [] });
    expect(first.trends.charts).toEqual([]);
  });
});
