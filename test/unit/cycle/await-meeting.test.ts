/**
 * The wait for the meeting once the package is out, in memory: RequestMinutes says how long the
 * workflow sleeps (until the meeting), the park resumes the workflow at once when the meeting moved
 * or began after that was worked out, and a meeting moved earlier wakes the parked wait so that the
 * minutes are asked for at the new time, once.
 */
import { describe, expect, it } from 'vitest';
import { MeetingTokenEvent } from '#functions/await-meeting.ts';
import { StampedTokenEvent } from '#functions/await-inputs.ts';
import {
  awaitMeeting,
  awaitPeople,
  checkInputs,
  CycleNotFound,
  requestMinutes,
} from '#shared/cycle/service.ts';
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

describe('the other waits for people, parked after their check', () => {
  it('refuses an empty stamp; resumes at once when the meeting moved between the check and the park', async () => {
    const event = {
      cycleId: cycleIdFor('quarterly', new Date('2030-01-07T09:00:00Z')),
      taskToken: 'inputs-1',
    };
    expect(() => parseEvent(StampedTokenEvent, { ...event, stamp: '' })).toThrow(InvalidTaskEvent);
    // Without a stamp (a task of an execution started before stamps): parked as before.
    expect(parseEvent(StampedTokenEvent, event)).toMatchObject(event);

    const w = await memoryWorld();
    const inputResumes = () => w.workflow.calls.filter((c) => c.output.purpose === 'inputs');
    const first = await checkInputs(w.deps, w.cycleId);
    expect(first.proceed).toBe(false);
    // Nothing moved: the park sleeps until its timeout.
    expect(
      await awaitPeople(w.deps, {
        cycleId: w.cycleId,
        taskToken: 'inputs-1',
        purpose: 'inputs',
        stamp: first.stamp,
      }),
    ).toEqual({ resumed: false });
    expect(inputResumes()).toEqual([]);

    // The workflow wakes (the timeout), checks again; the meeting moves before the park.
    w.clock.advance(HOUR);
    await w.repo.completeParkedTask(w.cycleId, 'inputs', w.clock.now().toISOString());
    const second = await checkInputs(w.deps, w.cycleId);
    const later = new Date(Date.parse(MEETING) + 2 * DAY).toISOString();
    await moveMeeting(w.deps, { cycleId: w.cycleId, meetingAt: later, by: 'alice' });
    expect(inputResumes()).toEqual([]);
    expect(
      await awaitPeople(w.deps, {
        cycleId: w.cycleId,
        taskToken: 'inputs-2',
        purpose: 'inputs',
        stamp: second.stamp,
      }),
    ).toEqual({ resumed: true });
    expect(inputResumes()).toEqual([
      { taskToken: 'inputs-2', output: { cycleId: w.cycleId, purpose: 'inputs' } },
    ]);
    // The check that follows stamps the new dates: the next park sleeps.
    const third = await checkInputs(w.deps, w.cycleId);
    expect(third.stamp).not.toBe(second.stamp);
    expect(
      await awaitPeople(w.deps, {
        cycleId: w.cycleId,
        taskToken: 'inputs-3',
        purpose: 'inputs',
        stamp: third.stamp,
      }),
    ).toEqual({ resumed: false });
  });
});
