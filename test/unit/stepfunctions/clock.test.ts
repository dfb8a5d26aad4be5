import { describe, expect, it } from 'vitest';
import {
  CLOCK_ENV_VAR,
  clockFromEnvironment,
  parseClockEnvValue,
  RuntimeClock,
  SleepAborted,
} from '#infra/local/stepfunctions/clock.ts';

const START = new Date('2025-03-30T00:30:00Z');

/** A real-time source the test moves by hand. */
function manualRealTime(startMs = 1_000_000) {
  let now = startMs;
  return { now: () => now, move: (ms: number) => (now += ms) };
}

describe('RuntimeClock', () => {
  it('refuses a speed that is not a positive number and bad jumps', () => {
    expect(() => new RuntimeClock({ speed: 0 })).toThrow(/positive/);
    expect(() => new RuntimeClock({ speed: -1 })).toThrow(/positive/);
    expect(() => new RuntimeClock({ speed: Number.NaN })).toThrow(/positive/);
    expect(() => new RuntimeClock({ start: new Date('nonsense') })).toThrow(/valid dates/);
    const clock = new RuntimeClock();
    expect(() => clock.advance(-1)).toThrow(/advance/);
    expect(() => clock.set(new Date('nonsense'))).toThrow(/valid date/);
  });

  it('runs simulated time at its speed from its start, and jumps', () => {
    const real = manualRealTime();
    const clock = new RuntimeClock({ speed: 86_400, start: START, realNow: real.now });
    expect(clock.now()).toEqual(START);
    real.move(1000);
    expect(clock.now()).toEqual(new Date(START.getTime() + 86_400_000));
    clock.advance(3_600_000);
    expect(clock.now()).toEqual(new Date(START.getTime() + 86_400_000 + 3_600_000));
    clock.set(START);
    real.move(500);
    expect(clock.now()).toEqual(new Date(START.getTime() + 43_200_000));
  });

  it('wakes a sleeper when its simulated time comes, and at once when the clock jumps past it', async () => {
    const clock = new RuntimeClock({ speed: 3_600_000, start: START }); // one simulated hour per real ms
    const before = Date.now();
    await clock.sleep(20 * 3_600_000);
    expect(clock.now().getTime() - START.getTime()).toBeGreaterThanOrEqual(20 * 3_600_000);
    expect(Date.now() - before).toBeLessThan(1_000);

    const slow = new RuntimeClock({ speed: 1, start: START });
    const target = new Date(START.getTime() + 365 * 86_400_000);
    const sleeping = slow.sleepUntil(target);
    expect(slow.sleeping).toBe(1);
    slow.advance(365 * 86_400_000);
    await sleeping;
    expect(slow.now().getTime()).toBeGreaterThanOrEqual(target.getTime());
    expect(slow.sleeping).toBe(0);
  });

  it('rejects a sleep with SleepAborted when its signal aborts', async () => {
    const clock = new RuntimeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(86_400_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toBeInstanceOf(SleepAborted);
    expect(clock.sleeping).toBe(0);
    await expect(clock.sleep(1, controller.signal)).rejects.toBeInstanceOf(SleepAborted);
  });
});

describe('the clock handlers read (ISMS_CLOCK)', () => {
  it('refuses a malformed value', () => {
    expect(() => parseClockEnvValue('fast')).toThrow(/not JSON/);
    expect(() => parseClockEnvValue('{"speed":0,"realAnchorMs":1,"simulatedAnchorMs":2}')).toThrow(/speed/);
    expect(() => parseClockEnvValue('{"speed":2}')).toThrow(/realAnchorMs/);
  });

  it('falls back to the system clock without ISMS_CLOCK', () => {
    const clock = clockFromEnvironment({});
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1_000);
  });

  it('follows the runtime clock, jumps included, from the published value', () => {
    const runtimeClock = new RuntimeClock({ speed: 86_400, start: START });
    const env: NodeJS.ProcessEnv = { [CLOCK_ENV_VAR]: runtimeClock.toEnvValue() };
    runtimeClock.onChange((c) => (env[CLOCK_ENV_VAR] = c.toEnvValue()));
    const handlerClock = clockFromEnvironment(env);
    expect(Math.abs(handlerClock.now().getTime() - runtimeClock.now().getTime())).toBeLessThan(86_400 * 50);
    runtimeClock.advance(30 * 86_400_000);
    expect(Math.abs(handlerClock.now().getTime() - runtimeClock.now().getTime())).toBeLessThan(86_400 * 50);
    expect(handlerClock.now().getTime() - START.getTime()).toBeGreaterThanOrEqual(30 * 86_400_000);
    const continued = RuntimeClock.fromAnchor(parseClockEnvValue(env[CLOCK_ENV_VAR] as string));
    expect(Math.abs(continued.now().getTime() - runtimeClock.now().getTime())).toBeLessThan(86_400 * 50);
  });
});
