/**
 * Waiting for people: the workflow's task token parked until the last input or the accepted minutes
 * arrive, and resumed exactly once, by whichever comes second of the park and the answer.
 */
import type { WaitingDeps } from './ports.ts';
import { iso, loadCycle } from './cycle-state.ts';
import { allInputsAnswered } from './inputs-phase.ts';

/**
 * Parks the workflow's task token until the last input arrives. If everything is already answered
 * (a reply raced the park), it resumes the workflow itself; exactly one of the two callers wins.
 */
export async function awaitPeople(
  deps: WaitingDeps,
  args: { cycleId: string; taskToken: string; purpose: 'inputs' | 'minutes' },
): Promise<void> {
  const now = iso(deps.clock.now());
  await deps.repo.parkTaskToken({
    cycleId: args.cycleId,
    purpose: args.purpose,
    taskToken: args.taskToken,
    parkedAt: now,
  });
  const ready =
    args.purpose === 'inputs'
      ? allInputsAnswered(await deps.repo.listInputRequests(args.cycleId))
      : Boolean((await loadCycle(deps, args.cycleId)).minutesApprovedAt);
  if (ready) await resumeWaiting(deps, args.cycleId, args.purpose);
}

/** Resumes the workflow waiting for `purpose`, exactly once however many callers race. */
export async function resumeWaiting(
  deps: WaitingDeps,
  cycleId: string,
  purpose: 'inputs' | 'minutes',
): Promise<boolean> {
  const task = await deps.repo.completeParkedTask(cycleId, purpose, iso(deps.clock.now()));
  if (!task) return false;
  await deps.workflow.sendTaskSuccess(task.taskToken, { cycleId, purpose });
  return true;
}
