/**
 * All time logic goes through a Clock, so tests and the local stack can move time
 * (an accelerated clock for demos, a fixed one for tests) without sleeping.
 * Times are stored in UTC (ISO 8601 with Z) and shown in the organisation's time zone.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved: for tests. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(to: Date): void {
    this.current = new Date(to.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * The simulated clock of the local runtime, published in the environment so that handlers (and a CLI
 * started with the same environment) share it: `ISMS_CLOCK` =
 * `{"speed":86400,"realAnchorMs":<epoch ms>,"simulatedAnchorMs":<epoch ms>}`, meaning
 * simulated now = simulatedAnchor + (real now - realAnchor) * speed. Absent on AWS.
 */
export const CLOCK_ENV_VAR = 'ISMS_CLOCK';

export interface ClockAnchor {
  speed: number;
  realAnchorMs: number;
  simulatedAnchorMs: number;
}

export class InvalidClockSetting extends Error {
  override name = 'InvalidClockSetting' as const;
}

/** Parses an ISMS_CLOCK value; throws InvalidClockSetting when it is not one. */
export function parseClockEnvValue(value: string): ClockAnchor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidClockSetting(`${CLOCK_ENV_VAR} is not JSON.`);
  }
  const anchor = parsed as Partial<ClockAnchor> | null;
  const ok =
    anchor !== null &&
    typeof anchor === 'object' &&
    typeof anchor.speed === 'number' &&
    anchor.speed > 0 &&
    Number.isFinite(anchor.realAnchorMs) &&
    Number.isFinite(anchor.simulatedAnchorMs);
  if (!ok) {
    throw new InvalidClockSetting(
      `${CLOCK_ENV_VAR} must be {"speed":<positive number>,"realAnchorMs":<ms>,"simulatedAnchorMs":<ms>}.`,
    );
  }
  return anchor as ClockAnchor;
}

/**
 * The clock a handler should use: the simulated clock published in ISMS_CLOCK when the local runtime
 * runs accelerated, otherwise the system clock. Reads the environment on each call, so a jump is seen at once.
 */
export function clockFromEnvironment(env: NodeJS.ProcessEnv = process.env): Clock {
  let cachedValue: string | undefined;
  let cachedAnchor: ClockAnchor | undefined;
  return {
    now(): Date {
      const value = env[CLOCK_ENV_VAR];
      if (value === undefined || value === '') return new Date();
      if (value !== cachedValue) {
        cachedAnchor = parseClockEnvValue(value);
        cachedValue = value;
      }
      const anchor = cachedAnchor as ClockAnchor;
      return new Date(
        Math.floor(anchor.simulatedAnchorMs + (Date.now() - anchor.realAnchorMs) * anchor.speed),
      );
    },
  };
}
