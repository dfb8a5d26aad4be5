/**
 * The wait for the meeting once the package is out, in memory: RequestMinutes says how long the
 * workflow sleeps (until the meeting), the park resumes the workflow at once when the meeting moved
 * or began after that was worked out, and a meeting moved earlier wakes the parked wait so that the
 * minutes are asked for at the new time, once.
 */
import { describe, expect, it } from 'vitest';
import { MeetingTokenEvent } from '#functions/await-meeting.ts';
import { awaitMeeting, CycleNotFound, requestMinutes } from '#shared/cycle/service.ts';
import { moveMeeting } from '#shared/cycle/meeting.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { InvalidTaskEvent, parseEvent } from '#shared/wiring/handler.ts';
import { DAY, HOUR, MEETING, memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import { toDistributed } from './support.ts';

/** The meeting two days earlier than planned, at 10:00 UTC. */
const EARLIER = new Date(Date.parse(MEETING) - 2 * DAY + HOUR).toISOString();

/** The resumes (SendTaskSuccess) of the wait for the meeting so far. */
const meetingResumes = (w: MemoryWorld) => w.workflow.calls.filter((c) => c.output.purpose === 'meeting');
const minutesRequests = (w: MemoryWorld) =>
  w.mailsTo('alice').filter((m) => m.subject.startsWith('Minutes needed'));
const secondsUntil = (w: MemoryWorld, at: string) => (Date.parse(at) - w.clock.now().getTime()) / 1000;

describe('the wait for the meeting', () => {
  it('refuses an event without a UTC meeting time, and a cycle that does not exist', async () => {
    const cycleId = cycleIdFor('quarterly', new Date('2030-01-07T09:00:00Z'));
    const event = { cycleId, taskToken: 'meeting-token-1' };
    expect(() => parseEvent(MeetingTokenEvent, event)).toThrow(InvalidTaskEvent);
    expect(() => parseEvent(MeetingTokenEvent, { ...event, meetingAt: '29/03/2027 09:00' })).toThrow(
      /^meetingAt: expected a UTC time in ISO 8601/,
    );
    expect(parseEvent(MeetingTokenEvent, { ...event, meetingAt: MEETING })).toMatchObject({
      meetingAt: MEETING,
    });

    const w = await memoryWorld({ open: false });
    await expect(awaitMeeting(w.deps, { ...event, meetingAt: MEETING })).rejects.toThrow(CycleNotFound);
  });

  it('sleeps from the package until the meeting; moved earlier, it is woken and the minutes are asked for at the new time, once', async () => {
    const w = await memoryWorld();
    await toDistributed(w);
    const waiting = await requestMinutes(w.deps, w.cycleId);
    expect(waiting).toMatchObject({ meetingHeld: false, meetingAt: MEETING, phase: 'DISTRIBUTED' });
    expect(waiting.meetingHeld === false && waiting.sleepSeconds).toBe(secondsUntil(w, MEETING));
    expect(
      await awaitMeeting(w.deps, { cycleId: w.cycleId, taskToken: 'meeting-1', meetingAt: MEETING }),
    ).toEqual({ resumed: false });
    expect(meetingResumes(w)).toEqual([]);

    // The meeting moves two days earlier: the parked wait is woken, as a reply wakes a wait.
    w.clock.advance(HOUR);
    await moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: EARLIER, by: 'alice' });
    expect(meetingResumes(w)).toEqual([
      { taskToken: 'meeting-1', output: { cycleId: w.cycleId, purpose: 'meeting', woken: true } },
    ]);
    // RequestMinutes runs again: still too early, it sleeps until the new time, not the old one.
    const again = await requestMinutes(w.deps, w.cycleId);
    expect(again).toMatchObject({ meetingHeld: false, meetingAt: EARLIER });
    expect(again.meetingHeld === false && again.sleepSeconds).toBe(secondsUntil(w, EARLIER));
    expect(
      await awaitMeeting(w.deps, { cycleId: w.cycleId, taskToken: 'meeting-2', meetingAt: EARLIER }),
    ).toEqual({ resumed: false });
    expect(minutesRequests(w)).toEqual([]);

    // At the new time the minutes are asked for; a retried step sends nothing more.
    w.clock.set(new Date(EARLIER));
    expect(await requestMinutes(w.deps, w.cycleId)).toMatchObject({
      meetingHeld: true,
      phase: 'AWAITING_MINUTES',
    });
    await requestMinutes(w.deps, w.cycleId);
    expect(minutesRequests(w)).toHaveLength(1);
    expect(meetingResumes(w)).toHaveLength(1);
  });

  it('resumes at once when the meeting moved between RequestMinutes and the park, or has begun', async () => {
    const w = await memoryWorld();
    await toDistributed(w);
    const { meetingAt } = await requestMinutes(w.deps, w.cycleId);
    // The move comes before the token is parked: there is nothing to wake yet.
    await moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: EARLIER, by: 'alice' });
    expect(meetingResumes(w)).toEqual([]);
    // The park, given the time its timeout was worked out for, sees the meeting moved.
    expect(await awaitMeeting(w.deps, { cycleId: w.cycleId, taskToken: 'meeting-1', meetingAt })).toEqual({
      resumed: true,
    });
    expect(meetingResumes(w)).toEqual([
      { taskToken: 'meeting-1', output: { cycleId: w.cycleId, purpose: 'meeting' } },
    ]);
    expect(await w.repo.getParkedTask(w.cycleId, 'meeting')).toMatchObject({ status: 'completed' });

    // A park that runs when the meeting has begun (a resumed or late task) does not sleep either.
    w.clock.set(new Date(Date.parse(EARLIER) + 60_000));
    expect(
      await awaitMeeting(w.deps, { cycleId: w.cycleId, taskToken: 'meeting-2', meetingAt: EARLIER }),
    ).toEqual({ resumed: true });
    expect(meetingResumes(w).map((c) => c.taskToken)).toEqual(['meeting-1', 'meeting-2']);
  });
});
