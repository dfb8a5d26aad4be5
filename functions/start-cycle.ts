// functions/start-cycle.ts: the schedule's target: starts the review cycle of the period its
// scheduled time falls in, or returns the one that already holds that period.
import * as z from 'zod';
import type { Clock } from '#shared/clock.ts';
import {
  loadProgramme,
  StartRequest,
  startCycle,
  type StartResult,
  type Starter,
} from '#shared/cycle/start.ts';
import { ProgrammeId } from '#shared/model/common.ts';
import type { PeriodClaims } from '#shared/store/periods.ts';
import type { ProgrammeStore } from '#shared/store/programmes.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';
import { environment } from '#shared/wiring/wiring.ts';
import { starter } from '#shared/wiring/workflow.ts';

export interface StartCycleDeps {
  readonly starter: Starter;
  readonly repo: PeriodClaims & Pick<ProgrammeStore, 'getCurrentProgramme'>;
  readonly clock: Clock;
  /** PROGRAMME_ID (when the event names none) and STATE_MACHINE_ARN, read when the start runs. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What the schedule sends: a start request whose programme may come from PROGRAMME_ID instead. */
export const ScheduledStartEvent = StartRequest.extend({ programmeId: z.optional(ProgrammeId) });

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

export const handler = lambdaHandler({
  event: ScheduledStartEvent,
  deps: { starter, repo: repository, clock, env: environment },
  run: startScheduledCycle,
  workflowStep: false,
  report: (result, { logger, count }) => {
    const outcome = result.existing ? 'existing' : result.started ? 'started' : 'already-started';
    logger.info(
      outcome === 'existing'
        ? 'the period already has its cycle'
        : outcome === 'started'
          ? 'cycle started'
          : 'cycle already started',
      { cycleId: result.cycleId, ...(result.period ? { period: result.period } : {}) },
    );
    // One count per scheduled start, by what it did: a schedule that stops starting shows.
    count('ScheduledStart', { outcome });
  },
});
