/**
 * The composition root: a part is built once per wiring and shared by every set that names it, an
 * override takes its place by name, a part that failed to build is built again, and the process's
 * wiring starts again after resetWiring. The handler factory checks the event before it builds
 * anything, and hands the business function the parts its file named.
 */
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock, type Clock } from '#shared/clock.ts';
import type { ReplyKeyring } from '#shared/mail/reply-keyring.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import type * as HandlerModule from '#shared/wiring/handler.ts';
import { part, partView, processWiring, resetWiring, wire, Wiring } from '#shared/wiring/wiring.ts';

const T0 = new Date('2027-01-04T09:00:00.000Z');

/** A clock part that counts how often it is built. */
function countedClock() {
  const counted = { builds: 0 };
  const clockPart = part('clock', (): Clock => {
    counted.builds += 1;
    return new FixedClock(T0);
  });
  return { counted, clockPart };
}

describe('Wiring', () => {
  it('builds a part once and shares it between the sets that name it', async () => {
    const { counted, clockPart } = countedClock();
    const wiring = new Wiring({ env: {} });
    const [a, b] = await Promise.all([
      wire({ clock: clockPart })(wiring),
      wire({ now: clockPart, env: part('env', (w) => w.env) })(wiring),
    ]);
    expect(a.clock).toBe(b.now);
    expect(counted.builds).toBe(1);
    // Another wiring (another process, another test) builds its own.
    expect((await wire({ clock: clockPart })(new Wiring({ env: {} }))).clock).not.toBe(a.clock);
    expect(counted.builds).toBe(2);
  });

  it('gives a part that depends on another the same instance the wiring holds', async () => {
    const { clockPart } = countedClock();
    const stamped = part('env', async (w) => ({ BUILT_AT: (await w.get(clockPart)).now().toISOString() }));
    const wiring = new Wiring({ env: {} });
    expect(await wiring.get(stamped)).toEqual({ BUILT_AT: T0.toISOString() });
    expect(await wiring.get(clockPart)).toBe(await wiring.get(clockPart));
  });

  it('takes an override by name instead of building, for every part of that name', async () => {
    const { counted, clockPart } = countedClock();
    const other = part('clock', (): Clock => new FixedClock(new Date(0)));
    const given = new FixedClock(new Date('2030-01-01T00:00:00.000Z'));
    const wiring = new Wiring({ env: {}, overrides: { clock: given } });
    expect(await wiring.get(clockPart)).toBe(given);
    expect(await wiring.get(other)).toBe(given);
    expect(counted.builds).toBe(0);
  });

  it('a view of a part must be something the whole part is; an override of the whole still fits', async () => {
    // A value the whole `clock` part is not (no `now`) is refused by the type checker.
    // @ts-expect-error a { later } object is not a view of Clock
    partView('clock', () => ({ later: () => new Date(0) }));

    const nowOnly = partView('clock', (): Pick<Clock, 'now'> => ({ now: () => T0 }));
    expect((await wire({ clock: nowOnly })(new Wiring({ env: {} }))).clock.now()).toEqual(T0);
    const given = new FixedClock(new Date('2030-01-01T00:00:00.000Z'));
    const overridden = await wire({ clock: nowOnly })(new Wiring({ env: {}, overrides: { clock: given } }));
    expect(overridden.clock).toBe(given);
  });

  it('builds a part that failed again on the next request, and keeps it once built', async () => {
    let attempts = 0;
    const flaky = part('replyKey', async (): Promise<ReplyKeyring> => {
      attempts += 1;
      if (attempts === 1) throw new Error('secret not readable yet');
      return singleKeyring(Buffer.alloc(32, 1));
    });
    const wiring = new Wiring({ env: {} });
    await expect(wiring.get(flaky)).rejects.toThrow('secret not readable yet');
    const built = await wiring.get(flaky);
    expect(built.current).toBeDefined();
    expect(await wiring.get(flaky)).toBe(built);
    expect(attempts).toBe(2);
  });

  it('reads the environment it was given, process.env by default', () => {
    expect(new Wiring({ env: { TABLE_NAME: 't' } }).env.TABLE_NAME).toBe('t');
    expect(new Wiring().env).toBe(process.env);
  });

  it('has one wiring per process until resetWiring', () => {
    const first = processWiring();
    expect(processWiring()).toBe(first);
    resetWiring();
    expect(processWiring()).not.toBe(first);
  });
});

describe('lambdaHandler', () => {
  let handlerModule: typeof HandlerModule;
  beforeAll(async () => {
    // No metrics output from these invocations (read when the metrics object is made).
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
    handlerModule = await import('#shared/wiring/handler.ts');
  });
  const context = { functionName: 'test', awsRequestId: 'r-1' } as Context;

  it('refuses a bad event with its named error before building anything', async () => {
    const { counted, clockPart } = countedClock();
    const handler = handlerModule.cycleStepHandler({ clock: clockPart }, async () => 'ran');
    await expect(handler({ cycleId: 'not a cycle id' }, context)).rejects.toBeInstanceOf(
      handlerModule.InvalidTaskEvent,
    );
    await expect(handler({}, context)).rejects.toThrow(/cycleId/);
    expect(counted.builds).toBe(0);
  });

  it("hands the business function the parts it named and the checked event's cycle id", async () => {
    resetWiring();
    const { counted, clockPart } = countedClock();
    const seen: { now: string; cycleId: string }[] = [];
    const handler = handlerModule.cycleStepHandler({ clock: clockPart }, async (deps, cycleId) => {
      seen.push({ now: deps.clock.now().toISOString(), cycleId });
      return { cycleId };
    });
    const cycleId = 'C-20270104T0900Z-Q';
    expect(await handler({ cycleId, extra: true }, context)).toEqual({ cycleId });
    expect(await handler({ cycleId }, context)).toEqual({ cycleId });
    expect(seen).toEqual([
      { now: T0.toISOString(), cycleId },
      { now: T0.toISOString(), cycleId },
    ]);
    // Once per execution environment.
    expect(counted.builds).toBe(1);
  });
});
