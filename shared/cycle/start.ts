/**
 * Starting a cycle: the schedule (or the CLI) names the cycle by its scheduled time, and the
 * execution name is that cycle id, so a schedule that fires twice (retries, at-least-once delivery)
 * starts one cycle.
 */
import { z } from 'zod';
import { ProgrammeId, UtcTimestamp } from '../model/common.ts';
import { cycleIdFor } from '../model/ids.ts';

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

export async function startCycle(
  starter: Starter,
  stateMachineArn: string | undefined,
  request: StartRequest,
): Promise<{ cycleId: string; started: boolean }> {
  const cycleId = cycleIdFor(request.type, new Date(request.scheduledTime));
  const { started } = await starter.startCycle(stateMachineArn, cycleId, { ...request });
  return { cycleId, started };
}
