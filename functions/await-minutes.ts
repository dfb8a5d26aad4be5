// functions/await-minutes.ts: parks the workflow's task token until valid minutes are accepted (never logs the token).
import * as z from 'zod';
import { awaitPeople } from '#shared/cycle/service.ts';
import { clock } from '#shared/wiring/clock.ts';
import { TokenTaskEvent, lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';
import { workflow } from '#shared/wiring/workflow.ts';

/** The stamp of the cycle's dates its timeout was worked out for ($.minutes.stamp): a move since resumes at once. */
export const StampedTokenEvent = z.looseObject({
  ...TokenTaskEvent.shape,
  stamp: z.optional(z.string().min(1)),
});

export const handler = lambdaHandler({
  event: StampedTokenEvent,
  deps: { repo: repository, clock, workflow },
  run: (deps, { cycleId, taskToken, stamp }) =>
    awaitPeople(deps, { cycleId, taskToken, purpose: 'minutes', stamp }),
});
