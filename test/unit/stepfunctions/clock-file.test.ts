import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLOCK_FILE,
  persistentClock,
  readClockFile,
  resumedStart,
  type PersistentClock,
} from '#infra/local/stepfunctions/clock-file.ts';

const START = new Date('2027-01-04T09:00:00Z');
const DAY = 86_400_000;

function manualRealTime(startMs = 1_700_000_000_000) {
  let now = startMs;
  return { now: () => now, move: (ms: number) => (now += ms) };
}

const dirs: string[] = [];
const running: PersistentClock[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'isms-clock-'));
  dirs.push(dir);
  return dir;
}
function open(options: Parameters<typeof persistentClock>[0]): PersistentClock {
  const clock = persistentClock(options);
  running.push(clock);
  return clock;
}

afterEach(() => {
  for (const clock of running.splice(0)) clock.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the runtime clock kept in the data folder', () => {
  it('starts a first run where asked and writes where simulated time is', () => {
    const dir = dataDir();
    const real = manualRealTime();
    const first = open({ dataDir: dir, speed: DAY / 1000, start: START, realNow: real.now });
    expect(first.continued).toBe(false);
    expect(first.clock.now()).toEqual(START);
    expect(readClockFile(dir)).toMatchObject({ simulatedMs: START.getTime(), speed: DAY / 1000 });
    // A jump is written at once, without waiting for the next interval.
    first.clock.advance(3 * DAY);
    expect(readClockFile(dir)?.simulatedMs).toBe(START.getTime() + 3 * DAY);
  });

  it('continues after a kill from the last write, one interval on, never going back', () => {
    const dir = dataDir();
    const real = manualRealTime();
    const speed = DAY / 1000; // one day per second
    const first = open({ dataDir: dir, speed, start: START, realNow: real.now, intervalMs: 100 });
    real.move(2_000); // two simulated days; the last write is at the jump below
    first.clock.advance(0);
    const written = readClockFile(dir)!;
    expect(written.simulatedMs).toBe(START.getTime() + 2 * DAY);
    // kill -9: nothing more is written; ten real minutes later the app starts again
    real.move(600_000);
    const second = open({ dataDir: dir, speed, start: new Date(0), realNow: real.now, intervalMs: 100 });
    expect(second.continued).toBe(true);
    // Time stood still while the app was down, plus at most one interval of simulated time.
    expect(second.clock.now().getTime()).toBe(written.simulatedMs + 100 * speed);
    real.move(1_000);
    expect(second.clock.now().getTime()).toBe(written.simulatedMs + 100 * speed + DAY);
  });

  it('continues at a new speed, and at speed 1 is never behind the real time', () => {
    const saved = { simulatedMs: START.getTime(), writtenAtMs: 0, speed: 3_600, intervalMs: 100 };
    expect(resumedStart(saved, 86_400, START.getTime() - DAY).getTime()).toBe(START.getTime() + 360_000);
    // Accelerated history ahead of the real time: keep it.
    expect(resumedStart(saved, 1, START.getTime() - DAY).getTime()).toBe(START.getTime() + 360_000);
    // Real time has overtaken it: speed 1 is the real time.
    expect(resumedStart(saved, 1, START.getTime() + DAY).getTime()).toBe(START.getTime() + DAY);
    // No saved clock: the given start, else the real time.
    expect(resumedStart(undefined, 86_400, 42, START)).toEqual(START);
    expect(resumedStart(undefined, 86_400, 42)).toEqual(new Date(42));
  });

  it('rewind() takes start-up out of an accelerated timeline, not out of real time', () => {
    const dir = dataDir();
    const real = manualRealTime();
    const fast = open({ dataDir: dir, speed: DAY / 1000, start: START, realNow: real.now });
    real.move(5_000); // five seconds of start-up: five simulated days
    fast.rewind();
    expect(fast.clock.now()).toEqual(START);
    expect(readClockFile(dir)?.simulatedMs).toBe(START.getTime());
    const realTime = open({ dataDir: dataDir(), speed: 1, realNow: real.now });
    const before = realTime.clock.now().getTime();
    real.move(5_000);
    realTime.rewind();
    expect(realTime.clock.now().getTime()).toBe(before + 5_000);
  });

  it('stop() writes a last time and stops writing', () => {
    const dir = dataDir();
    const real = manualRealTime();
    const clock = open({ dataDir: dir, speed: 10, start: START, realNow: real.now });
    real.move(1_000);
    clock.stop();
    expect(readClockFile(dir)?.simulatedMs).toBe(START.getTime() + 10_000);
    clock.clock.advance(DAY);
    expect(readClockFile(dir)?.simulatedMs).toBe(START.getTime() + 10_000);
  });

  it('refuses a clock file it did not write, saying how to recover, and a bad speed', () => {
    const dir = dataDir();
    for (const content of [
      '',
      'not json',
      '{"simulatedMs":"soon"}',
      '{"simulatedMs":1,"writtenAtMs":1,"speed":-1,"intervalMs":100}',
    ]) {
      writeFileSync(join(dir, CLOCK_FILE), content);
      expect(() => readClockFile(dir)).toThrow(/is not a clock this runtime wrote.*Delete it/);
      expect(() => persistentClock({ dataDir: dir, speed: 1 })).toThrow(/not a clock/);
    }
    // The file that could not be read is left as it was.
    expect(readFileSync(join(dir, CLOCK_FILE), 'utf8')).toContain('"speed":-1');
    expect(() => persistentClock({ dataDir: dataDir(), speed: 0 })).toThrow(/positive/);
    expect(readClockFile(dataDir())).toBeUndefined();
  });
});
