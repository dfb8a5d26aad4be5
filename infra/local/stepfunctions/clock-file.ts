/**
 * The runtime clock kept across restarts: `<dataDir>/clock.json`.
 *
 * Without it, a restarted local stack would start its clock at the real time again: an accelerated
 * timeline (days ahead after a minute at one day per second) would jump back, and every Wait, task
 * timeout and stored deadline would be days away. So the runtime writes where simulated time is,
 * every `intervalMs` of real time and at once after every jump, and the next start continues from it:
 *
 * - Simulated time stands still while the process is down and never goes back: the next run starts
 *   at the last written time plus one writing interval of simulated time (how far the clock may have
 *   run between the last write and a kill -9), so nothing stored is ever "in the future".
 * - At speed 1 it is also never behind the real time (after an accelerated run it may be ahead).
 * - The speed may change between runs; simulated time continues at the new speed.
 *
 * The file is replaced atomically (write to a temporary file, then rename), so a kill at any moment
 * leaves either the old or the new content.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InvalidClockSetting, RuntimeClock } from './clock.ts';

export const CLOCK_FILE = 'clock.json';
/** How often (real milliseconds) the clock is written while it runs. */
export const CLOCK_WRITE_INTERVAL_MS = 100;

const ClockFileContent = z.strictObject({
  /** Simulated time when written (epoch ms). */
  simulatedMs: z.number(),
  /** Real time when written (epoch ms). */
  writtenAtMs: z.number(),
  speed: z.number().positive(),
  /** The writing interval (real ms) of the run that wrote it. */
  intervalMs: z.number().int().positive(),
});
export type ClockFileContent = z.infer<typeof ClockFileContent>;

export class UnreadableClockFile extends Error {
  override name = 'UnreadableClockFile' as const;
}

/** The saved clock of `dataDir`, or undefined when there is none yet. */
export function readClockFile(dataDir: string): ClockFileContent | undefined {
  const file = join(dataDir, CLOCK_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = ClockFileContent.safeParse(parsed);
  if (!result.success) {
    throw new UnreadableClockFile(
      `${file} is not a clock this runtime wrote (${result.error.issues[0]?.message ?? 'not JSON'}). ` +
        'Delete it to start the clock at the real time again (simulated time would jump back).',
    );
  }
  return result.data;
}

export interface PersistentClockOptions {
  dataDir: string;
  /** Simulated milliseconds per real millisecond. */
  speed: number;
  /** Where a timeline without a saved clock starts; default the real time. */
  start?: Date;
  intervalMs?: number;
  realNow?: () => number;
}

/** Where the clock of a run on `dataDir` starts (see the rules above). */
export function resumedStart(
  saved: ClockFileContent | undefined,
  speed: number,
  realNowMs: number,
  fallback?: Date,
): Date {
  if (!saved) return fallback ?? new Date(realNowMs);
  const continued = saved.simulatedMs + saved.intervalMs * saved.speed;
  return new Date(speed === 1 ? Math.max(continued, realNowMs) : continued);
}

export interface PersistentClock {
  readonly clock: RuntimeClock;
  /** Where this run's clock started, and whether it continued a saved one. */
  readonly startedAt: Date;
  readonly continued: boolean;
  /**
   * Sets an accelerated clock back to where this run started. Call it once, just before the runtime resumes
   * executions (nothing has read the clock since it was made), so that starting up (loading the
   * template and the handlers) takes no simulated time: at 3 days per second a 5 s start-up would
   * otherwise skip 15 days of the timeline.
   */
  rewind(): void;
  /** Writes the clock a last time and stops writing. */
  stop(): void;
}

/** A runtime clock continuing the one saved in `dataDir`, written there while it runs. */
export function persistentClock(options: PersistentClockOptions): PersistentClock {
  if (!Number.isFinite(options.speed) || options.speed <= 0) {
    throw new InvalidClockSetting(`Clock speed must be a positive number, got ${options.speed}.`);
  }
  const realNow = options.realNow ?? Date.now;
  const intervalMs = options.intervalMs ?? CLOCK_WRITE_INTERVAL_MS;
  mkdirSync(options.dataDir, { recursive: true });
  const saved = readClockFile(options.dataDir);
  const startedAt = resumedStart(saved, options.speed, realNow(), options.start);
  const clock = new RuntimeClock({ speed: options.speed, start: startedAt, realNow });
  const file = join(options.dataDir, CLOCK_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  const write = (): void => {
    const content: ClockFileContent = {
      simulatedMs: Math.floor(clock.nowMs()),
      writtenAtMs: realNow(),
      speed: clock.speed,
      intervalMs,
    };
    writeFileSync(temporary, `${JSON.stringify(content)}\n`);
    renameSync(temporary, file);
  };
  write();
  const timer = setInterval(write, intervalMs);
  timer.unref();
  const unsubscribe = clock.onChange(write);
  let stopped = false;
  return {
    clock,
    startedAt,
    continued: saved !== undefined,
    rewind() {
      // At speed 1 the clock is the real time (or runs ahead of it): nothing to skip.
      if (clock.speed !== 1) clock.set(startedAt);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      write();
    },
  };
}
