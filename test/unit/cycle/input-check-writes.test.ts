/**
 * What the input check writes, in memory (test/support/memory-world.ts), when something gets in the
 * way: an owner's answer landing between the check's read and its write, and a process dying after
 * the follow-up was sent and before it was recorded, or after the missing inputs were marked and
 * before the cycle went on. Each time nothing is lost, nothing is sent twice, and an answered input
 * is never counted as reminded nor marked NOT_PROVIDED. Every owner's step of one check, and every
 * mark at the deadline, goes in one write.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '#shared/cycle/service.ts';
import type { CycleDeps } from '#shared/cycle/ports.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { DAY, HOUR, memoryWorld, OPENED, type MemoryWorld } from '#test/support/memory-world.ts';
import { answer, theCycle } from './support.ts';

/** Thursday 4 March, 09:01 UK time: the first reminder is due to the four London owners. */
const FIRST_REMINDER = new Date(OPENED.getTime() + 3 * DAY + 60_000);
const LONDON_OWNERS = ['alice', 'auditor', 'ciso', 'risk-owner'];

type Wrappable = 'updateInputRequests' | 'updateCycle';

/** `repo` with one method wrapped: `around` runs in its place and may call the method itself. Calls are counted. */
function wrap<M extends Wrappable>(
  repo: ReviewRepository,
  method: M,
  around: (call: number, real: ReviewRepository[M]) => ReviewRepository[M],
): { repo: ReviewRepository; calls: () => number } {
  let calls = 0;
  const real = repo[method].bind(repo) as ReviewRepository[M];
  const wrappedRepo = new Proxy(repo, {
    get(target, property) {
      if (property === method) {
        return (...args: unknown[]) => {
          calls += 1;
          return (around(calls, real) as (...a: unknown[]) => unknown)(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { repo: wrappedRepo, calls: () => calls };
}

/** The world's dependencies on `repo`. */
const on = (w: MemoryWorld, repo: ReviewRepository): CycleDeps => ({ ...w.deps, repo });

/** The repository with the owner's answer to `inputKey` landing just before the first write of input requests. */
const answeredDuring = (w: MemoryWorld, inputKey: string) =>
  wrap(w.repo, 'updateInputRequests', (call, real) =>
    call === 1
      ? async (...args) => {
          await answer(w, inputKey);
          return real(...args);
        }
      : real,
  );

/** The process dies on the first call of `method`. */
const dyingAt = (repo: ReviewRepository, method: Wrappable) =>
  wrap(repo, method, () => () => Promise.reject(new Error('the process died')));

const reminderEvents = async (w: MemoryWorld, ownerId?: string) =>
  (await w.repo.listEvents(w.cycleId)).filter(
    (e) => e.type === 'input.reminder_sent' && (ownerId === undefined || e.data.ownerId === ownerId),
  );

describe('an answer landing between the check’s read and its write', () => {
  it('is not counted as reminded: the write is refused whole, worked out again, and the step sent once', async () => {
    const w = await memoryWorld();
    w.clock.set(FIRST_REMINDER);
    // The auditor (d1, d3) answers d1 while the check is sending the reminders.
    const racing = answeredDuring(w, 'd1');

    const result = await checkInputs(on(w, racing.repo), w.cycleId);

    expect(result.proceed).toBe(false);
    // Refused once (d1 changed), then written on a fresh read: one write for every owner.
    expect(racing.calls()).toBe(2);
    const d1 = (await w.repo.getInputRequest(w.cycleId, 'd1'))!;
    const d3 = (await w.repo.getInputRequest(w.cycleId, 'd3'))!;
    expect(d1).toMatchObject({ status: 'SUBMITTED', remindersSent: 0 });
    expect(d3).toMatchObject({ status: 'REQUESTED', remindersSent: 1 });
    expect((await reminderEvents(w, 'auditor')).map((e) => e.data.inputKey)).toEqual(['d3']);
    expect(w.mailsTo('auditor').filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1);
    const sent = (await w.outbox.listSent(w.cycleId))
      .map((m) => m.key)
      .filter((k) => k.endsWith('reminder-1'));
    expect(sent.sort()).toEqual(LONDON_OWNERS.map((owner) => `input:${owner}:reminder-1`));

    // The step is complete: the next check sends and records nothing more.
    const mails = w.mailer.sent.length;
    const events = await w.repo.listEvents(w.cycleId);
    w.clock.advance(HOUR);
    await checkInputs(w.deps, w.cycleId);
    expect(w.mailer.sent).toHaveLength(mails);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
    expect(verifyChain(events, { head: await w.repo.getChainHead(w.cycleId) }).ok).toBe(true);
  });

  it('at the deadline, is not marked NOT_PROVIDED, and the others are', async () => {
    const w = await memoryWorld();
    w.clock.set(new Date((await theCycle(w)).inputsDueAt));
    const racing = answeredDuring(w, 'd1');

    const result = await checkInputs(on(w, racing.repo), w.cycleId);

    expect(result.proceed).toBe(true);
    expect(result.missing.sort()).toEqual(['b', 'c', 'd2', 'd3', 'd4', 'e', 'f', 'g']);
    expect(racing.calls()).toBe(2);
    expect(await w.repo.getInputRequest(w.cycleId, 'd1')).toMatchObject({ status: 'SUBMITTED' });
    const marked = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'input.not_provided');
    expect(marked.map((e) => e.data.inputKey).sort()).toEqual(result.missing);
    expect((await theCycle(w)).phase).toBe('COMPILING');
  });
});

describe('a check that dies part way', () => {
  it('after sending, before recording: the next check sends nothing again and records each step once', async () => {
    const w = await memoryWorld();
    w.clock.set(FIRST_REMINDER);
    const dying = dyingAt(w.repo, 'updateInputRequests');

    await expect(checkInputs(on(w, dying.repo), w.cycleId)).rejects.toThrow('the process died');
    const mails = w.mailer.sent.length;
    expect(w.mailer.sent.filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(4);
    expect(await reminderEvents(w)).toEqual([]);

    // The workflow's retry, an hour later: the outbox finds every reminder sent; they are recorded.
    w.clock.advance(HOUR);
    const counted = wrap(w.repo, 'updateInputRequests', (_, real) => real);
    await checkInputs(on(w, counted.repo), w.cycleId);
    expect(counted.calls()).toBe(1);
    expect(w.mailer.sent).toHaveLength(mails);
    const requests = (await w.repo.listInputRequests(w.cycleId)).filter(
      (r) => r.ownerId && LONDON_OWNERS.includes(r.ownerId),
    );
    for (const request of requests) expect(request.remindersSent, request.inputKey).toBe(1);
    expect((await reminderEvents(w)).map((e) => e.data.inputKey).sort()).toEqual(
      requests.map((r) => r.inputKey).sort(),
    );

    // Once more: nothing sent, nothing recorded twice.
    w.clock.advance(HOUR);
    const events = await w.repo.listEvents(w.cycleId);
    await checkInputs(w.deps, w.cycleId);
    expect(w.mailer.sent).toHaveLength(mails);
    expect(await w.repo.listEvents(w.cycleId)).toEqual(events);
  });

  it('after marking the missing inputs, before going on: the next check goes on, for the deadline', async () => {
    const w = await memoryWorld();
    w.clock.set(new Date((await theCycle(w)).inputsDueAt));
    const marks = wrap(w.repo, 'updateInputRequests', (_, real) => real);
    const dying = dyingAt(marks.repo, 'updateCycle');
    await expect(checkInputs(on(w, dying.repo), w.cycleId)).rejects.toThrow('the process died');
    // Every missing input marked in one write.
    expect(marks.calls()).toBe(1);
    expect(
      (await w.repo.listInputRequests(w.cycleId)).filter((r) => r.status === 'NOT_PROVIDED'),
    ).toHaveLength(9);

    const result = await checkInputs(w.deps, w.cycleId);
    // It goes on, for the deadline, naming the inputs the stopped check marked; it marks nothing again.
    expect(result.proceed).toBe(true);
    expect(result.missing).toHaveLength(9);
    const marked = (await w.repo.listEvents(w.cycleId)).filter((e) => e.type === 'input.not_provided');
    expect(marked).toHaveLength(9);
    expect((await w.repo.listEvents(w.cycleId)).at(-1)).toMatchObject({
      type: 'cycle.phase_changed',
      data: { to: 'COMPILING', reason: 'input deadline passed' },
    });
  });
});
