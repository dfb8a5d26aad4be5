import { describe, expect, it } from 'vitest';
import type { CostEstimate, FixedMonthlyCost } from '../../../bench/cost.ts';
import type { IngestFigures, TargetFigure } from '../../../bench/operations.ts';
import { verdictLines, verdictOf, type VerdictInputs } from '../../../bench/verdict.ts';

const ingest = (messagesPerSecond: number, lost = 0): IngestFigures => ({
  messages: 200,
  distinctMessageIds: 160,
  seconds: 200 / messagesPerSecond,
  messagesPerSecond,
  lost,
  temporaryFailures: 0,
  outcomes: { accepted: 160, ignored: 40 },
  dynamodbRequestsPerMessage: 12.1,
  dynamodbByCommand: {},
});

const target = (operation: TargetFigure['operation'], requests: number, allowed: number): TargetFigure => ({
  operation,
  units: 1,
  allowed,
  requests,
  bySize: [requests],
  flat: true,
  met: requests <= allowed,
});

const fixed = (list: number, afterFreeTier: number): FixedMonthlyCost =>
  ({
    counted: { kmsKey: 2, secret: 1, alarmMetric: 8, dashboard: 1 },
    dashboardMetrics: [47],
    usd: { kmsKey: 2, secret: 0.4, alarmMetric: 0.8, dashboard: 3, total: list },
    usdAfterFreeTier: { kmsKey: 2, secret: 0.4, alarmMetric: 0, dashboard: 0, total: afterFreeTier },
    notCounted: [],
  }) as FixedMonthlyCost;

const cost = (total: number, stepFunctions: number, stateTransitions: number): CostEstimate =>
  ({
    counted: { emailRecipients: 46, emailsReceived: 10 },
    stateTransitions,
    usd: { dynamodb: 0.0005, stepFunctions, lambda: 0.00006, ses: 0.0056, total },
  }) as CostEstimate;

const bundles = (
  largestBytes: number | null,
  overLimit: string[],
  highestRatio: number | null,
  overRatio: string[],
) => ({
  limitBytes: 400_000,
  largestBytes,
  overLimit,
  ratioLimit: 1.25,
  highestRatio,
  overRatio,
  functions: 25,
  ratios: 25,
});

const base: VerdictInputs = {
  requestTargets: [target('ingestReply', 8, 8), target('requestInputs', 16, 16)],
  ingest: ingest(20.2),
  fixedCost: fixed(6.2, 2.4),
};
const byName = (inputs: VerdictInputs) => Object.fromEntries(verdictOf(inputs).map((v) => [v.name, v]));

describe('the bench verdict', () => {
  it('never counts a section that was left out as met', () => {
    const verdict = byName(base);
    for (const name of ['cost per cycle', 'state transitions per cycle', 'bundle size', 'import ratio']) {
      expect(verdict[name]).toMatchObject({ measured: 'not measured', met: null });
      expect(verdict[name]!.note).toMatch(/left out \(BENCH_SKIP_/);
    }
    expect(verdictLines(verdictOf(base)).at(-1)).toBe('   2 of 7 targets met');
  });

  it('does not call an empty measurement met', () => {
    const verdict = byName({
      ...base,
      requestTargets: [],
      bundles: bundles(null, [], null, []),
    });
    expect(verdict['requests per operation']!.met).toBe(false);
    expect(verdict['bundle size']!.met).toBe(false);
    expect(verdict['import ratio']!.met).toBe(false);
  });

  it('fails ingest that loses a message, however fast', () => {
    expect(byName({ ...base, ingest: ingest(120, 1) })['SMTP ingest']!.met).toBe(false);
    expect(byName({ ...base, ingest: ingest(59.99) })['SMTP ingest']!.met).toBe(false);
    expect(byName({ ...base, ingest: ingest(60) })['SMTP ingest']!.met).toBe(true);
  });

  it('names the operations over their request target', () => {
    const verdict = byName({
      ...base,
      requestTargets: [target('ingestReply', 9, 8), target('requestInputs', 16, 16)],
    });
    expect(verdict['requests per operation']).toMatchObject({ met: false, note: 'over: ingestReply' });
  });

  it('says why the cost per cycle is over, and when email alone puts it over', () => {
    const verdict = byName({ ...base, cost: cost(0.008128, 0.001975, 79) });
    expect(verdict['cost per cycle']!.met).toBe(false);
    expect(verdict['cost per cycle']!.note).toBe(
      'SES alone is $0.0056 (46 recipients, 10 received); without any Step Functions transition the cycle would cost $0.00615, over the limit by itself',
    );
    expect(verdict['state transitions per cycle']).toMatchObject({ measured: '79', met: true });
    const cheap = byName({ ...base, cost: cost(0.0059, 0.0003, 12) });
    expect(cheap['cost per cycle']).toMatchObject({ met: true, measured: '$0.0059' });
    expect(cheap['cost per cycle']!.note).toBeUndefined();
    expect(byName({ ...base, cost: cost(0.0065, 0.003, 121) })['state transitions per cycle']!.met).toBe(
      false,
    );
  });

  it('lists the bundles over their limits', () => {
    const verdict = byName({
      ...base,
      bundles: bundles(1_109_696, ['functions/ingest-email.ts', 'functions/web.ts'], 1.52, ['a', 'b', 'c']),
    });
    expect(verdict['bundle size']).toMatchObject({
      measured: 'largest 1,109,696 B',
      met: false,
      note: '2 of 25 over: functions/ingest-email.ts, functions/web.ts',
    });
    expect(verdict['import ratio']).toMatchObject({
      measured: 'highest 1.52',
      met: false,
      note: '3 of 25 over',
    });
    const lean = byName({ ...base, bundles: bundles(390_000, [], 1.2, []) });
    expect(lean['bundle size']!.met).toBe(true);
    expect(lean['import ratio']!.met).toBe(true);
  });

  it('judges the fixed monthly cost after the free tier, and shows the list price beside it', () => {
    expect(byName(base)['fixed monthly cost']).toMatchObject({
      measured: '$2.4 after the free tier ($6.2 at list price)',
      met: true,
    });
    expect(byName({ ...base, fixedCost: fixed(6.2, 2.51) })['fixed monthly cost']!.met).toBe(false);
  });

  it('prints one line per target, its note under it, and the count met', () => {
    const lines = verdictLines(verdictOf({ ...base, cost: cost(0.008128, 0.001975, 79) }));
    expect(lines[0]).toMatch(
      /^ {3}cost per cycle +\$0\.00813 \(target <= \$0\.006\): NOT met\n {3} +SES alone/,
    );
    expect(lines.at(-1)).toBe('   3 of 7 targets met');
  });
});
