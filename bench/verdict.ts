/**
 * The bench's verdict: every target the project holds its figures to, each with what this run
 * measured, the limit, and whether it is met, plus, where the figures say it, why not. The report
 * prints it as its last section, and the last line's JSON carries it (`verdict`), so that one look
 * says what holds. A target whose section was left out (BENCH_SKIP_*) is "not measured", never met.
 */
import type { BundleSummary } from './bundles.ts';
import type { CostEstimate, FixedMonthlyCost } from './cost.ts';
import type { IngestFigures, TargetFigure } from './operations.ts';

/** The limits, as the project states them (the request targets live in operations.ts). */
export const LIMITS = {
  costPerCycleUsd: 0.006,
  stateTransitionsPerCycle: 120,
  ingestMessagesPerSecond: 60,
  fixedMonthlyUsd: 2.5,
} as const;

export interface Verdict {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  /** null: not measured in this run. */
  readonly met: boolean | null;
  /** What the figures say about it, when there is something to say. */
  readonly note?: string;
}

export interface VerdictInputs {
  /** Undefined when the bundles were left out. */
  readonly bundles?: BundleSummary & { readonly functions: number; readonly ratios: number };
  readonly requestTargets: readonly TargetFigure[];
  readonly ingest: IngestFigures;
  /** Undefined when the whole cycle was left out. */
  readonly cost?: CostEstimate;
  readonly fixedCost: FixedMonthlyCost;
}

const usd = (value: number) => `$${value.toFixed(5).replace(/0+$/, '').replace(/\.$/, '')}`;
const notMeasured = (name: string, limit: string, why: string): Verdict => ({
  name,
  measured: 'not measured',
  limit,
  met: null,
  note: why,
});

function costVerdicts(cost: CostEstimate | undefined): Verdict[] {
  const costLimit = `<= ${usd(LIMITS.costPerCycleUsd)}`;
  const transitionsLimit = `<= ${LIMITS.stateTransitionsPerCycle}`;
  if (!cost) {
    return [
      notMeasured('cost per cycle', costLimit, 'the cycle was left out (BENCH_SKIP_CYCLE)'),
      notMeasured(
        'state transitions per cycle',
        transitionsLimit,
        'the cycle was left out (BENCH_SKIP_CYCLE)',
      ),
    ];
  }
  const withoutStepFunctions = cost.usd.total - cost.usd.stepFunctions;
  const costMet = cost.usd.total <= LIMITS.costPerCycleUsd;
  return [
    {
      name: 'cost per cycle',
      measured: usd(cost.usd.total),
      limit: costLimit,
      met: costMet,
      ...(costMet
        ? {}
        : {
            note:
              `SES alone is ${usd(cost.usd.ses)} (${cost.counted.emailRecipients} recipients, ` +
              `${cost.counted.emailsReceived} received); without any Step Functions transition the cycle ` +
              `would cost ${usd(withoutStepFunctions)}` +
              (withoutStepFunctions > LIMITS.costPerCycleUsd ? ', over the limit by itself' : ''),
          }),
    },
    {
      name: 'state transitions per cycle',
      measured: String(cost.stateTransitions),
      limit: transitionsLimit,
      met: cost.stateTransitions <= LIMITS.stateTransitionsPerCycle,
    },
  ];
}

function bundleVerdicts(bundles: VerdictInputs['bundles']): Verdict[] {
  if (!bundles) {
    return [
      notMeasured('bundle size', '<= 400,000 B each', 'the bundles were left out (BENCH_SKIP_BUNDLES)'),
      notMeasured('import ratio', '<= 1.25 each', 'the bundles were left out (BENCH_SKIP_BUNDLES)'),
    ];
  }
  return [
    {
      name: 'bundle size',
      measured: `largest ${bundles.largestBytes?.toLocaleString('en-US') ?? 'none'} B`,
      limit: `<= ${bundles.limitBytes.toLocaleString('en-US')} B each`,
      met: bundles.largestBytes !== null && bundles.overLimit.length === 0,
      ...(bundles.overLimit.length
        ? {
            note: `${bundles.overLimit.length} of ${bundles.functions} over: ${bundles.overLimit.join(', ')}`,
          }
        : {}),
    },
    {
      name: 'import ratio',
      measured: `highest ${bundles.highestRatio ?? 'none'}`,
      limit: `<= ${bundles.ratioLimit} each`,
      met: bundles.highestRatio !== null && bundles.overRatio.length === 0,
      ...(bundles.overRatio.length ? { note: `${bundles.overRatio.length} of ${bundles.ratios} over` } : {}),
    },
  ];
}

/** Every target, in the order the project states them. */
export function verdictOf(inputs: VerdictInputs): Verdict[] {
  const { ingest, fixedCost, requestTargets } = inputs;
  const missed = requestTargets.filter((t) => !t.met);
  const ingestMet = ingest.messagesPerSecond >= LIMITS.ingestMessagesPerSecond && ingest.lost === 0;
  return [
    ...costVerdicts(inputs.cost),
    ...bundleVerdicts(inputs.bundles),
    {
      name: 'SMTP ingest',
      measured: `${ingest.messagesPerSecond} messages/s, ${ingest.lost} lost`,
      limit: `>= ${LIMITS.ingestMessagesPerSecond} messages/s, 0 lost`,
      met: ingestMet,
      ...(ingestMet
        ? {}
        : { note: `${ingest.dynamodbRequestsPerMessage} DynamoDB requests per message in the burst` }),
    },
    {
      name: 'requests per operation',
      measured: requestTargets.map((t) => `${t.operation} ${t.requests}/${t.allowed}`).join(', '),
      limit: 'each within its target, flat with history',
      met: requestTargets.length > 0 && missed.length === 0,
      ...(missed.length ? { note: `over: ${missed.map((t) => t.operation).join(', ')}` } : {}),
    },
    {
      name: 'fixed monthly cost',
      measured: `${usd(fixedCost.usdAfterFreeTier.total)} after the free tier (${usd(fixedCost.usd.total)} at list price)`,
      limit: `<= ${usd(LIMITS.fixedMonthlyUsd)}`,
      met: fixedCost.usdAfterFreeTier.total <= LIMITS.fixedMonthlyUsd,
      note: "CloudWatch's always-free tier counts only while nothing else in the account uses it",
    },
  ];
}

/** The report's lines for the verdict. */
export function verdictLines(verdicts: readonly Verdict[]): string[] {
  const word = (met: boolean | null) => (met === null ? '' : met ? ': met' : ': NOT met');
  const met = verdicts.filter((v) => v.met === true).length;
  return [
    ...verdicts.map(
      (v) =>
        `   ${v.name.padEnd(28)} ${v.measured} (target ${v.limit})${word(v.met)}` +
        (v.note ? `\n   ${''.padEnd(28)} ${v.note}` : ''),
    ),
    `   ${met} of ${verdicts.length} targets met`,
  ];
}
