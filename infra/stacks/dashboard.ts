/**
 * The operations dashboard (CloudWatch), one page an operator reads top to bottom:
 *
 *   review-cycle executions   started, succeeded, failed, timed out, aborted (the state machine)
 *   steps                     completions (invocations) and failures (errors) per function
 *   inbound mail              InboundMessage by its `outcome` dimension (accepted, rejected, held,
 *                             ignored, dropped): one metric, every outcome a line, as ingest-email
 *                             emits it through Powertools (namespace METRICS_NAMESPACE)
 *   queues                    depth of the failure queue (every function's failed asynchronous
 *                             invocations) and of each dead-letter queue (alarmed on as well)
 *   mail                      SES bounces and complaints (account-level SES metrics) and their rates
 *   cost drivers              state transitions (Step Functions' StateTransition capacity, account
 *                             and region), function invocations of this stack, emails sent,
 *                             DynamoDB capacity consumed by the table
 *
 * A dashboard is a fixed monthly cost (bench/cost.ts counts it from the template).
 */
import { Duration } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
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
  const completions = graph(
    'Steps: completions (invocations per function)',
    functions.map(([id, fn]) => fn.function.metricInvocations({ ...sum, label: id })),
  );
  const failures = graph(
    'Steps: failures (errors per function)',
    functions.map(([id, fn]) => fn.function.metricErrors({ ...sum, label: id })),
  );
  const inbound = graph('Inbound mail by outcome', [
    new cloudwatch.MathExpression({
      // Every outcome the function has emitted, one line each, labelled with the outcome.
      expression: `SEARCH('{${METRICS_NAMESPACE},outcome,service} MetricName="${INBOUND_MESSAGE_METRIC}"', 'Sum', ${PERIOD.toSeconds()})`,
      label: '',
      period: PERIOD,
    }),
  ]);
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
  const invocations = Object.fromEntries(
    functions.map(([, fn], i) => [`f${i}`, fn.function.metricInvocations(sum)] as const),
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
      new cloudwatch.MathExpression({
        expression: `SUM([${Object.keys(invocations).join(',')}])`,
        usingMetrics: invocations,
        label: 'function invocations (this stack)',
        period: PERIOD,
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
  dashboard.addWidgets(completions, failures);
  dashboard.addWidgets(queues, mail);
  dashboard.addWidgets(costDrivers);
  return dashboard;
}
