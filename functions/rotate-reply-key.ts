// functions/rotate-reply-key.ts: Secrets Manager's rotation function for the reply keyring secret.
//
// Secrets Manager invokes it four times per rotation (createSecret, setSecret, testSecret,
// finishSecret); shared/adapters/reply-key-rotation.ts does each step. A rotation publishes a new
// key, lets the key published by the previous rotation start signing, and drops keys whose tokens
// have all expired.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { logger, metrics } from '#shared/adapters/runtime.ts';
import { rotateReplyKey, type RotationResult } from '#shared/adapters/reply-key-rotation.ts';
import { systemClock } from '#shared/clock.ts';

let secrets: SecretsManagerClient | undefined;

async function run(event: unknown): Promise<RotationResult> {
  secrets ??= new SecretsManagerClient({});
  const result = await rotateReplyKey({ secrets, clock: systemClock }, event);
  // The step and its outcome, and the key ids: never a key.
  logger.info('reply keyring rotation step', { ...result });
  metrics.addMetric(`ReplyKeyRotation_${result.step}`, MetricUnit.Count, 1);
  return result;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
