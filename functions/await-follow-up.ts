// functions/await-follow-up.ts: parks the workflow's task token until the next follow-up step falls due, or an action or the programme changes (never logs the token).
import * as z from 'zod';
import { awaitFollowUp } from '#shared/cycle/service.ts';
import { UtcTimestamp } from '#shared/model/common.ts';
import { clock } from '#shared/wiring/clock.ts';
import { TokenTaskEvent, lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';
import { workflow } from '#shared/wiring/workflow.ts';

/** When FollowUp found something next falls due ($.followUp.dueAt): null when nothing is. */
export const FollowUpTokenEvent = z.looseObject({ ...TokenTaskEvent.shape, dueAt: z.nullable(UtcTimestamp) });

export const handler = lambdaHandler({
  event: FollowUpTokenEvent,
  deps: { repo: repository, clock, workflow },
  run: (deps, { cycleId, taskToken, dueAt }) => awaitFollowUp(deps, { cycleId, taskToken, dueAt }),
  report: ({ resumed }, { logger }) => {
    if (resumed) logger.info('an action or the programme changed before the wait parked: resumed at once');
  },
});
