/**
 * The end of a cycle: closed once its actions are followed up (the chain head it sealed recorded),
 * or failed, with the ISMS manager told what failed and where.
 */
import * as z from 'zod';
import { transition } from '../model/cycle.ts';
import type { MailingDeps, StoreDeps } from './ports.ts';
import { SYSTEM, iso, loadCycle, programmeOf, viewOf, type CycleView } from './cycle-state.ts';

export async function closeCycle(deps: StoreDeps, cycleId: string): Promise<CycleView> {
  let cycle = await loadCycle(deps, cycleId);
  if (cycle.phase === 'FOLLOW_UP') {
    const now = deps.clock.now();
    const head = await deps.repo.getChainHead(cycleId);
    ({ cycle } = await deps.repo.updateCycle(transition(cycle, 'CLOSED', now), {
      event: {
        type: 'cycle.closed',
        at: iso(now),
        actor: SYSTEM,
        data: { chainHeadBeforeClose: { seq: head.seq, hash: head.hash } },
      },
    }));
  }
  // The workflow's AnchorClosed state anchors the sealed chain next (functions/anchor-chain.ts).
  return viewOf(cycle);
}

export const FailureInput = z.looseObject({
  cycleId: z.optional(z.string()),
  state: z.optional(z.string()),
  error: z.optional(z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** Records the failure on the cycle and tells the ISMS manager what failed and where. */
export async function recordFailure(
  deps: MailingDeps<'failure'>,
  raw: unknown,
): Promise<{ recorded: boolean }> {
  const input = FailureInput.parse(raw);
  if (!input.cycleId) return { recorded: false };
  const cycle = await deps.repo.getCycle(input.cycleId);
  if (!cycle) return { recorded: false };
  const error = input.error?.Error ?? 'Unknown';
  const cause = (input.error?.Cause ?? 'no cause was given').slice(0, 2000);
  const programme = await programmeOf(deps, cycle);
  const now = deps.clock.now();
  let failed = cycle;
  if (cycle.phase !== 'FAILED' && cycle.phase !== 'CLOSED') {
    ({ cycle: failed } = await deps.repo.updateCycle(transition(cycle, 'FAILED', now, { error, cause }), {
      event: {
        type: 'cycle.failed',
        at: iso(now),
        actor: SYSTEM,
        data: { error, cause, state: input.state ?? cycle.phase },
      },
    }));
  }
  await deps.notifier.failure({ cycle: failed, programme, error, cause, state: input.state ?? cycle.phase });
  return { recorded: true };
}
