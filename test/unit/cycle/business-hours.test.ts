/**
 * Business hours in the use cases, in memory: an input escalation that falls due on Sunday at 00:00
 * goes out on Monday at 09:00 in the recipient's time zone, at the first check inside their window.
 *
 * The world: programme.example.yaml with a reminder every two days and one reminder before the
 * escalation, opened on Wednesday 3 March 2027 at 00:00 UTC (UK winter time), so the auditor's
 * reminder falls due on Friday 5 March at 00:00 and the escalation to the ISMS manager on Sunday
 * 7 March at 00:00.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { checkInputs } from '#shared/cycle/service.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { HOUR, memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';

const OPENED = new Date('2027-03-03T00:00:00.000Z'); // Wednesday
const MEETING = '2027-03-31T09:00:00.000Z';
const SUNDAY_MIDNIGHT = new Date('2027-03-07T00:00:00.000Z');

function programme(managerZone?: string): Programme {
  const file = fileURLToPath(new URL('../../../programme.example.yaml', import.meta.url));
  const loaded = loadProgrammeFile(file, { clock: new FixedClock(OPENED) });
  loaded.leadTimes.inputReminderEveryDays = 2;
  loaded.escalation.inputEscalation.remindersBeforeEscalation = 1;
  if (managerZone) {
    loaded.people = loaded.people.map((p) => (p.id === 'alice' ? { ...p, timeZone: managerZone } : p));
  }
  return loaded;
}

/** The escalations recorded for the auditor's input d1 (one event per input). */
const escalated = async (w: MemoryWorld) =>
  (await w.repo.listEvents(w.cycleId)).filter(
    (e) => e.type === 'input.escalated' && e.data.inputKey === 'd1',
  );

describe('an input escalation due on Sunday at 00:00', () => {
  it('is sent on Monday at 09:00 UK time to an ISMS manager in the UK, not before', async () => {
    const w = await memoryWorld({ programme: programme(), openedAt: OPENED, meetingAt: MEETING });
    // Friday 09:00: the reminders (due at 00:00) go out as the working day starts.
    w.clock.set(new Date('2027-03-05T09:00:00.000Z'));
    await checkInputs(w.deps, w.cycleId);
    expect((await w.sentUnder('input:auditor:reminder-1')).to).toEqual([w.person('auditor').email]);

    // Sunday 00:00, Sunday noon and Monday 08:59: nothing to the ISMS manager.
    w.clock.set(SUNDAY_MIDNIGHT);
    const sunday = await checkInputs(w.deps, w.cycleId);
    expect(sunday.nextCheckAt).toBe('2027-03-08T09:00:00.000Z');
    for (const at of ['2027-03-07T12:00:00.000Z', '2027-03-08T08:59:00.000Z']) {
      w.clock.set(new Date(at));
      await checkInputs(w.deps, w.cycleId);
    }
    expect(await escalated(w)).toEqual([]);
    await expect(w.sentUnder('input:auditor:escalate-manager')).rejects.toThrow(/nothing was sent/);

    // Monday 09:00 UK time: sent, and recorded at that time.
    w.clock.set(new Date(sunday.nextCheckAt));
    await checkInputs(w.deps, w.cycleId);
    const mail = await w.sentUnder('input:auditor:escalate-manager');
    expect(mail.to).toEqual([w.person('alice').email]);
    expect(new Date(mail.headers.get('date')!).toISOString()).toBe('2027-03-08T09:00:00.000Z');
    expect((await escalated(w)).map((e) => [e.data.step, e.at])).toEqual([
      ['escalate-manager', '2027-03-08T09:00:00.000Z'],
    ]);
  });

  it('waits for 09:00 New York time when the ISMS manager works there: the first 6-hourly check inside', async () => {
    const w = await memoryWorld({
      programme: programme('America/New_York'),
      openedAt: OPENED,
      meetingAt: MEETING,
    });
    // The workflow looks every 6 hours from the Sunday: 00:00, 06:00, 12:00, 18:00 UTC.
    const checked: string[] = [];
    for (let at = SUNDAY_MIDNIGHT.getTime(); at <= Date.parse('2027-03-09T00:00:00.000Z'); at += 6 * HOUR) {
      w.clock.set(new Date(at));
      await checkInputs(w.deps, w.cycleId);
      checked.push(new Date(at).toISOString());
      if ((await escalated(w)).length > 0) break;
    }
    // Monday 09:00 EST is 14:00 UTC; the first check at or after it is 18:00 UTC (13:00 in New York).
    expect(checked.at(-1)).toBe('2027-03-08T18:00:00.000Z');
    expect((await escalated(w)).map((e) => e.at)).toEqual(['2027-03-08T18:00:00.000Z']);
  });
});
