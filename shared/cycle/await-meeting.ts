/**
 * Waiting for the meeting, once the package is out: the workflow's task token parked until the
 * meeting time, which RequestMinutes (minutes-phase.ts) turned into the wait's timeout. A Wait state
 * would sleep until the time it read, and a meeting moved earlier would get its minutes request late;
 * a parked token is woken by the move (meeting.ts → await-people.ts `wakeWaiting`), and
 * RequestMinutes then asks for the minutes, or works out the wait again from the new time.
 *
 * The park itself closes the gap between RequestMinutes reading the time and the token being parked:
 * a move in between finds no token to wake, so the park compares the meeting it was given with the
 * cycle's, after parking (a move after that finds the token), and resumes the workflow at once when
 * they differ or the meeting has begun (a retried or resumed park).
 */
import type { WaitingDeps } from './ports.ts';
import { loadCycle } from './cycle-state.ts';
import { resumeWaiting } from './await-people.ts';

export async function awaitMeeting(
  deps: WaitingDeps,
  args: { cycleId: string; taskToken: string; meetingAt: string },
): Promise<{ resumed: boolean }> {
  const now = deps.clock.now();
  await deps.repo.parkTaskToken({
    cycleId: args.cycleId,
    purpose: 'meeting',
    taskToken: args.taskToken,
    parkedAt: now.toISOString(),
  });
  const { plannedMeetingAt } = await loadCycle(deps, args.cycleId);
  const moved = Date.parse(plannedMeetingAt) !== Date.parse(args.meetingAt);
  const begun = now.getTime() >= Date.parse(plannedMeetingAt);
  if (!moved && !begun) return { resumed: false };
  return { resumed: await resumeWaiting(deps, args.cycleId, 'meeting') };
}
