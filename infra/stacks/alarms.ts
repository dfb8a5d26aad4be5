/**
 * Alarms: an SNS topic (encrypted with the operations key) and an alarm on anything that needs a
 * person: failed, timed-out or aborted review-cycle executions, function errors, and every
 * failure or dead-letter queue that is not empty.
 */
import { Duration } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IsmsFunction } from '#infra/constructs/isms-function.ts';
import { pascalCase } from './stack-input.ts';

export interface AlarmsProps {
  readonly opsKey: kms.Key;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: ReadonlyMap<string, IsmsFunction>;
  readonly schedulesDeadLetterQueue: sqs.Queue;
  readonly mailEventsDeadLetterQueue: sqs.Queue;
}

/** The alarms and the topic they notify, which the stack outputs for subscription. */
export function createAlarms(stack: Stack, props: AlarmsProps): sns.Topic {
  const alarmTopic = new sns.Topic(stack, 'AlarmTopic', {
    displayName: 'isms-review alarms',
    masterKey: props.opsKey,
    enforceSSL: true,
  });
  const alarmAction = new SnsAction(alarmTopic);
  const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string): void => {
    new cloudwatch.Alarm(stack, alarmId, {
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    }).addAlarmAction(alarmAction);
  };
  const sum = { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) };
  const max = { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) };
  const { stateMachine } = props;
  alarm('ReviewCycleFailedAlarm', stateMachine.metricFailed(sum), 'A review-cycle execution failed');
  alarm('ReviewCycleTimedOutAlarm', stateMachine.metricTimedOut(sum), 'A review-cycle execution timed out');
  alarm('ReviewCycleAbortedAlarm', stateMachine.metricAborted(sum), 'A review-cycle execution was aborted');
  for (const [fnId, fn] of props.functions) {
    const name = pascalCase(fnId);
    alarm(`${name}ErrorsAlarm`, fn.function.metricErrors(sum), `${fnId} returned errors`);
    alarm(
      `${name}FailureQueueAlarm`,
      fn.failureQueue.metricApproximateNumberOfMessagesVisible(max),
      `Asynchronous invocations of ${fnId} failed for good and wait in its failure queue`,
    );
  }
  alarm(
    'SchedulesDeadLetterQueueAlarm',
    props.schedulesDeadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
    'A scheduled review did not start: see the schedules dead-letter queue',
  );
  alarm(
    'MailEventsDeadLetterQueueAlarm',
    props.mailEventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible(max),
    'Mail delivery events were not recorded: see the mail events dead-letter queue',
  );
  return alarmTopic;
}
