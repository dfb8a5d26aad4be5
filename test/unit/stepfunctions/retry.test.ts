import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRetry, errorMatches, retryDelayMs, type Retrier } from '#infra/local/stepfunctions/retry.ts';

describe('errorMatches', () => {
  it('never matches States.Runtime, even with States.ALL', () => {
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.Runtime'], 'States.Runtime')).toBe(false);
  });

  it('applies the Step Functions wildcards', () => {
    expect(errorMatches(['States.ALL'], 'CycleConflict')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'CycleConflict')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout')).toBe(false);
    expect(errorMatches(['States.Timeout'], 'States.HeartbeatTimeout')).toBe(true);
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout')).toBe(false);
    expect(errorMatches(['CycleConflict', 'Other'], 'Other')).toBe(true);
    expect(errorMatches(['CycleConflict'], 'cycleconflict')).toBe(false);
  });
});

describe('decideRetry', () => {
  it('does not retry an unmatched error, and stops at MaxAttempts of the first matching retrier', () => {
    const retriers: Retrier[] = [
      { ErrorEquals: ['A'], MaxAttempts: 0 },
      { ErrorEquals: ['A', 'B'], MaxAttempts: 5 },
      { ErrorEquals: ['States.ALL'], MaxAttempts: 2, IntervalSeconds: 3 },
    ];
    const attempts = [0, 0, 0];
    expect(decideRetry(retriers, attempts, 'A')).toEqual({ retry: false });
    expect(decideRetry(retriers, attempts, 'C')).toMatchObject({
      retry: true,
      retrierIndex: 2,
      delayMs: 3000,
    });
    expect(decideRetry(retriers, attempts, 'C')).toMatchObject({
      retry: true,
      retrierIndex: 2,
      delayMs: 6000,
    });
    expect(decideRetry(retriers, attempts, 'C')).toEqual({ retry: false });
    expect(decideRetry(retriers, attempts, 'B')).toMatchObject({
      retry: true,
      retrierIndex: 1,
      delayMs: 1000,
    });
    expect(attempts).toEqual([0, 1, 2]);
    expect(decideRetry([], [], 'A')).toEqual({ retry: false });
  });

  it('defaults to 3 attempts, 1 s interval and backoff 2', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['States.ALL'] }];
    const attempts = [0];
    const delays = [1, 2, 3, 4].map(() => decideRetry(retriers, attempts, 'X'));
    expect(delays).toEqual([
      { retry: true, retrierIndex: 0, delayMs: 1000 },
      { retry: true, retrierIndex: 0, delayMs: 2000 },
      { retry: true, retrierIndex: 0, delayMs: 4000 },
      { retry: false },
    ]);
  });
});

describe('retryDelayMs', () => {
  it('is IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, and FULL jitter stays within [0, that]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (interval, backoff, n, maxDelay, random) => {
          const retrier: Retrier = { ErrorEquals: ['X'], IntervalSeconds: interval, BackoffRate: backoff };
          if (maxDelay !== undefined) retrier.MaxDelaySeconds = maxDelay;
          const expected = Math.min(interval * backoff ** n, maxDelay ?? Infinity) * 1000;
          expect(retryDelayMs(retrier, n)).toBeCloseTo(expected, 6);
          const jittered = retryDelayMs({ ...retrier, JitterStrategy: 'FULL' }, n, () => random);
          expect(jittered).toBeGreaterThanOrEqual(0);
          expect(jittered).toBeLessThanOrEqual(expected);
          expect(jittered).toBeCloseTo(expected * random, 6);
        },
      ),
    );
  });
});
