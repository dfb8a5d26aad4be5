/**
 * Alarms: an SNS topic (encrypted with the operations key) and one alarm on each thing that needs a
 * person, each watched once. CloudWatch bills an alarm per metric it evaluates, and an account's
 * first 10 alarm metrics are free: the stack keeps to 8.
 *
 *   ReviewCycleFailed / TimedOut / Aborted   a review-cycle execution ended without its outcome. Every
 *                                            function the state machine invokes surfaces here, after
 *                                            the machine's retries and RecordFailure. Three alarms,
 *                                            not one on their metric-math sum: the sum is billed as
 *                                            its three metrics all the same, and the alarm's name
 *                                            says which.
 *   FailureQueue                             an asynchronous invocation failed after Lambda's retries:
 *                                            ingest-email (SES), start-cycle, held-mail-digest and the
 *                                            daily anchor-chain (schedules), record-mail-event
 *                                            (EventBridge). One queue for every function; each
 *                                            record names its function (requestContext.functionArn).
 *   SchedulesDeadLetterQueue                 a schedule could not invoke its function at all.
 *   MailEventsDeadLetterQueue                SES mail events could not be delivered to the function.
 *   WebApi5xx                                the web app answered with a server error (the web
 *                                            function's errors reach people as these).
 *   ReplyKeyRotationErrors                   Secrets Manager calls rotate-reply-key itself, outside the
 *                                            failure queue; a failed step may leave AWSPENDING set,
 *                                            which blocks the next rotation.
 *
 * Not alarmed one by one: the errors of functions the state machine invokes (a retry that then
 * succeeds needs nobody; one that does not fails the execution) and the deploy-time custom resource
 * publish-anchor-key (its failure fails the deployment). The dashboard shows every function's errors.
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
import type { Web } from './web.ts';

/** The registry id of the reply keyring's rotation function, whose errors are alarmed on. */
export const REPLY_KEY_ROTATION_FUNCTION_ID = 'rotate-reply-key';

export interface AlarmsProps {
  readonly dataKey: kms.Key;
  readonly stateMachine: sfn.StateMachine;
  readonly functions: ReadonlyMap<string, IsmsFunction>;
  /** The one on-failure queue of every function's asynchronous invocations. */
  readonly failureQueue: sqs.IQueue;
  /** The HTTP API of the web app (undefined when the registry has no web function). */
  readonly web: Web | undefined;
  readonly schedulesDeadLetterQueue: sqs.IQueue;
  readonly mailEventsDeadLetterQueue: sqs.IQueue;
}

/** The alarms and the topic they notify, which the stack outputs for subscription. */
export function createAlarms(stack: Stack, props: AlarmsProps): sns.Topic {
  const alarmTopic = new sns.Topic(stack, 'AlarmTopic', {
    displayName: 'isms-review alarms',
    masterKey: props.dataKey,
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
  alarm(
    'FailureQueueAlarm',
    props.failureQueue.metricApproximateNumberOfMessagesVisible(max),
    'An asynchronous invocation failed for good and waits in the failure queue (each record names its function)',
  );
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
  if (props.web) {
    alarm(
      'WebApi5xxAlarm',
      props.web.api.metricServerError(sum),
      'The web app answered with server errors (5xx): see the web function and the API access logs',
    );
  }
  const rotation = props.functions.get(REPLY_KEY_ROTATION_FUNCTION_ID);
  if (rotation) {
    alarm(
      'ReplyKeyRotationErrorsAlarm',
      rotation.function.metricErrors(sum),
      'A rotation step of the reply keyring failed: see the rotate-reply-key logs and the staging labels of the secret',
    );
  }
  return alarmTopic;
}
