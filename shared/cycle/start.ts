/**
 * Starting a cycle: one cycle per programme, review type and period (shared/cycle/period.ts).
 *
 * The schedule (or the CLI) names the cycle by its scheduled time, and the execution name is that
 * cycle id, so a schedule that fires twice with the same time (retries, at-least-once delivery)
 * starts one cycle. A start at another time in the same period (a late retry, a second `cycle
 * start`, the schedule after a manual start) returns the cycle that holds the period: the first
 * start claims the period with a conditional write (`PERIOD#<programme>#<type>#<period>`) naming
 * its cycle id and execution input, before the execution starts. Every later start reads the claim
 * and starts that very execution again, which Step Functions answers as already started; so a
 * crash between the claim and the start is repaired by the next start, never doubled.
 */
import * as z from 'zod';
import { ProgrammeId, UtcTimestamp } from '../model/common.ts';
import type { PeriodClaims } from '../store/periods.ts';
import { cycleIdFor } from '../model/ids.ts';
import type { Programme } from '../programme/schema.ts';
import { reviewPeriod } from './period.ts';
import { currentProgramme } from '../store/stored-programme.ts';
import type { ProgrammeStore } from '../store/programmes.ts';

export const StartRequest = z.looseObject({
  programmeId: ProgrammeId,
  type: z.enum(['quarterly', 'semiannual', 'annual'], {
    error: 'expected type quarterly, semiannual or annual',
  }),
  comprehensive: z.optional(z.boolean()),
  /** When the schedule meant the cycle to open (EventBridge Scheduler's scheduled time). */
  scheduledTime: UtcTimestamp,
  meetingAt: z.optional(UtcTimestamp),
  requestedBy: z.optional(z.string()),
});
export type StartRequest = z.infer<typeof StartRequest>;

export interface Starter {
  startCycle(
    stateMachineArn: string | undefined,
    cycleId: string,
    input: Record<string, unknown>,
  ): Promise<{ started: boolean; executionArn?: string }>;
}

export interface StartDeps {
  readonly starter: Starter;
  readonly periods: PeriodClaims;
  /** The time the claim is stamped with. */
  readonly now: () => Date;
}

export interface StartResult {
  readonly cycleId: string;
  /** This call started the execution. */
  readonly started: boolean;
  /** The period was already held by `cycleId`, started by an earlier call. */
  readonly existing: boolean;
  /** The period's key, when the schedule defines one for the start's time. */
  readonly period?: string;
  /** The execution input of the cycle returned (the earlier start's, when the period was held). */
  readonly input: Record<string, unknown>;
  readonly executionArn?: string;
}

/** The current programme, checked (ProgrammeNotApplied when it was never applied). */
export async function loadProgramme(
  repo: Pick<ProgrammeStore, 'getCurrentProgramme'>,
  programmeId: string,
): Promise<Programme> {
  return (await currentProgramme(repo, programmeId)).programme;
}

/**
 * Starts the cycle of `request`, or returns the one that already holds its period. `programme`
 * gives the schedule the period is read from.
 */
export async function startCycle(
  deps: StartDeps,
  stateMachineArn: string | undefined,
  request: StartRequest,
  programme: Pick<Programme, 'organisation' | 'schedule'>,
): Promise<StartResult> {
  const ownId = cycleIdFor(request.type, new Date(request.scheduledTime));
  const period = reviewPeriod(programme, request.type, new Date(request.scheduledTime));
  let cycleId = ownId;
  let input: Record<string, unknown> = { ...request };
  let existing = false;
  if (period) {
    const held = await deps.periods.claimPeriod({
      periodKey: period.key,
      opensAt: period.opensAt,
      cycleId: ownId,
      input,
      claimedAt: deps.now().toISOString(),
    });
    existing = !held.claimed;
    cycleId = held.claim.cycleId;
    input = held.claim.input;
  }
  const started = await deps.starter.startCycle(stateMachineArn, cycleId, input);
  return {
    cycleId,
    started: started.started,
    existing,
    ...(period ? { period: period.key } : {}),
    input,
    ...(started.executionArn ? { executionArn: started.executionArn } : {}),
  };
}
