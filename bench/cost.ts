/**
 * An estimate of what one review cycle costs on AWS, from figures counted over one whole quarterly
 * cycle run through the synthesized state machine (cycle.ts): state transitions, Lambda invocations
 * and their GB-seconds, emails sent and received, DynamoDB capacity units.
 *
 * The counted cycle starts on an empty table. What a long history adds to DynamoDB is modelled, and
 * labelled so: per measured operation, its capacity units at the large history size minus those at
 * the small one (operations.ts), times the counted invocations of the function that runs it.
 *
 * Unit prices: AWS us-east-1 list prices (on-demand, no free tier), printed beside the estimate.
 */
import type { CycleFigures } from './cycle.ts';
import type { OperationName, SizeFigures } from './operations.ts';
export const PRICE_REGION = 'us-east-1 list prices (on-demand, free tier not deducted)';

/** USD per `per` units. */
export const UNIT_PRICES_USD = {
  dynamodbWriteRequestUnits: { usd: 0.625, per: 1_000_000 },
  dynamodbReadRequestUnits: { usd: 0.125, per: 1_000_000 },
  stepFunctionsStandardStateTransitions: { usd: 0.025, per: 1_000 },
  lambdaArmGbSeconds: { usd: 0.0000133334, per: 1 },
  lambdaRequests: { usd: 0.2, per: 1_000_000 },
  sesOutboundEmails: { usd: 0.1, per: 1_000 },
  sesInboundEmails: { usd: 0.1, per: 1_000 },
} as const;

const price = (name: keyof typeof UNIT_PRICES_USD, units: number) =>
  (units * UNIT_PRICES_USD[name].usd) / UNIT_PRICES_USD[name].per;

/**
 * The function whose counted invocations carry each measured operation's history surcharge. The
 * follow-up's sweeps take the idle sweep's figures: most sweeps have nothing due.
 */
const SURCHARGED: Record<string, OperationName> = {
  'open-cycle': 'openCycle',
  'request-inputs': 'requestInputs',
  'ingest-email': 'ingestReply',
  'check-inputs': 'checkInputs',
  'compile-package': 'compilePackage',
  'distribute-package': 'distributePackage',
  'follow-up-actions': 'escalationSweepIdle',
};

/** What the history adds to the counted cycle's DynamoDB units (modelled, see the file comment). */
export interface HistorySurcharge {
  readonly modelled: string;
  readonly readUnits: number;
  readonly writeUnits: number;
}

export interface CostEstimate {
  /** Counted over one cycle run through the synthesized state machine. */
  readonly counted: {
    readonly cycleId: string;
    readonly simulatedDays: number;
    readonly stateTransitions: number;
    readonly lambdaInvocations: number;
    readonly lambdaGbSeconds: number;
    readonly emailsSent: number;
    readonly emailRecipients: number;
    readonly emailsReceived: number;
    readonly dynamodbReadUnits: number;
    readonly dynamodbWriteUnits: number;
  };
  readonly historySurcharge: HistorySurcharge;
  /** What the estimate leaves out. */
  readonly notCounted: readonly string[];
  readonly stateTransitions: number;
  readonly dynamodbReadUnits: number;
  readonly dynamodbWriteUnits: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly emails: number;
  readonly usd: {
    readonly dynamodb: number;
    readonly stepFunctions: number;
    readonly lambda: number;
    readonly ses: number;
    readonly total: number;
  };
}

export function historySurcharge(
  cycle: CycleFigures,
  small: SizeFigures,
  large: SizeFigures,
): HistorySurcharge {
  let readUnits = 0;
  let writeUnits = 0;
  for (const [id, operation] of Object.entries(SURCHARGED)) {
    const times = cycle.lambda[id]?.invocations ?? 0;
    const [from, to] = [small.operations[operation], large.operations[operation]];
    readUnits += Math.max(0, to.readUnits - from.readUnits) * times;
    writeUnits += Math.max(0, to.writeUnits - from.writeUnits) * times;
  }
  return {
    modelled:
      `per operation, capacity units at ${large.size.cycles} cycles/${large.size.closedActions} actions ` +
      `minus at ${small.size.cycles} cycles/${small.size.closedActions} actions, times the counted invocations`,
    readUnits: Math.round(readUnits),
    writeUnits: Math.round(writeUnits),
  };
}

/** What the local stack does not run, so the cycle cannot count it. */
const NOT_COUNTED = [
  'SES sending events (send, delivery, ...) delivered to record-mail-event through EventBridge',
  'S3 requests and storage of raw mail and evidence',
  'CloudWatch logs and metrics, X-Ray traces',
];

export function estimateCycleCost(cycle: CycleFigures, surcharge: HistorySurcharge): CostEstimate {
  const reads = cycle.dynamodb.readUnits + surcharge.readUnits;
  const writes = cycle.dynamodb.writeUnits + surcharge.writeUnits;
  const dynamodb = price('dynamodbReadRequestUnits', reads) + price('dynamodbWriteRequestUnits', writes);
  const stepFunctions = price('stepFunctionsStandardStateTransitions', cycle.stateTransitions);
  const lambda =
    price('lambdaArmGbSeconds', cycle.lambdaGbSeconds) + price('lambdaRequests', cycle.lambdaInvocations);
  const ses =
    price('sesOutboundEmails', cycle.emailRecipients) + price('sesInboundEmails', cycle.emailsReceived);
  const usd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;
  return {
    counted: {
      cycleId: cycle.cycleId,
      simulatedDays: cycle.simulatedDays,
      stateTransitions: cycle.stateTransitions,
      lambdaInvocations: cycle.lambdaInvocations,
      lambdaGbSeconds: cycle.lambdaGbSeconds,
      emailsSent: cycle.emailsSent,
      emailRecipients: cycle.emailRecipients,
      emailsReceived: cycle.emailsReceived,
      dynamodbReadUnits: Math.round(cycle.dynamodb.readUnits),
      dynamodbWriteUnits: Math.round(cycle.dynamodb.writeUnits),
    },
    historySurcharge: surcharge,
    notCounted: NOT_COUNTED,
    stateTransitions: cycle.stateTransitions,
    dynamodbReadUnits: Math.round(reads),
    dynamodbWriteUnits: Math.round(writes),
    lambdaInvocations: cycle.lambdaInvocations,
    lambdaGbSeconds: cycle.lambdaGbSeconds,
    emails: cycle.emailRecipients + cycle.emailsReceived,
    usd: {
      dynamodb: usd(dynamodb),
      stepFunctions: usd(stepFunctions),
      lambda: usd(lambda),
      ses: usd(ses),
      total: usd(dynamodb + stepFunctions + lambda + ses),
    },
  };
}

/**
 * What the stack costs each month with no review running, per resource that is billed by the month,
 * USD per resource-month (us-east-1 list prices):
 * - a KMS customer managed key, symmetric or asymmetric: USD 1.00 (its requests are counted per use);
 *   no free tier;
 * - a Secrets Manager secret: USD 0.40; no free tier (only a trial for new secrets, not counted);
 * - a standard-resolution CloudWatch alarm: USD 0.10 per metric it evaluates (a metric-math alarm
 *   pays for every metric in its expression); CloudWatch's always-free tier: 10 alarm metrics per
 *   account;
 * - a CloudWatch dashboard: USD 3.00; always free: 3 dashboards per account with up to 50 metrics each
 *   (a dashboard with more is billed).
 * The free tier is per account and region: another stack in the same account uses it up as well.
 */
export const FIXED_MONTHLY_PRICES_USD = {
  kmsKey: { usd: 1, per: 'key-month', type: 'AWS::KMS::Key' },
  secret: { usd: 0.4, per: 'secret-month', type: 'AWS::SecretsManager::Secret' },
  alarmMetric: { usd: 0.1, per: 'alarm-metric-month', type: 'AWS::CloudWatch::Alarm' },
  dashboard: { usd: 3, per: 'dashboard-month', type: 'AWS::CloudWatch::Dashboard' },
} as const;

export type FixedCostItem = keyof typeof FIXED_MONTHLY_PRICES_USD;

/** CloudWatch's always-free tier, per account and month (KMS keys and secrets have none). */
export const CLOUDWATCH_FREE_TIER = { alarmMetrics: 10, dashboards: 3, metricsPerDashboard: 50 } as const;

/** The resources of a synthesized CloudFormation template (its `Resources` section). */
export interface TemplateResources {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
}

export interface FixedMonthlyCost {
  /** How many of each billed unit the template holds. */
  readonly counted: Record<FixedCostItem, number>;
  /** The metrics on each dashboard (graph lines naming a metric; a SEARCH as the most it returns). */
  readonly dashboardMetrics: readonly number[];
  /** At list price. */
  readonly usd: Record<FixedCostItem, number> & { readonly total: number };
  /** After CloudWatch's always-free tier (CLOUDWATCH_FREE_TIER), were the stack alone in its account. */
  readonly usdAfterFreeTier: Record<FixedCostItem, number> & { readonly total: number };
  /** What grows with use rather than by the month, left out here. */
  readonly notCounted: readonly string[];
}

/** The metrics an alarm evaluates: one, or each metric of its metric-math expression. */
function alarmMetrics(properties: unknown): number {
  const metrics = (properties as { Metrics?: { MetricStat?: unknown }[] } | undefined)?.Metrics;
  return metrics ? Math.max(1, metrics.filter((m) => m.MetricStat !== undefined).length) : 1;
}

export class UnreadableDashboardBody extends Error {
  override name = 'UnreadableDashboardBody' as const;
}

/** The most time series one SEARCH expression returns (CloudWatch's limit): what a dashboard may show for it. */
export const SEARCH_EXPRESSION_MAX_METRICS = 500;

/**
 * The metrics a dashboard shows: every graph line that names a metric (`[namespace, name, ...]`),
 * shown or only used by an expression. A math expression line (`[{ expression }]`) adds no metric of
 * its own (its inputs are lines already counted); a SEARCH expression finds its metrics when the
 * dashboard is viewed, which the template cannot bound, so it counts as the most it can return
 * (SEARCH_EXPRESSION_MAX_METRICS).
 * The body is a string or an `Fn::Join` of strings and references (each read as a placeholder).
 */
export function dashboardMetricCount(properties: unknown): number {
  const body = (properties as { DashboardBody?: unknown } | undefined)?.DashboardBody;
  const join = (body as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  const text =
    typeof body === 'string'
      ? body
      : join
        ? join[1].map((part) => (typeof part === 'string' ? part : 'reference')).join(join[0])
        : undefined;
  let widgets: unknown;
  try {
    widgets = text === undefined ? undefined : (JSON.parse(text) as { widgets?: unknown }).widgets;
  } catch (error) {
    throw new UnreadableDashboardBody(`The dashboard body is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(widgets)) {
    throw new UnreadableDashboardBody(
      'The dashboard body has no widgets list (a string or Fn::Join of JSON)',
    );
  }
  const metricsOf = (line: unknown[]): number => {
    if (typeof line[0] === 'string') return 1;
    const expression = (line[0] as { expression?: unknown } | undefined)?.expression;
    return typeof expression === 'string' && /\bSEARCH\s*\(/i.test(expression)
      ? SEARCH_EXPRESSION_MAX_METRICS
      : 0;
  };
  return widgets
    .flatMap((widget: { properties?: { metrics?: unknown[][] } }) => widget.properties?.metrics ?? [])
    .reduce((total, line) => total + metricsOf(line), 0);
}

/** The fixed monthly cost of the resources in `template`, counted by type. */
export function fixedMonthlyCost(template: TemplateResources): FixedMonthlyCost {
  const counted: Record<FixedCostItem, number> = { kmsKey: 0, secret: 0, alarmMetric: 0, dashboard: 0 };
  const dashboardMetrics: number[] = [];
  const items = Object.entries(FIXED_MONTHLY_PRICES_USD) as [FixedCostItem, { type: string }][];
  for (const resource of Object.values(template.Resources)) {
    const item = items.find(([, price]) => price.type === resource.Type)?.[0];
    if (!item) continue;
    counted[item] += item === 'alarmMetric' ? alarmMetrics(resource.Properties) : 1;
    if (item === 'dashboard') dashboardMetrics.push(dashboardMetricCount(resource.Properties));
  }
  const free = CLOUDWATCH_FREE_TIER;
  const freeDashboards = Math.min(
    free.dashboards,
    dashboardMetrics.filter((metrics) => metrics <= free.metricsPerDashboard).length,
  );
  const billed: Record<FixedCostItem, number> = {
    ...counted,
    alarmMetric: Math.max(0, counted.alarmMetric - free.alarmMetrics),
    dashboard: counted.dashboard - freeDashboards,
  };
  const cents = (value: number) => Math.round(value * 100) / 100;
  const priced = (units: Record<FixedCostItem, number>) => {
    const usd = Object.fromEntries(
      items.map(([item]) => [item, cents(units[item] * FIXED_MONTHLY_PRICES_USD[item].usd)]),
    ) as Record<FixedCostItem, number>;
    return { ...usd, total: cents(Object.values(usd).reduce((a, b) => a + b, 0)) };
  };
  return {
    counted,
    dashboardMetrics,
    usd: priced(counted),
    usdAfterFreeTier: priced(billed),
    notCounted: [
      'storage (DynamoDB, S3, CloudWatch Logs), which grows with the records kept',
      'the daily scheduled runs (anchoring, held-mail digest) and the reply key rotation: requests and GB-seconds, under a cent a month',
    ],
  };
}
