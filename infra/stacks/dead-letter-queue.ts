/**
 * The stack's dead-letter queues (scheduled starts, mail events): each holds what a service could
 * not deliver, and its depth is alarmed on (alarms.ts).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** An SQS dead-letter queue (SSE, TLS only, 14 days) that the stack alarms on. */
export function deadLetterQueue(scope: Construct, queueId: string, holds: string): sqs.Queue {
  const queue = new sqs.Queue(scope, queueId, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself a dead-letter queue (it holds ${holds}); its depth is alarmed on.`,
  });
  Validations.of(queue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: `This queue is itself a dead-letter queue (it holds ${holds}); nothing consumes it automatically.`,
  });
  return queue;
}
