/**
 * The action follow-up sleeps until the sweep next has something to send (shared/actions/follow-up.ts
 * `actionDueAt`, shared/cycle/follow-up-phase.ts), not a day at a time: the same mails as the loop
 * that looked again every day (or sooner, at the next ladder step), at the same times, in fewer
 * wake-ups; a change to an action wakes it (shared/actions/follow-up-wake.ts), and a change between
 * the sweep and the park is caught by the park itself.
 *
 * In memory, on programme.example.yaml, with the fixtures' minutes: the MFA action (the CISO, due 31
 * January 2027) and the corrective HR action (the internal auditor, due 15 December 2026).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FollowUpTokenEvent } from '#functions/await-follow-up.ts';
import { actionDueAt } from '#shared/actions/follow-up.ts';
import { FOLLOW_UP_WAIT, wakeFollowUp } from '#shared/actions/follow-up-wake.ts';
import { changeAction, type ActionCommand } from '#shared/actions/register.ts';
import { awaitFollowUp, followUpActions } from '#shared/cycle/follow-up-phase.ts';
import { MAX_SLEEP_SECONDS } from '#shared/cycle/wake-up.ts';
import type { Action } from '#shared/model/action.ts';
import { InvalidTaskEvent, parseEvent } from '#shared/wiring/handler.ts';
import { cycleWithMinutes } from './support.ts';
import { memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import { NOW, VALID_MINUTES, withLine } from '#test/unit/minutes/support.ts';

const DAY = 86_400_000;
const LINK = 'https://intranet.example.com/hr/findings-closed';
const PROGRAMME = 'example-ltd';

/** A world whose cycle, in follow-up, holds the two actions of the fixtures' minutes. */
async function followUpWorld(): Promise<{ w: MemoryWorld; cycleId: string; mfa: Action; hr: Action }> {
  const w = await memoryWorld({ openedAt: NOW, open: false });
  let minutes = withLine('person: CTO@example.com', 'person: Lukasz.Dvorak@example.com', VALID_MINUTES);
  minutes = withLine('owner: auditor@example.com', 'owner: auditor', minutes);
  const { cycleId, actions } = await cycleWithMinutes(w, PROGRAMME, minutes);
  const cycle = (await w.repo.getCycle(cycleId))!;
  await w.repo.updateCycle({ ...cycle, phase: 'FOLLOW_UP', status: 'active' });
  return {
    w,
    cycleId,
    mfa: actions.find((a) => !a.corrective)!,
    hr: actions.find((a) => a.corrective)!,
  };
}

/** A change someone makes at `at`: the owner's DONE, the ISMS manager's CONFIRM. */
interface Change {
  readonly at: number;
  readonly action: 'mfa' | 'hr';
  readonly by: string;
  readonly command: ActionCommand;
}

type FollowUp = Awaited<ReturnType<typeof followUpActions>>;

/**
 * Runs the follow-up from `start` for `days`: a sweep (followUpActions) at each wake-up, `changes`
 * applied at their times. `next` says when the loop looks again after a sweep. `wokenByChanges`: a
 * change wakes the loop at once (the parked wait, as now); the loop as it was slept on.
 * Returns each mail (recipients and subject) with the time it went, and the number of sweeps.
 */
async function runFollowUp(
  args: { start: number; days: number; changes: readonly Change[]; wokenByChanges: boolean },
  next: (now: number, result: FollowUp) => number,
) {
  const { w, cycleId, mfa, hr } = await followUpWorld();
  const ids = { mfa: mfa.id, hr: hr.id };
  const end = args.start + args.days * DAY;
  const pending = [...args.changes].sort((a, b) => a.at - b.at);
  const mails: { at: number; mail: string }[] = [];
  let sweeps = 0;
  let wakeAt = args.start;
  while (wakeAt < end) {
    const change = pending[0];
    if (change && change.at <= wakeAt) {
      pending.shift();
      w.clock.set(new Date(change.at));
      await changeAction(w.deps, {
        actionId: ids[change.action],
        by: change.by,
        source: { channel: 'cli' },
        command: change.command,
      });
      if (!args.wokenByChanges) continue;
      wakeAt = change.at;
    }
    w.clock.set(new Date(wakeAt));
    const before = w.mailer.sent.length;
    const result = await followUpActions(w.deps, cycleId);
    sweeps += 1;
    for (const mail of w.mailer.sent.slice(before)) {
      mails.push({ at: wakeAt, mail: `${mail.to.join(',')} cc ${mail.cc.join(',')}: ${mail.subject}` });
    }
    if (result.allClosed) break;
    wakeAt = next(wakeAt, result);
  }
  return { mails, sweeps };
}

/** Each mail's send times, by mail, in order. */
function timesOf(mails: readonly { at: number; mail: string }[]): Map<string, number[]> {
  const times = new Map<string, number[]>();
  for (const { at, mail } of [...mails].sort((a, b) => a.mail.localeCompare(b.mail) || a.at - b.at)) {
    times.set(mail, [...(times.get(mail) ?? []), at]);
  }
  return times;
}

/** The loop as it was: the next ladder step or a day later, whichever comes first (at least a second). */
const daily = (now: number, result: FollowUp) =>
  Math.max(now + 1000, Math.min(now + DAY, result.dueAt ? Date.parse(result.dueAt) : Infinity));
/** The loop as it is: the seconds FollowUp returns (AwaitFollowUp's TimeoutSecondsPath). */
const asleep = (now: number, result: FollowUp) => now + result.sleepSeconds * 1000;

describe('the follow-up, sleeping until something is due', () => {
  const minute = (from: string, days: number) =>
    fc.integer({ min: 0, max: days * 1440 }).map((m) => Date.parse(from) + m * 60_000);

  it('sends the same mails, at the same times, as the loop that looked again every day, in fewer wake-ups (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        minute('2026-11-01T00:00:00Z', 50),
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
        async (start, doneAfterDays, confirmAfterDays) => {
          // The HR action done (with its link), then confirmed: its confirmation reminder and its
          // effectiveness check's reminder fall due while the MFA action climbs its ladder.
          const changes: Change[] = [];
          if (doneAfterDays !== undefined) {
            const doneAt = start + doneAfterDays * DAY + 3_600_000;
            changes.push({
              at: doneAt,
              action: 'hr',
              by: 'auditor',
              command: { kind: 'done', evidence: `both findings closed: ${LINK}` },
            });
            if (confirmAfterDays !== undefined) {
              changes.push({
                at: doneAt + confirmAfterDays * DAY,
                action: 'hr',
                by: 'alice',
                command: { kind: 'confirm' },
              });
            }
          }
          const run = { start, days: 120, changes };
          // The daily loop, looking again at each change too, sends what sleeping sends, at the same
          // times: its extra daily looks find nothing due that sleeping would have missed.
          const lookingDaily = await runFollowUp({ ...run, wokenByChanges: true }, daily);
          const sleeping = await runFollowUp({ ...run, wokenByChanges: true }, asleep);
          expect(sleeping.mails).toEqual(lookingDaily.mails);
          expect(sleeping.sweeps).toBeLessThanOrEqual(lookingDaily.sweeps);
          // The loop as it was, which a change did not wake, sent the same mails, none sooner.
          const before = timesOf((await runFollowUp({ ...run, wokenByChanges: false }, daily)).mails);
          const now = timesOf(sleeping.mails);
          expect([...now.keys()]).toEqual([...before.keys()]);
          for (const [mail, times] of now) {
            const then = before.get(mail)!;
            expect(times.length, mail).toBe(then.length);
            times.forEach((at, k) => expect(at, mail).toBeLessThanOrEqual(then[k]!));
          }
        },
      ),
      {
        numRuns: 6,
        // Started on a Friday evening with the HR action due soon; done, confirmed, its check overdue.
        examples: [[Date.parse('2026-12-04T18:59:00Z'), 3, 2]],
      },
    );
  }, 300_000);

  it('sleeps until the next step may go out, a week at most', async () => {
    const { w, cycleId } = await followUpWorld();
    // Friday 27 November 2026: nothing falls due within a week (the HR action's 7-day reminder is
    // on 8 December): the loop sleeps the week, the safety net.
    w.clock.set(new Date('2026-11-27T18:00:00Z'));
    expect(await followUpActions(w.deps, cycleId)).toMatchObject({
      allClosed: false,
      open: 2,
      dueAt: null,
      sleepSeconds: MAX_SLEEP_SECONDS,
      nextCheckAt: '2026-12-04T18:00:00.000Z',
    });
    // Tuesday 1 December: the reminder is a week away, and the loop sleeps until it may go out.
    w.clock.set(new Date('2026-12-01T18:00:00Z'));
    const result = await followUpActions(w.deps, cycleId);
    const due = Date.parse(result.dueAt!);
    expect(new Date(due).toISOString().slice(0, 10)).toBe('2026-12-08');
    expect(result.sleepSeconds).toBe(Math.ceil((due - w.clock.now().getTime()) / 1000));
    expect(result.nextCheckAt).toBe(result.dueAt);
  });

  it('the confirmation reminder waits for the confirmer’s business hours, from the start of its day', async () => {
    const { w, hr } = await followUpWorld();
    // Done on Monday 14 December 2026: the ISMS manager is reminded five days later, on Saturday,
    // which waits for Monday 21 December, 09:00 UK time.
    w.clock.set(new Date('2026-12-14T10:00:00Z'));
    const { action } = await changeAction(w.deps, {
      actionId: hr.id,
      by: 'auditor',
      source: { channel: 'cli' },
      command: { kind: 'done', evidence: `both findings closed: ${LINK}` },
    });
    expect(actionDueAt(w.programme, action, w.clock.now())).toEqual(new Date('2026-12-21T09:00:00Z'));
    expect(actionDueAt(w.programme, action, w.clock.now(), new Set(['confirm-overdue']))).toBeUndefined();
  });
});

describe('waking the follow-up', () => {
  it('refuses a park without the time FollowUp worked out, or with one that is not UTC', () => {
    const event = { cycleId: 'C-20261001T0800Z-Q', taskToken: 'follow-up-1' };
    expect(() => parseEvent(FollowUpTokenEvent, event)).toThrow(InvalidTaskEvent);
    expect(() => parseEvent(FollowUpTokenEvent, { ...event, dueAt: '08/12/2026' })).toThrow(/^dueAt: /);
    expect(parseEvent(FollowUpTokenEvent, { ...event, dueAt: null })).toMatchObject({ dueAt: null });
  });

  it('an action change wakes the parked loop; a change before the park makes the park resume at once', async () => {
    const { w, cycleId, mfa, hr } = await followUpWorld();
    const resumes = () => w.workflow.calls.filter((c) => c.output.purpose === FOLLOW_UP_WAIT);
    const waking = { ...w.deps, workflow: w.workflow };
    w.clock.set(new Date('2026-12-01T18:00:00Z'));
    const first = await followUpActions(w.deps, cycleId);
    // Nothing changed: the park sleeps.
    expect(await awaitFollowUp(w.deps, { cycleId, taskToken: 'follow-up-1', dueAt: first.dueAt })).toEqual({
      resumed: false,
    });
    // Top management moves the MFA action to next week: the parked loop is woken.
    w.clock.set(new Date('2026-12-02T10:00:00Z'));
    await changeAction(waking, {
      actionId: mfa.id,
      by: 'ceo',
      source: { channel: 'cli' },
      command: { kind: 'reschedule', until: '2026-12-04', reason: 'needed before the audit' },
    });
    expect(resumes()).toEqual([
      { taskToken: 'follow-up-1', output: { cycleId, purpose: FOLLOW_UP_WAIT, woken: true } },
    ]);
    // Its sweep works the next step out again: sooner than before.
    const second = await followUpActions(w.deps, cycleId);
    expect(Date.parse(second.dueAt!)).toBeLessThan(Date.parse(first.dueAt!));

    // A change lands between this sweep and its park: the wake-up finds nothing parked (the last
    // park's token is spent), and the park, looking again once parked, resumes at once. (Recorded
    // without a notifier, no notice to the owner stands for the HR action's reminders already due,
    // so its day-before reminder is due at once.)
    await w.repo.completeParkedTask(cycleId, FOLLOW_UP_WAIT, w.clock.now().toISOString());
    const { notifier: _none, ...silent } = waking;
    const { action: moved } = await changeAction(silent, {
      actionId: hr.id,
      by: 'ceo',
      source: { channel: 'cli' },
      command: { kind: 'reschedule', until: '2026-12-03', reason: 'the auditors come early' },
    });
    expect(moved.stepsSent).toBeUndefined();
    expect(resumes()).toHaveLength(1);
    expect(await awaitFollowUp(w.deps, { cycleId, taskToken: 'follow-up-2', dueAt: second.dueAt })).toEqual({
      resumed: true,
    });
    expect(resumes().at(-1)).toEqual({
      taskToken: 'follow-up-2',
      output: { cycleId, purpose: FOLLOW_UP_WAIT },
    });

    // A new programme version wakes the loops of the programme's cycles in follow-up: this one,
    // parked again after its sweep.
    const third = await followUpActions(w.deps, cycleId);
    expect(await awaitFollowUp(w.deps, { cycleId, taskToken: 'follow-up-3', dueAt: third.dueAt })).toEqual({
      resumed: false,
    });
    expect(await wakeFollowUp({ repo: w.repo, workflow: w.workflow }, PROGRAMME)).toEqual([cycleId]);
    expect(resumes().at(-1)).toEqual({
      taskToken: 'follow-up-3',
      output: { cycleId, purpose: FOLLOW_UP_WAIT, woken: true },
    });
  });
});
