/**
 * Operations: the CloudWatch dashboard in the stack (what it shows, cdk-nag clean) and the fixed
 * monthly cost the bench counts from the synthesized template.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE } from '#infra/constructs/isms-function.ts';
import { functions as registry } from '#infra/functions.ts';
import { unacknowledgedFindings } from '#infra/nag.ts';
import { createIsmsReviewApp } from '#infra/stacks/app.ts';
import {
  dashboardName,
  INBOUND_MESSAGE_METRIC,
  INBOUND_OUTCOMES,
  MAX_DASHBOARD_METRICS,
} from '#infra/stacks/dashboard.ts';
import {
  dashboardMetricCount,
  fixedMonthlyCost,
  SEARCH_EXPRESSION_MAX_METRICS,
  UnreadableDashboardBody,
  type TemplateResources,
} from '../../bench/cost.ts';
import { cfnPlaceholder, logicalId, resourcesOfType, testContext, testProgramme } from './support.ts';

const { app, stack } = createIsmsReviewApp({
  programme: testProgramme,
  context: testContext(),
  cloudFormationValidation: false,
});
const template = Template.fromStack(stack);
const json = template.toJSON() as TemplateResources & { Outputs: Record<string, { Value: unknown }> };

/** One line of a graph: `[namespace, metric, dimension, value, ..., options]`, or an expression. */
type MetricLine = (string | Record<string, unknown>)[];
interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: MetricLine[] };
}

/** The dashboard's widgets, each reference in its body as its `cfnPlaceholder` (`${Queue.QueueName}`). */
function dashboardWidgets(): Widget[] {
  const dashboards = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]![1].Properties!.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) =>
      typeof part === 'string' ? part : cfnPlaceholder(part as Parameters<typeof cfnPlaceholder>[0]),
    )
    .join(body['Fn::Join'][0]);
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** The lines of the graph titled `title`. */
function graph(title: string): MetricLine[] {
  const found = dashboardWidgets().find((w) => w.properties.title === title);
  if (!found) throw new Error(`no graph titled "${title}" on the dashboard`);
  return found.properties.metrics ?? [];
}

const named = (lines: MetricLine[]) =>
  lines.map((line) => line.filter((p) => typeof p === 'string').join(' '));
const ref = (construct: Parameters<typeof logicalId>[0]) => cfnPlaceholder({ Ref: logicalId(construct) });

describe('operations dashboard', () => {
  it('is named after the stack and given as an output', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: dashboardName(stack) });
    expect(json.Outputs.DashboardName?.Value).toBe(`${stack.stackName}-operations`);
  });

  it('shows the review-cycle executions and, per function, its failures', () => {
    const machine = ref(stack.stateMachine);
    expect(named(graph('Review-cycle executions'))).toEqual(
      ['Started', 'Succeeded', 'Failed', 'TimedOut', 'Aborted'].map(
        (what) => `AWS/States Executions${what} StateMachineArn ${machine}`,
      ),
    );
    expect(stack.functions.size).toBe(registry.length);
    const perFunction = (metric: string) =>
      [...stack.functions.values()].map((fn) => `AWS/Lambda ${metric} FunctionName ${ref(fn.function)}`);
    expect(named(graph('Steps: failures (errors per function)'))).toEqual(perFunction('Errors'));
    // Each line is labelled with the function's registry id.
    const labels = graph('Steps: failures (errors per function)').map(
      (line) => (line.at(-1) as { label?: string }).label,
    );
    expect(labels).toEqual([...stack.functions.keys()]);
  });

  it('shows inbound mail as one metric split by its outcome dimension, a line per outcome', () => {
    const lines = graph('Inbound mail by outcome');
    expect(INBOUND_OUTCOMES).toEqual(['accepted', 'rejected', 'held', 'ignored', 'dropped']);
    expect(named(lines)).toEqual(
      INBOUND_OUTCOMES.map(
        (outcome) => `${METRICS_NAMESPACE} ${INBOUND_MESSAGE_METRIC} outcome ${outcome} service isms-review`,
      ),
    );
    expect(lines.map((line) => (line.at(-1) as { label?: string }).label)).toEqual([...INBOUND_OUTCOMES]);
  });

  it('stays within a free dashboard: at most 50 metrics, no SEARCH expression', () => {
    const lines = dashboardWidgets().flatMap((widget) => widget.properties.metrics ?? []);
    const expressions = lines.filter((line) => typeof line[0] === 'object');
    expect(expressions).toEqual([]);
    const metrics = lines.filter((line) => typeof line[0] === 'string').length;
    expect(metrics).toBeLessThanOrEqual(MAX_DASHBOARD_METRICS);
    expect(MAX_DASHBOARD_METRICS).toBe(50);
    expect(fixedMonthlyCost(json).dashboardMetrics).toEqual([metrics]);
  });

  it('shows the depth of the one failure queue and of each dead-letter queue', () => {
    const queues = [stack.failureQueue, stack.schedulesDeadLetterQueue, stack.mailEventsDeadLetterQueue];
    expect(named(graph('Failure and dead-letter queues: messages waiting'))).toEqual(
      queues.map(
        (queue) =>
          `AWS/SQS ApproximateNumberOfMessagesVisible QueueName ${cfnPlaceholder({ 'Fn::GetAtt': [logicalId(queue), 'QueueName'] })}`,
      ),
    );
  });

  it('shows SES bounces and complaints, and what the bill grows with', () => {
    expect(named(graph('Mail: bounces and complaints (SES, account)'))).toEqual([
      'AWS/SES Bounce',
      'AWS/SES Complaint',
      'AWS/SES Reputation.BounceRate',
      'AWS/SES Reputation.ComplaintRate',
    ]);
    const cost = graph('Cost drivers');
    expect(named(cost)).toContain('AWS/States ConsumedCapacity ServiceMetric StateTransition');
    expect(named(cost)).toContain('AWS/SES Send');
    expect(named(cost)).toContain(`AWS/DynamoDB ConsumedWriteCapacityUnits TableName ${ref(stack.table)}`);
    // Every function's invocations as Lambda's one aggregate metric (no dimension), not one per function.
    expect(named(cost)).toContain('AWS/Lambda Invocations');
  });

  it('passes cdk-nag with the rest of the stack', () => {
    expect(unacknowledgedFindings(app)).toEqual([]);
  });
});

describe('fixed monthly cost', () => {
  it('refuses a dashboard whose body it cannot read, naming it', () => {
    const dashboard = (DashboardBody: unknown) =>
      fixedMonthlyCost({
        Resources: { Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody } } },
      });
    expect(() => dashboard('{"widgets": [')).toThrow(UnreadableDashboardBody);
    expect(() => dashboard({ 'Fn::Sub': 'x' })).toThrow(/no widgets list/);
  });

  it('counts a SEARCH expression as the most metrics it can return, a math expression as none of its own', () => {
    const body = (metrics: unknown[][]) => ({
      DashboardBody: JSON.stringify({ widgets: [{ type: 'metric', properties: { metrics } }] }),
    });
    const search = `SEARCH('{IsmsReview,outcome,service} MetricName="InboundMessage"', 'Sum', 3600)`;
    expect(dashboardMetricCount(body([[{ expression: search }]]))).toBe(SEARCH_EXPRESSION_MAX_METRICS);
    expect(SEARCH_EXPRESSION_MAX_METRICS).toBe(500);
    expect(
      dashboardMetricCount(
        body([
          [{ expression: 'SUM([a,b])' }],
          ['AWS/Lambda', 'Errors', 'FunctionName', 'a', { id: 'a', visible: false }],
          ['AWS/Lambda', 'Errors', 'FunctionName', 'b', { id: 'b', visible: false }],
        ]),
      ),
    ).toBe(2);
  });

  it("deducts CloudWatch's always-free tier: 10 alarm metrics, 3 dashboards of up to 50 metrics each", () => {
    // A body as CDK writes it: JSON split around each reference (here every function name).
    const board = (metrics: number) => {
      const text = JSON.stringify({
        widgets: [
          {
            type: 'metric',
            properties: {
              metrics: Array.from({ length: metrics }, () => ['AWS/Lambda', 'Errors', 'FunctionName', '@']),
            },
          },
          { type: 'metric', properties: { metrics: [[{ expression: 'SUM(METRICS())' }]] } },
          { type: 'text', properties: { markdown: 'notes' } },
        ],
      });
      const parts = text.split('@').flatMap((part, i) => (i === 0 ? [part] : [{ Ref: `Fn${i}` }, part]));
      return {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: { DashboardBody: { 'Fn::Join': ['', parts] } },
      };
    };
    const alarms = (n: number) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [
          `Alarm${i}`,
          { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        ]),
      );
    const over = fixedMonthlyCost({ Resources: { ...alarms(12), Big: board(51), Small: board(50) } });
    expect(over.dashboardMetrics).toEqual([51, 50]);
    expect(over.usd).toMatchObject({ alarmMetric: 1.2, dashboard: 6, total: 7.2 });
    // The dashboard of 51 metrics is billed; 2 of the 12 alarm metrics are.
    expect(over.usdAfterFreeTier).toMatchObject({ alarmMetric: 0.2, dashboard: 3, total: 3.2 });
    const within = fixedMonthlyCost({
      Resources: {
        ...alarms(10),
        Key: { Type: 'AWS::KMS::Key' },
        Secret: { Type: 'AWS::SecretsManager::Secret' },
        Board: board(3),
      },
    });
    // KMS keys and secrets have no free tier.
    expect(within.usdAfterFreeTier).toEqual({
      kmsKey: 1,
      secret: 0.4,
      alarmMetric: 0,
      dashboard: 0,
      total: 1.4,
    });
  });
  it('counts each metric of a metric-math alarm, one for a plain alarm, and ignores what is not billed by the month', () => {
    const cost = fixedMonthlyCost({
      Resources: {
        Math: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'a+b' }] },
        },
        Plain: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
    });
    expect(cost.counted).toEqual({ kmsKey: 0, secret: 0, alarmMetric: 3, dashboard: 0 });
    expect(cost.usd.total).toBe(0.3);
  });

  it('is counted from the synthesized stack: its keys, secrets, alarms and the dashboard', () => {
    const count = (type: string) => resourcesOfType(template, type).length;
    const cost = fixedMonthlyCost(json);
    // Every alarm of the stack watches one metric.
    expect(cost.counted).toEqual({
      kmsKey: count('AWS::KMS::Key'),
      secret: count('AWS::SecretsManager::Secret'),
      alarmMetric: count('AWS::CloudWatch::Alarm'),
      dashboard: 1,
    });
    expect(cost.counted.kmsKey).toBeGreaterThanOrEqual(2);
    expect(cost.usd.dashboard).toBe(3);
    expect(cost.usd.total).toBeCloseTo(
      cost.counted.kmsKey * 1 + cost.counted.secret * 0.4 + cost.counted.alarmMetric * 0.1 + 3,
      2,
    );
    // The dashboard's metrics: every graph line naming one (read here from the body independently).
    const lines = dashboardWidgets().flatMap((widget) => widget.properties.metrics ?? []);
    expect(cost.dashboardMetrics).toEqual([lines.filter((line) => typeof line[0] === 'string').length]);
    // The alarms fit in the free tier; keys and secrets have none.
    expect(cost.counted.alarmMetric).toBeLessThanOrEqual(10);
    expect(cost.usdAfterFreeTier.alarmMetric).toBe(0);
    expect(cost.usdAfterFreeTier.kmsKey).toBe(cost.usd.kmsKey);
    expect(cost.usdAfterFreeTier.secret).toBe(cost.usd.secret);
    // The dashboard is one of the free ones (at most 50 metrics).
    expect(cost.usdAfterFreeTier.dashboard).toBe(0);
  });
});
