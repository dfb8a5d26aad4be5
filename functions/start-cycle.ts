// functions/start-cycle.ts: the schedule's target: starts the review cycle named by its scheduled time.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '#shared/adapters/runtime.ts';
import { SfnWorkflow } from '#shared/adapters/sfn-workflow.ts';
import { StartRequest, startCycle } from '#shared/cycle/start.ts';

const workflow = new SfnWorkflow();

export const handler = middy(async (event: unknown) => {
  const request = StartRequest.parse({ programmeId: process.env.PROGRAMME_ID, ...(event as object) });
  const result = await startCycle(workflow, process.env.STATE_MACHINE_ARN, request);
  logger.info(result.started ? 'cycle started' : 'cycle already started', { cycleId: result.cycleId });
  return result;
}).use(injectLambdaContext(logger, { clearState: true }));
