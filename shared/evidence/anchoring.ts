/**
 * The anchoring step (functions/anchor-chain.ts): the only code that signs anchors.
 *
 * Two events:
 * - `{ cycleId, milestone }`: the state machine, right after the cycle opened, the package was
 *   distributed, the minutes were accepted and the cycle closed. Anchoring a milestone twice writes
 *   nothing new.
 * - `{ sweep: 'daily', programmeId }`: the daily schedule. Every active cycle of the programme
 *   (one index query by programme, no Scan) whose chain moved since its last anchor gets a `daily`
 *   anchor; the others are left as they are.
 */
import * as z from 'zod';
import { ProgrammeId } from '../model/common.ts';
import { CycleId } from '../model/ids.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { anchorMilestone, type AnchorDeps, type AnchorOutcome } from './anchor.ts';

export const CycleAnchorEvent = z.strictObject({
  cycleId: CycleId,
  milestone: z.enum(['cycle-opened', 'package-distributed', 'minutes-accepted', 'cycle-closed'], {
    error: 'expected a milestone: cycle-opened, package-distributed, minutes-accepted or cycle-closed',
  }),
});
export const DailySweepEvent = z.strictObject({ sweep: z.literal('daily'), programmeId: ProgrammeId });
export const AnchorChainEvent = z.union([CycleAnchorEvent, DailySweepEvent], {
  error: 'expected { cycleId, milestone } or { sweep: "daily", programmeId }',
});
export type AnchorChainEvent = z.infer<typeof AnchorChainEvent>;

export interface AnchorChainDeps extends AnchorDeps {
  readonly repo: AnchorDeps['repo'] & Pick<ReviewRepository, 'listCycles'>;
}

export interface AnchoredCycle {
  readonly cycleId: string;
  readonly milestone: string;
  readonly status: AnchorOutcome['status'];
  readonly key?: string;
  readonly seq?: number;
}

export interface AnchorChainResult {
  readonly anchored: AnchoredCycle[];
}

const summary = (cycleId: string, milestone: string, outcome: AnchorOutcome): AnchoredCycle => ({
  cycleId,
  milestone,
  status: outcome.status,
  ...(outcome.stored ? { key: outcome.stored.key, seq: outcome.stored.anchor.head.seq } : {}),
});

export async function runAnchorChain(
  deps: AnchorChainDeps,
  event: AnchorChainEvent,
): Promise<AnchorChainResult> {
  if ('cycleId' in event) {
    const outcome = await anchorMilestone(deps, event.cycleId, event.milestone);
    return { anchored: [summary(event.cycleId, event.milestone, outcome)] };
  }
  const cycles = await deps.repo.listCycles(event.programmeId);
  const anchored: AnchoredCycle[] = [];
  for (const cycle of cycles) {
    if (cycle.status !== 'active') continue;
    anchored.push(summary(cycle.id, 'daily', await anchorMilestone(deps, cycle.id, 'daily')));
  }
  return { anchored };
}
