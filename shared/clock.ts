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
