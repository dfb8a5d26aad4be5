/**
 * The register on DynamoDB Local: the sweep's cost does not grow with closed actions (the sparse
 * open-actions index), command-line changes are recorded with their source, and `minutes submit`
 * resumes the waiting workflow exactly once.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sweepActions } from '#shared/actions/follow-up.ts';
import type { CycleDeps, PackagePort } from '#shared/cycle/ports.ts';
import { followUpActions } from '#shared/cycle/service.ts';
import { changeAction, InvalidActionChange } from '#shared/actions/register.ts';
import { submitMinutes } from '#shared/minutes/submit.ts';
import type { Action } from '#shared/model/action.ts';
import { actionIdFor } from '#shared/model/ids.ts';
import { aCycle } from '#test/unit/model/builders.ts';
import { CYCLE_ID, VALID_MINUTES } from '#test/unit/minutes/support.ts';
import { actionWorld, at, type ActionWorld } from './support.ts';

let w: ActionWorld;
beforeEach(async () => {
  w = await actionWorld();
});

/** Counts the DynamoDB requests made through the test's client, by command. */
function countRequests(w: ActionWorld): { counts: Map<string, number>; total: () => number } {
  const counts = new Map<string, number>();
  w.table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: `count-${Math.random()}` },
  );
  return { counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0) };
}

function closedAction(n: number): Action {
  const at = '2026-11-20T10:00:00.000Z';
  return {
    id: actionIdFor(w.cycle.id, n),
    cycleId: w.cycle.id,
    programmeId: 'acme',
    title: `Closed action ${n}`,
    ownerId: 'ciso',
    dueDate: '2026-11-15',
    status: 'verified',
    escalationLevel: 0,
    corrective: false,
    closureEvidence: { text: 'done', at, by: 'ciso' },
    history: [{ at, by: 'alice', change: 'created' }],
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

describe('the sweep', () => {
  it('reads only actions needing follow-up: the same requests with 0 or 250 closed actions', async () => {
    at(w, '2026-12-08');
    await sweepActions(w.deps, 'acme'); // the corrective action's first reminder
    const { counts, total } = countRequests(w);

    at(w, '2026-12-10');
    const quiet = await sweepActions(w.deps, 'acme');
    expect(quiet).toMatchObject({ examined: 1, sent: [] });
    const before = total();
    expect(Object.fromEntries(counts)).toEqual({ GetItemCommand: 2, QueryCommand: 1 });

    for (let first = 10; first < 260; first += 50) {
      await w.repo.createActions(Array.from({ length: 50 }, (_, i) => closedAction(first + i)));
    }
    counts.clear();
    at(w, '2026-12-11');
    expect(await sweepActions(w.deps, 'acme')).toMatchObject({ examined: 1, sent: [] });
    expect(total()).toBe(before);
    expect(Object.fromEntries(counts)).toEqual({ GetItemCommand: 2, QueryCommand: 1 });
  });
});

describe('carry-over', () => {
  it("a later cycle's loop goes on following the actions an earlier one decided", async () => {
    const later = aCycle(
      { programmeId: 'acme', programme: w.cycle.programme, phase: 'FOLLOW_UP' },
      new Date('2027-01-04T09:00:00.000Z'),
    );
    await w.repo.createCycle(later, [], {
      event: { type: 'cycle.opened', at: later.openedAt, actor: 'system', data: {} },
    });
    // Only the later cycle's loop runs: it reaches the earlier cycle's overdue corrective action.
    // On Sunday 10 January its rungs wait for business hours; the loop looks again when the owner's
    // window opens (Monday 09:00 in Berlin, 08:00 UTC).
    const deps = { ...w.deps, packages: undefined as unknown as PackagePort } satisfies CycleDeps;
    at(w, '2027-01-10');
    const sunday = await followUpActions(deps, later.id);
    expect(sunday).toMatchObject({ allClosed: true, open: 0, nextCheckAt: '2027-01-11T08:00:00.000Z' });
    expect((await w.repo.getAction(w.corrective.id))!.escalationLevel).toBe(0);
    // Monday 09:00 UTC, inside everyone's business hours: every rung goes.
    at(w, '2027-01-11');
    const result = await followUpActions(deps, later.id);
    expect(result).toMatchObject({ allClosed: true, open: 0 });
    const earlier = (await w.repo.getAction(w.corrective.id))!;
    expect(earlier.escalationLevel).toBe(3);
    // Recorded in the log of the cycle that decided the action.
    const escalated = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.type === 'action.escalated');
    expect(escalated.map((e) => e.data.step)).toEqual(['escalate-manager', 'escalate-top']);
    // The earlier cycle stays in follow-up while its own actions are open.
    expect(await followUpActions(deps, w.cycle.id)).toMatchObject({ allClosed: false, open: 2 });
  });
});

describe('changes from the command line', () => {
  it('records who made the change and that it came from the command line', async () => {
    const { action } = await changeAction(
      { repo: w.repo, clock: w.clock, notifier: w.notifier },
      {
        actionId: w.mfa.id,
        by: 'alice',
        source: { channel: 'cli' },
        command: { kind: 'progress', note: '8 of 12 keys issued' },
      },
    );
    expect(action.status).toBe('in_progress');
    expect(action.history.at(-1)).toMatchObject({
      by: 'alice',
      change: 'progress: 8 of 12 keys issued (on the command line)',
      source: { channel: 'cli' },
    });
    const event = (await w.repo.listEvents(w.cycle.id)).at(-1)!;
    expect(event).toMatchObject({
      type: 'action.updated',
      actor: 'alice',
      data: { actionId: w.mfa.id, from: 'open', to: 'in_progress', source: 'cli' },
    });
    await expect(
      changeAction(
        { repo: w.repo, clock: w.clock },
        {
          actionId: w.mfa.id,
          by: 'alice',
          source: { channel: 'cli' },
          command: { kind: 'verify', note: 'ok' },
        },
      ),
    ).rejects.toThrow(InvalidActionChange);
  });
});

describe('minutes submit', () => {
  it('resumed the waiting workflow once; the same minutes again resume nothing', async () => {
    expect(w.submitted).toMatchObject({ ok: true, repeated: false, resumed: true });
    expect(w.workflow.calls).toEqual(['minutes-task-1']);
    const minutes = await w.repo.getMinutes(w.cycle.id);
    expect(minutes!.source).toEqual({ channel: 'cli', fileName: 'minutes.yaml' });

    const text = VALID_MINUTES.replace('CTO@example.com', w.email('cto')).replace(
      'auditor@example.com',
      w.email('auditor'),
    );
    const again = await submitMinutes(
      { repo: w.repo, clock: w.clock, workflow: w.workflow },
      { cycleId: w.cycle.id, text },
    );
    expect(again).toMatchObject({ ok: true, repeated: true, resumed: false });
    expect(w.workflow.calls).toHaveLength(1);
  });

  it('lists every problem and records nothing when the minutes are wrong', async () => {
    const draft = aCycle(
      { programmeId: 'acme', programme: w.cycle.programme, phase: 'AWAITING_MINUTES' },
      new Date('2026-07-01T08:00:00.000Z'),
    );
    await w.repo.createCycle(draft, [], {
      event: { type: 'cycle.opened', at: draft.openedAt, actor: 'system', data: {} },
    });
    await w.repo.parkTaskToken({
      cycleId: draft.id,
      purpose: 'minutes',
      taskToken: 'task-2',
      parkedAt: draft.openedAt,
    });
    const text = VALID_MINUTES.replace(`cycle: ${CYCLE_ID}`, `cycle: ${draft.id}`)
      .replace('  - person: ceo\n    status: present', '  - person: ceo\n    status: absent')
      .replace('    owner: ciso\n', '    owner: nobody\n');
    const result = await submitMinutes(
      { repo: w.repo, clock: w.clock, workflow: w.workflow },
      { cycleId: draft.id, text },
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.join('\n')).toContain('top management');
    expect(problems.join('\n')).toContain('nobody');
    expect(await w.repo.getMinutes(draft.id)).toBeUndefined();
    expect(await w.repo.listActionsOfCycle(draft.id)).toEqual([]);
    expect(w.workflow.calls).toEqual(['minutes-task-1']);
    expect((await w.repo.getParkedTask(draft.id, 'minutes'))!.status).toBe('parked');
  });
});
