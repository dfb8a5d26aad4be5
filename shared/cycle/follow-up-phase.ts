/**
 * Following the actions up after the review: the loop that sends the reminders and escalations due
 * and tells the workflow when the cycle's own actions are all closed.
 */
import { ladderPolicyOf, sweepActions } from '../actions/follow-up.ts';
import { needsFollowUp } from '../model/action.ts';
import type { MailingDeps } from './ports.ts';
import { iso, loadCycle } from './cycle-state.ts';

export { ladderPolicyOf };

/** The longest the follow-up loop sleeps: it also notices closures and a later cycle's carry-over. */
export const FOLLOW_UP_MAX_SLEEP_MS = 86_400_000;

/**
 * Sends the reminders and escalations due for the programme's open actions (this cycle's and those
 * carried over from earlier ones: see shared/actions/follow-up.ts). The cycle may close once none
 * of its own actions needs follow-up; a later cycle's loop goes on following what it carried over.
 */
export async function followUpActions(
  deps: MailingDeps,
  cycleId: string,
): Promise<{ allClosed: boolean; open: number; nextCheckAt: string }> {
  const cycle = await loadCycle(deps, cycleId);
  const now = deps.clock.now();
  const swept = await sweepActions(deps, cycle.programmeId);
  const stillOpen = (await deps.repo.listActionsOfCycle(cycleId)).filter((a) => needsFollowUp(a));
  const next = Math.min(
    now.getTime() + FOLLOW_UP_MAX_SLEEP_MS,
    swept.nextStepAt ? Date.parse(swept.nextStepAt) : Infinity,
  );
  return {
    allClosed: stillOpen.length === 0,
    open: stillOpen.length,
    nextCheckAt: iso(new Date(Math.max(next, now.getTime() + 1000))),
  };
}
