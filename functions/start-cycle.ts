// functions/start-cycle.ts: the schedule's target: starts the review cycle of the period its
// scheduled time falls in, or returns the one that already holds that period.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '#shared/adapters/runtime.ts';
import { repositoryFromEnv } from '#shared/adapters/dynamodb-repository.ts';
import { SfnWorkflow } from '#shared/adapters/sfn-workflow.ts';
import { clockFromEnvironment, type Clock } from '#shared/clock.ts';
import {
  loadProgramme,
  StartRequest,
  startCycle,
  type StartResult,
  type Starter,
} from '#shared/cycle/start.ts';
import type { PeriodClaims } from '#shared/store/periods.ts';
import type { ProgrammeStore } from '#shared/store/programmes.ts';

export interface StartCycleDeps {
  readonly starter: Starter;
  readonly repo: PeriodClaims & Pick<ProgrammeStore, 'getCurrentProgramme'>;
  readonly clock: Clock;
  /** PROGRAMME_ID (when the event names none) and STATE_MACHINE_ARN. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One scheduled start: the programme's schedule decides the period, the period decides the cycle. */
export async function startScheduledCycle(deps: StartCycleDeps, event: unknown): Promise<StartResult> {
  const request = StartRequest.parse({ programmeId: deps.env.PROGRAMME_ID, ...(event as object) });
  const programme = await loadProgramme(deps.repo, request.programmeId);
  return startCycle(
    { starter: deps.starter, periods: deps.repo, now: () => deps.clock.now() },
    deps.env.STATE_MACHINE_ARN,
    request,
    programme,
  );
}

const workflow = new SfnWorkflow();

export const handler = middy(async (event: unknown) => {
  // Built per start (a few a year), from the environment as it is now: the local stack sets it late.
  const deps: StartCycleDeps = {
    starter: workflow,
    repo: repositoryFromEnv(process.env),
    clock: clockFromEnvironment(),
    env: process.env,
  };
  const result = await startScheduledCycle(deps, event);
  logger.info(
    result.existing
      ? 'the period already has its cycle'
      : result.started
        ? 'cycle started'
        : 'cycle already started',
    { cycleId: result.cycleId, ...(result.period ? { period: result.period } : {}) },
  );
  return result;
}).use(injectLambdaContext(logger, { clearState: true }));
