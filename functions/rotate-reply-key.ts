// functions/rotate-reply-key.ts: Secrets Manager's rotation function for the reply keyring secret.
//
// Secrets Manager invokes it four times per rotation (createSecret, setSecret, testSecret,
// finishSecret); shared/adapters/reply-key-rotation.ts does each step. A rotation publishes a new
// key, lets the key published by the previous rotation start signing, and drops keys whose tokens
// have all expired.
import * as z from 'zod';
import { rotateReplyKey } from '#shared/adapters/reply-key-rotation.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { secretsManager } from '#shared/wiring/secrets.ts';

// The event is checked by rotateReplyKey (InvalidRotationEvent), step by step.
export const handler = lambdaHandler({
  event: z.unknown(),
  deps: { secrets: secretsManager, clock },
  run: rotateReplyKey,
  workflowStep: false,
  report: (result, { logger, count }) => {
    // The step and its outcome, and the key ids: never a key.
    logger.info('reply keyring rotation step', { ...result });
    count(`ReplyKeyRotation_${result.step}`);
  },
});
