/**
 * Waking the action follow-up. The follow-up loop of a cycle (shared/cycle/follow-up-phase.ts)
 * parks its task token and sleeps until the sweep next has something to send (`actionDueAt` in
 * follow-up.ts), at most a week. What changes that time, or closes the cycle's last action, wakes it
 * here, so that it sweeps and works out the time again at once: a change to an action (a reply, the
 * command line, the web: every change goes through register.ts `changeAction`) and a new version of
 * the programme (its escalation policy, its people's time zones and business hours).
 *
 * Which loops: the action's own cycle's (it closes once its own actions are done) and those of the
 * programme's cycles in follow-up among its newest RECENT_CYCLES (each loop sweeps every open action
 * of the programme, carried-over ones too, so one awake loop sends what falls due). The token is not
 * claimed: a timeout racing the wake-up wins or loses harmlessly (WorkflowTaskEnded is skipped).
 */
import type { ReviewRepository } from '../store/repository.ts';
import { WorkflowTaskEnded, type WorkflowPort } from '../store/workflow.ts';

/** The purpose under which the follow-up loop parks its task token. */
export const FOLLOW_UP_WAIT = 'follow-up';

/** How many of the programme's newest cycles are looked at for a parked follow-up. */
export const RECENT_CYCLES = 4;

export interface FollowUpWakeDeps {
  readonly repo: Pick<ReviewRepository, 'getParkedTask' | 'listCycles'>;
  readonly workflow: WorkflowPort;
}

/** Wakes the parked follow-up loops (see the module comment); returns the cycles woken. */
export async function wakeFollowUp(
  deps: FollowUpWakeDeps,
  programmeId: string,
  cycleIds: readonly string[] = [],
): Promise<string[]> {
  const recent = await deps.repo.listCycles(programmeId, { newestFirst: true, limit: RECENT_CYCLES });
  const following = recent.filter((cycle) => cycle.phase === 'FOLLOW_UP').map((cycle) => cycle.id);
  const woken: string[] = [];
  for (const cycleId of new Set([...cycleIds, ...following])) {
    const task = await deps.repo.getParkedTask(cycleId, FOLLOW_UP_WAIT);
    if (task?.status !== 'parked') continue;
    try {
      await deps.workflow.sendTaskSuccess(task.taskToken, { cycleId, purpose: FOLLOW_UP_WAIT, woken: true });
      woken.push(cycleId);
    } catch (error) {
      if (!(error instanceof WorkflowTaskEnded)) throw error;
    }
  }
  return woken;
}
