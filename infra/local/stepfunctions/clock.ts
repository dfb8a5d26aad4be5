/**
 * RuntimeClock: the time the local state machine lives in. It is real time run at `speed` (86,400 =
 * one simulated day per real second) from an anchor, plus jumps (`advance`, `set`). Wait states,
 * Retry intervals, task and execution timeouts all sleep on it, and sleepers wake at once when the
 * clock jumps.
 *
 * How a handler reads "now" in accelerated mode: the runtime publishes the clock in the environment
 * variable ISMS_CLOCK (see `CLOCK_ENV_VAR`), kept current on every jump, as JSON
 * `{"speed":86400,"realAnchorMs":<epoch ms>,"simulatedAnchorMs":<epoch ms>}`. `clockFromEnvironment()`
 * turns it back into a `Clock` (simulated now = simulatedAnchor + (Date.now() - realAnchor) * speed),
 * and falls back to the system clock when the variable is absent (on AWS). It reads the variable on
 * each call, so a jump is seen at once; because it is plain data, a CLI or another process started
 * with the same environment sees the same simulated time.
 */
import { InvalidClockSetting, type Clock, type ClockAnchor } from '#shared/clock.ts';

// The environment contract (ISMS_CLOCK and its parsing) is shared/clock.ts's; re-exported for the local stack.
export {
  CLOCK_ENV_VAR,
  clockFromEnvironment,
  InvalidClockSetting,
  parseClockEnvValue,
  type ClockAnchor,
} from '#shared/clock.ts';

/** Node's setTimeout limit (about 24.8 days); longer sleeps are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

export class SleepAborted extends Error {
  override name = 'SleepAborted' as const;
}

export interface RuntimeClockOptions {
  /** Simulated milliseconds per real millisecond; default 1. */
  speed?: number;
  /** Simulated time at creation (or at `realAnchor`); default the real time. */
  start?: Date;
  /** The real instant `start` corresponds to; default now. Give both to continue a saved timeline. */
  realAnchor?: Date;
  /** Real time source; default Date.now. */
  realNow?: () => number;
}

interface Sleeper {
  target: number;
  timer: NodeJS.Timeout | undefined;
  arm: () => void;
}

export class RuntimeClock implements Clock {
  readonly speed: number;
  private realAnchorMs: number;
  private simulatedAnchorMs: number;
  private readonly realNow: () => number;
  private readonly sleepers = new Set<Sleeper>();
  private readonly listeners = new Set<(clock: RuntimeClock) => void>();

  constructor(options: RuntimeClockOptions = {}) {
    const speed = options.speed ?? 1;
    if (!Number.isFinite(speed) || speed <= 0) {
      throw new InvalidClockSetting(`Clock speed must be a positive number, got ${speed}.`);
    }
    this.speed = speed;
    this.realNow = options.realNow ?? Date.now;
    this.realAnchorMs = options.realAnchor?.getTime() ?? this.realNow();
    this.simulatedAnchorMs = options.start?.getTime() ?? this.realAnchorMs;
    if (!Number.isFinite(this.realAnchorMs) || !Number.isFinite(this.simulatedAnchorMs)) {
      throw new InvalidClockSetting('Clock start and realAnchor must be valid dates.');
    }
  }

  /** A clock continuing the timeline of an anchor (e.g. one read from ISMS_CLOCK). */
  static fromAnchor(anchor: ClockAnchor, realNow?: () => number): RuntimeClock {
    const options: RuntimeClockOptions = {
      speed: anchor.speed,
      start: new Date(anchor.simulatedAnchorMs),
      realAnchor: new Date(anchor.realAnchorMs),
    };
    if (realNow) options.realNow = realNow;
    return new RuntimeClock(options);
  }

  nowMs(): number {
    return this.simulatedAnchorMs + (this.realNow() - this.realAnchorMs) * this.speed;
  }

  now(): Date {
    return new Date(Math.floor(this.nowMs()));
  }

  /** Moves simulated time forward by `ms` (a jump); every sleeper re-checks at once. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new InvalidClockSetting(`advance takes ms >= 0, got ${ms}.`);
    this.rebase(this.nowMs() + ms);
  }

  /** Sets simulated time (forward or back); every sleeper re-checks at once. */
  set(to: Date): void {
    if (!Number.isFinite(to.getTime())) throw new InvalidClockSetting('set takes a valid date.');
    this.rebase(to.getTime());
  }

  anchor(): ClockAnchor {
    return { speed: this.speed, realAnchorMs: this.realAnchorMs, simulatedAnchorMs: this.simulatedAnchorMs };
  }

  /** The value of ISMS_CLOCK for this clock. */
  toEnvValue(): string {
    return JSON.stringify(this.anchor());
  }

  /** How many sleeps are pending (lets a test see that a Wait has started). */
  get sleeping(): number {
    return this.sleepers.size;
  }

  /** Called after every jump; returns the unsubscribe function. */
  onChange(listener: (clock: RuntimeClock) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when simulated time reaches `target`; rejects with SleepAborted when `signal` aborts. */
  sleepUntil(target: Date, signal?: AbortSignal): Promise<void> {
    const targetMs = target.getTime();
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new SleepAborted('Sleep aborted.'));
        return;
      }
      const sleeper: Sleeper = {
        target: targetMs,
        timer: undefined,
        arm: () => {
          if (sleeper.timer !== undefined) clearTimeout(sleeper.timer);
          const remaining = targetMs - this.nowMs();
          if (remaining <= 0) {
            finish();
            resolve();
            return;
          }
          // Round up so the timer never fires before the target; re-arm if it still does.
          const realMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(remaining / this.speed)));
          sleeper.timer = setTimeout(sleeper.arm, realMs);
        },
      };
      const onAbort = () => {
        finish();
        reject(new SleepAborted('Sleep aborted.'));
      };
      const finish = () => {
        if (sleeper.timer !== undefined) clearTimeout(sleeper.timer);
        this.sleepers.delete(sleeper);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      sleeper.arm();
    });
  }

  /** Sleeps `ms` of simulated time. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleepUntil(new Date(this.nowMs() + ms), signal);
  }

  private rebase(simulatedMs: number): void {
    this.realAnchorMs = this.realNow();
    this.simulatedAnchorMs = simulatedMs;
    for (const sleeper of [...this.sleepers]) sleeper.arm();
    for (const listener of [...this.listeners]) listener(this);
  }
}
