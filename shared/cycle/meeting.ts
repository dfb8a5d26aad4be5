/**
 * Moving the review meeting. Once the package (and with it the calendar invitation) has gone
 * out, a move sends every attendee an updated invitation: the same UID, a higher SEQUENCE, so
 * calendars replace the meeting instead of adding a second one. Before that, only the date
 * changes: the invitation that goes with the package carries the new time.
 *
 * Idempotent: the move and its `meeting.moved` event are stored together; running it again with
 * the same time re-sends the same update, which the outbox sends only once.
 *
 * The workflow follows: a parked wait for people is woken (await-people.ts `wakeWaiting`) so that its
 * check works out again, from the moved dates, when to look next; a move run again wakes it again.
 * Once the package is out, the workflow's wait for the meeting is such a parked wait too
 * (await-meeting.ts): moved earlier or later, the minutes are asked for at the new time.
 */
import { UtcTimestamp } from '../model/common.ts';
import type { Cycle } from '../model/cycle.ts';
import type { MailingDeps, WaitingDeps } from './ports.ts';
import { attendees } from './service.ts';
import { wakeWaiting } from './await-people.ts';
import { cycleAndProgramme } from './package-gate.ts';

export class MeetingCannotMove extends Error {
  override name = 'MeetingCannotMove' as const;
}

const MOVABLE: readonly Cycle['phase'][] = [
  'OPEN',
  'REQUESTING_INPUTS',
  'AWAITING_INPUTS',
  'COMPILING',
  'AWAITING_DISTRIBUTION',
  'DISTRIBUTED',
];

export async function moveMeeting(
  deps: MailingDeps<'meetingUpdate'> & WaitingDeps,
  args: { cycleId: string; meetingAt: string; by: string },
): Promise<{ cycle: Cycle; sequence?: number }> {
  const parsed = UtcTimestamp.safeParse(args.meetingAt);
  if (!parsed.success) {
    throw new MeetingCannotMove(`"${args.meetingAt}" is not a UTC time like 2027-03-29T09:00:00Z`);
  }
  const meetingAt = new Date(parsed.data).toISOString();
  const loaded = await cycleAndProgramme(deps.repo, args.cycleId);
  const { programme } = loaded;
  let { cycle } = loaded;
  const now = deps.clock.now();
  const events = await deps.repo.listEvents(cycle.id);
  const sequences = events.flatMap((e) =>
    (e.type === 'package.distributed' && typeof e.data.icsSequence === 'number') ||
    (e.type === 'meeting.moved' && typeof e.data.sequence === 'number')
      ? [Number(e.type === 'meeting.moved' ? e.data.sequence : e.data.icsSequence)]
      : [],
  );
  const recipients = attendees(programme);
  if (cycle.plannedMeetingAt !== meetingAt) {
    if (!MOVABLE.includes(cycle.phase)) {
      throw new MeetingCannotMove(
        `the meeting of cycle ${cycle.id} cannot move: the cycle is ${cycle.phase}, past the meeting`,
      );
    }
    if (Date.parse(meetingAt) <= now.getTime()) {
      throw new MeetingCannotMove(`the new meeting time ${meetingAt} has passed: give a time in the future`);
    }
    if (Date.parse(meetingAt) < Date.parse(cycle.inputsDueAt)) {
      throw new MeetingCannotMove(
        `the meeting cannot be before the input deadline (${cycle.inputsDueAt}): choose a later time`,
      );
    }
    if (!cycle.packageSentAt && Date.parse(meetingAt) < Date.parse(cycle.packageSendAt)) {
      throw new MeetingCannotMove(
        `the meeting cannot be before the package is sent (${cycle.packageSendAt}): choose a later time`,
      );
    }
    const sequence = cycle.packageSentAt ? Math.max(0, ...sequences) + 1 : undefined;
    const previousAt = cycle.plannedMeetingAt;
    ({ cycle } = await deps.repo.updateCycle(
      {
        ...cycle,
        plannedMeetingAt: meetingAt,
        // Sent already: the planned send time may not lie after the new meeting.
        packageSendAt: meetingAt < cycle.packageSendAt ? meetingAt : cycle.packageSendAt,
        updatedAt: now.toISOString(),
      },
      {
        event: {
          type: 'meeting.moved',
          at: now.toISOString(),
          actor: args.by,
          data: { from: previousAt, to: meetingAt, ...(sequence === undefined ? {} : { sequence }) },
        },
      },
    ));
    if (sequence !== undefined) {
      await deps.notifier.meetingUpdate({ cycle, programme, recipients, sequence, previousAt });
    }
    await wakeWaiting(deps, cycle.id);
    return { cycle, ...(sequence === undefined ? {} : { sequence }) };
  }
  // Already moved there: make sure its update went out (the outbox sends it once).
  const last = events.filter((e) => e.type === 'meeting.moved').at(-1);
  // A run that died after the move and before the wake-up: wake the wait now (again is harmless).
  if (last?.data.to === meetingAt) await wakeWaiting(deps, cycle.id);
  if (last && typeof last.data.sequence === 'number' && last.data.to === meetingAt) {
    await deps.notifier.meetingUpdate({
      cycle,
      programme,
      recipients,
      sequence: last.data.sequence,
      previousAt: String(last.data.from),
    });
    return { cycle, sequence: last.data.sequence };
  }
  return { cycle };
}
