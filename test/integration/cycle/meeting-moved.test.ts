/**
 * A meeting moved later while the workflow waits for it: when the old time comes, the minutes step
 * asks for nothing and tells the state machine to wait again, for the new time; at the new time the
 * minutes are requested once.
 */
import { describe, expect, it } from 'vitest';
import { requestMinutes } from '#shared/cycle/service.ts';
import { cycleWorld, MEETING } from '#test/support/cycle-world.ts';

describe('the minutes step after a moved meeting', () => {
  it('waits for the new time, then asks for the minutes once', async () => {
    const { deps, repo, clock, outboxStore, cycleId } = await cycleWorld('meeting-moved');
    const later = '2027-04-02T13:00:00.000Z';
    const cycle = (await repo.getCycle(cycleId))!;
    await repo.updateCycle({ ...cycle, phase: 'DISTRIBUTED', plannedMeetingAt: later });

    clock.set(new Date(Date.parse(MEETING) + 60_000)); // the old time
    const early = await requestMinutes(deps, cycleId);
    expect(early).toMatchObject({ meetingHeld: false, meetingAt: later, phase: 'DISTRIBUTED' });
    expect((await outboxStore.listSent(cycleId)).map((m) => m.key)).not.toContain('minutes-request');

    clock.set(new Date(Date.parse(later) + 60_000));
    const held = await requestMinutes(deps, cycleId);
    expect(held).toMatchObject({ meetingHeld: true, phase: 'AWAITING_MINUTES' });
    await requestMinutes(deps, cycleId); // a retried task
    const keys = (await outboxStore.listSent(cycleId)).map((m) => m.key);
    expect(keys.filter((key) => key === 'minutes-request')).toHaveLength(1);
  });
});
