/**
 * Waiting for people: the workflow's task token parked until the last input or the accepted minutes
 * arrive, and resumed exactly once, by whichever comes second of the park and the answer. Between
 * answers the wait sleeps until its next reminder falls due (wake-up.ts); a change to what that
 * depends on wakes it (`wakeWaiting`).
 */
import type { WaitingDeps } from './ports.ts';
import type { FOLLOW_UP_WAIT } from '../actions/follow-up-wake.ts';
import { WorkflowTaskEnded } from '../store/workflow.ts';
import { iso, loadCycle } from './cycle-state.ts';
import { allInputsAnswered } from './inputs-phase.ts';
import { wakeStamp } from './wake-up.ts';
import {
  APPROVAL_PURPOSES,
  approvalNeedsAttention,
  subjectOfPurpose,
  type ApprovalPurpose,
} from './approvals.ts';

/**
 * What the workflow waits for: the inputs, the minutes, an approval (approvals.ts), the meeting
 * itself (await-meeting.ts), or the next step of the action follow-up (follow-up-phase.ts).
 */
export type WaitPurpose = 'inputs' | 'minutes' | 'meeting' | ApprovalPurpose | typeof FOLLOW_UP_WAIT;

/** The waits for an answer (the meeting's and the follow-up's waits park on their own). */
export type AnswerPurpose = Exclude<WaitPurpose, 'meeting' | typeof FOLLOW_UP_WAIT>;

async function readyToGoOn(deps: WaitingDeps, cycleId: string, purpose: AnswerPurpose): Promise<boolean> {
  if (purpose === 'inputs') return allInputsAnswered(await deps.repo.listInputRequests(cycleId));
  if (purpose === 'minutes') return Boolean((await loadCycle(deps, cycleId)).minutesApprovedAt);
  return approvalNeedsAttention(deps, cycleId, subjectOfPurpose(purpose)!);
}

/**
 * Parks the workflow's task token until the last input arrives. If everything is already answered
 * (a reply raced the park), it resumes the workflow itself; exactly one of the two callers wins.
 * So it does when the cycle's dates moved since its Check worked out the wake-up (`stamp`,
 * wake-up.ts `StampedWakeUp`): a move between the Check and the park found no token to wake, and
 * the Check must work the wake-up out again. A move after the park finds the token (`wakeWaiting`).
 */
export async function awaitPeople(
  deps: WaitingDeps,
  args: { cycleId: string; taskToken: string; purpose: AnswerPurpose; stamp?: string | undefined },
): Promise<{ resumed: boolean }> {
  const now = iso(deps.clock.now());
  await deps.repo.parkTaskToken({
    cycleId: args.cycleId,
    purpose: args.purpose,
    taskToken: args.taskToken,
    parkedAt: now,
  });
  const moved = args.stamp !== undefined && wakeStamp(await loadCycle(deps, args.cycleId)) !== args.stamp;
  if (moved || (await readyToGoOn(deps, args.cycleId, args.purpose))) {
    return { resumed: await resumeWaiting(deps, args.cycleId, args.purpose) };
  }
  return { resumed: false };
}

/**
 * Resumes the workflow waiting for `purpose`, exactly once however many callers race. A token whose
 * task already timed out resumes nothing: the workflow is then on its way to look again by itself,
 * and its next check (or park, see `awaitPeople`) finds the answer.
 */
export async function resumeWaiting(
  deps: WaitingDeps,
  cycleId: string,
  purpose: WaitPurpose,
): Promise<boolean> {
  const task = await deps.repo.completeParkedTask(cycleId, purpose, iso(deps.clock.now()));
  if (!task) return false;
  try {
    await deps.workflow.sendTaskSuccess(task.taskToken, { cycleId, purpose });
  } catch (error) {
    if (error instanceof WorkflowTaskEnded) return false;
    throw error;
  }
  return true;
}

/** Every wait for people, in the order a cycle meets them. */
export const WAIT_PURPOSES: readonly WaitPurpose[] = [
  'inputs',
  APPROVAL_PURPOSES.package,
  'meeting',
  'minutes',
  APPROVAL_PURPOSES.minutes,
];

/**
 * Wakes the cycle's parked wait for people, if one is parked, so that its Check step runs now and
 * works out again when to look next: for a change to what the wake-up depends on (the meeting moved).
 * The wait resumes as a reply resumes it (SendTaskSuccess; every wait's next state is its Check, for
 * the meeting RequestMinutes), and the Check finds nothing answered that was not.
 *
 * The token is not claimed: a reply racing the wake still resumes the workflow (one of the two finds
 * the task ended, WorkflowTaskEnded, and does nothing), and a run that dies before sending leaves the
 * wait as it was, to wake when it planned to. A token left `parked` by a wait that has since timed
 * out is refused by Step Functions (WorkflowTaskEnded) and skipped. Returns the waits it woke.
 */
export async function wakeWaiting(deps: WaitingDeps, cycleId: string): Promise<WaitPurpose[]> {
  const woken: WaitPurpose[] = [];
  for (const purpose of WAIT_PURPOSES) {
    const task = await deps.repo.getParkedTask(cycleId, purpose);
    if (task?.status !== 'parked') continue;
    try {
      await deps.workflow.sendTaskSuccess(task.taskToken, { cycleId, purpose, woken: true });
      woken.push(purpose);
    } catch (error) {
      if (!(error instanceof WorkflowTaskEnded)) throw error;
    }
  }
  return woken;
}
