/**
 * The operations dashboard (CloudWatch), one page an operator reads top to bottom:
 *
 *   review-cycle executions   started, succeeded, failed, timed out, aborted (the state machine)
 *   inbound mail              InboundMessage by its `outcome` dimension (accepted, rejected, held,
 *                             ignored, dropped): one metric, one line per outcome, as ingest-email
 *                             emits it through Powertools (namespace METRICS_NAMESPACE)
 *   steps                     failures (errors) per function: each step's failures are what a person
 *                             acts on; completions show as the executions above and the invocations below
 *   queues                    depth of the failure queue (every function's failed asynchronous
 *                             invocations) and of each dead-letter queue (alarmed on as well)
 *   mail                      SES bounces and complaints (account-level SES metrics) and their rates
 *   cost drivers              state transitions (Step Functions' StateTransition capacity), function
 *                             invocations (Lambda's aggregate of every function), emails sent, all
 *                             three for the account and region; DynamoDB capacity consumed by the table
 *
 * A dashboard costs USD 3 a month unless it is one of the account's 3 free dashboards of at most 50
 * metrics (bench/cost.ts counts them from the template): every metric a graph names counts, shown or
 * only used by an expression, and a SEARCH expression could return up to 500, so there is none here.
 * MAX_DASHBOARD_METRICS keeps it inside the free tier (test/infra/operations.test.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IngestOutcome } from '#shared/ingest/pipeline.ts';
import { METRICS_NAMESPACE, type IsmsFunction } from '#infra/constructs/isms-function.ts';

export interface DashboardProps {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: ReadonlyMap<string, IsmsFunction>;
  readonly table: dynamodb.ITable;
  /** The one on-failure queue of every function's asynchronous invocations. */
  readonly failureQueue: sqs.IQueue;
  readonly schedulesDeadLetterQueue: sqs.IQueue;
  readonly mailEventsDeadLetterQueue: sqs.IQueue;
}

/** The metric ingest-email emits once per inbound message, with its `outcome` as a dimension. */
export const INBOUND_MESSAGE_METRIC = 'InboundMessage';

/** Every outcome ingest-email reports: a record, so that a new outcome cannot be left off the graph. */
const OUTCOMES: Readonly<Record<IngestOutcome, true>> = {
  accepted: true,
  rejected: true,
  held: true,
  ignored: true,
  dropped: true,
};
/** The inbound-mail graph's lines, in order. */
export const INBOUND_OUTCOMES = Object.keys(OUTCOMES) as readonly IngestOutcome[];

/** Powertools' `service` dimension of the stack's metrics (POWERTOOLS_SERVICE_NAME). */
const METRICS_SERVICE = 'isms-review';

/** At most the metrics of one of CloudWatch's free dashboards. */
export const MAX_DASHBOARD_METRICS = 50;

const PERIOD = Duration.hours(1);
const WIDTH = 12;
const HEIGHT = 6;

/** The dashboard's name: the stack's name and `-operations`. */
export const dashboardName = (stack: Stack): string => `${stack.stackName}-operations`;

export function createDashboard(stack: Stack, props: DashboardProps): cloudwatch.Dashboard {
  const sum = { statistic: cloudwatch.Stats.SUM, period: PERIOD };
  const max = { statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD };
  const graph = (
    title: string,
    left: cloudwatch.IMetric[],
    extra: Partial<cloudwatch.GraphWidgetProps> = {},
  ) => new cloudwatch.GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...extra });
  const functions = [...props.functions];
  const { stateMachine } = props;

  const executions = graph('Review-cycle executions', [
    stateMachine.metricStarted({ ...sum, label: 'started' }),
    stateMachine.metricSucceeded({ ...sum, label: 'succeeded' }),
    stateMachine.metricFailed({ ...sum, label: 'failed' }),
    stateMachine.metricTimedOut({ ...sum, label: 'timed out' }),
    stateMachine.metricAborted({ ...sum, label: 'aborted' }),
  ]);
  const failures = graph(
    'Steps: failures (errors per function)',
    functions.map(([id, fn]) => fn.function.metricErrors({ ...sum, label: id })),
  );
  const inbound = graph(
    'Inbound mail by outcome',
    INBOUND_OUTCOMES.map(
      (outcome) =>
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: INBOUND_MESSAGE_METRIC,
          dimensionsMap: { outcome, service: METRICS_SERVICE },
          label: outcome,
          ...sum,
        }),
    ),
  );
  const queues = graph('Failure and dead-letter queues: messages waiting', [
    props.failureQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'failed invocations' }),
    props.schedulesDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'schedules' }),
    props.mailEventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
      ...max,
      label: 'mail events',
    }),
  ]);
  const ses = (metricName: string, label: string, statistic: string) =>
    new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, label, statistic, period: PERIOD });
  const mail = graph(
    'Mail: bounces and complaints (SES, account)',
    [ses('Bounce', 'bounces', cloudwatch.Stats.SUM), ses('Complaint', 'complaints', cloudwatch.Stats.SUM)],
    {
      right: [
        ses('Reputation.BounceRate', 'bounce rate', cloudwatch.Stats.MAXIMUM),
        ses('Reputation.ComplaintRate', 'complaint rate', cloudwatch.Stats.MAXIMUM),
      ],
    },
  );
  const costDrivers = graph(
    'Cost drivers',
    [
      new cloudwatch.Metric({
        namespace: 'AWS/States',
        metricName: 'ConsumedCapacity',
        dimensionsMap: { ServiceMetric: 'StateTransition' },
        label: 'state transitions (account, region)',
        ...sum,
      }),
      // Lambda's aggregate over every function: one metric, where a sum of this stack's functions
      // would put each of them on the dashboard's bill.
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'Invocations',
        label: 'function invocations (account, region)',
        ...sum,
      }),
      ses('Send', 'emails sent', cloudwatch.Stats.SUM),
    ],
    {
      right: [
        props.table.metricConsumedReadCapacityUnits({ ...sum, label: 'table read units' }),
        props.table.metricConsumedWriteCapacityUnits({ ...sum, label: 'table write units' }),
      ],
    },
  );

  const dashboard = new cloudwatch.Dashboard(stack, 'OperationsDashboard', {
    dashboardName: dashboardName(stack),
    defaultInterval: Duration.days(7),
  });
  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown:
        '# isms-review operations\nExecutions and steps of the review cycle, inbound mail, queues that need a person, ' +
        'mail reputation and what the bill grows with. Alarms notify the alarm topic (stack output AlarmTopicArn).',
      width: 2 * WIDTH,
      height: 2,
    }),
  );
  dashboard.addWidgets(executions, inbound);
  dashboard.addWidgets(failures, queues);
  dashboard.addWidgets(mail, costDrivers);
  return dashboard;
}
