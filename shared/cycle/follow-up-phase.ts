/**
 * Following the actions up after the review: the loop that sends the reminders and escalations due
 * and tells the workflow when the cycle's own actions are all closed.
 *
 * Between sweeps the loop sleeps until the sweep next has something to send (the next reminder,
 * due date's notice, escalation step, confirmation or effectiveness-check reminder, at the time it
 * may go out in its recipient's business hours: shared/actions/follow-up.ts `actionDueAt`), at most
 * a week (wake-up.ts): FollowUp returns the seconds, and AwaitFollowUp parks the task token with them
 * as its timeout. A change to an action (reply, command line, web) or a new programme version wakes
 * it (shared/actions/follow-up-wake.ts); a change between the sweep and the park is caught by
 * `awaitFollowUp`, which looks again once parked.
 */
import { ladderPolicyOf, nextFollowUpAt, sweepActions, type SweepDeps } from '../actions/follow-up.ts';
import { FOLLOW_UP_WAIT } from '../actions/follow-up-wake.ts';
import { needsFollowUp } from '../model/action.ts';
import type { WaitingDeps } from './ports.ts';
import { iso, loadCycle } from './cycle-state.ts';
import { resumeWaiting } from './await-people.ts';
import { wakeUpAt, type WakeUp } from './wake-up.ts';

export { ladderPolicyOf };

/** What FollowUp tells the workflow: whether to close, and when the sweep next has something to send. */
export interface FollowUpResult extends WakeUp {
  readonly allClosed: boolean;
  readonly open: number;
  /** When something next falls due (UTC ISO), or null: what AwaitFollowUp compares with once parked. */
  readonly dueAt: string | null;
}

/**
 * Sends the reminders and escalations due for the programme's open actions (this cycle's and those
 * carried over from earlier ones: see shared/actions/follow-up.ts). The cycle may close once none
 * of its own actions needs follow-up; a later cycle's loop goes on following what it carried over.
 */
export async function followUpActions(deps: SweepDeps, cycleId: string): Promise<FollowUpResult> {
  const cycle = await loadCycle(deps, cycleId);
  const now = deps.clock.now();
  const swept = await sweepActions(deps, cycle.programmeId);
  const stillOpen = (await deps.repo.listActionsOfCycle(cycleId)).filter((a) => needsFollowUp(a));
  const dueAt = swept.nextStepAt ? new Date(swept.nextStepAt) : undefined;
  return {
    allClosed: stillOpen.length === 0,
    open: stillOpen.length,
    dueAt: dueAt ? iso(dueAt) : null,
    ...wakeUpAt(now, dueAt),
  };
}

/**
 * Parks the follow-up loop's task token until its timeout (the next step due) or a wake-up. Once
 * parked it looks again, as FollowUp would: when something now falls due before the `dueAt` FollowUp
 * worked out, or the cycle's own actions are all closed, a change landed between the sweep and the
 * park (and found no token to wake), and it resumes the workflow at once. A change after the park
 * finds the token.
 */
export async function awaitFollowUp(
  deps: WaitingDeps,
  args: { cycleId: string; taskToken: string; dueAt: string | null },
): Promise<{ resumed: boolean }> {
  await deps.repo.parkTaskToken({
    cycleId: args.cycleId,
    purpose: FOLLOW_UP_WAIT,
    taskToken: args.taskToken,
    parkedAt: iso(deps.clock.now()),
  });
  const cycle = await loadCycle(deps, args.cycleId);
  const own = await deps.repo.listActionsOfCycle(args.cycleId);
  const due = await nextFollowUpAt(deps, cycle.programmeId);
  const sooner = due !== undefined && (args.dueAt === null || due.getTime() < Date.parse(args.dueAt));
  if (!sooner && own.some((a) => needsFollowUp(a))) return { resumed: false };
  return { resumed: await resumeWaiting(deps, args.cycleId, FOLLOW_UP_WAIT) };
}
