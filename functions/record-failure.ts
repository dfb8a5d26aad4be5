// functions/record-failure.ts: records a workflow failure on the cycle and tells the ISMS manager.
import * as z from 'zod';
import { recordFailure } from '#shared/cycle/service.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { failureNotifier } from '#shared/wiring/failure-notifier.ts';
import { repository } from '#shared/wiring/repository.ts';

// Whatever the state machine's Catch passes is recorded: recordFailure reads what it can of it.
export const handler = lambdaHandler({
  event: z.unknown(),
  deps: { repo: repository, clock, notifier: failureNotifier },
  run: recordFailure,
});
