/**
 * Error matching and Retry intervals with the Step Functions rules, for the Task states whose
 * Retry the runtime carries out itself (see transform.ts):
 *
 * - `States.ALL` matches every error except States.Runtime (which is never retried or caught).
 * - `States.TaskFailed` matches every error except the timeouts (States.Timeout, States.HeartbeatTimeout).
 * - `States.Timeout` also matches States.HeartbeatTimeout.
 * - Otherwise an error name matches itself only.
 * - Retriers are tried in order; the first whose ErrorEquals matches decides. If it has used up its
 *   MaxAttempts (default 3; 0 = never), the state fails: later retriers are not consulted.
 * - Interval before retry n (n = 0, 1, ...) of a retrier: IntervalSeconds (default 1) ×
 *   BackoffRate (default 2) ^ n, capped by MaxDelaySeconds; JitterStrategy FULL draws the delay
 *   uniformly from [0, that interval].
 */

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'NONE' | 'FULL';
}

export const TIMEOUT_ERRORS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

export function errorMatches(errorEquals: readonly string[], errorName: string): boolean {
  if (errorName === 'States.Runtime') return false;
  return errorEquals.some((pattern) => {
    if (pattern === 'States.ALL') return true;
    if (pattern === 'States.TaskFailed') return !TIMEOUT_ERRORS.has(errorName);
    if (pattern === 'States.Timeout') return TIMEOUT_ERRORS.has(errorName);
    return pattern === errorName;
  });
}

export type RetryDecision = { retry: false } | { retry: true; retrierIndex: number; delayMs: number };

/**
 * Decides whether to retry after `errorName`, given how many retries each retrier has made so far
 * (`attempts`, updated in place when the answer is to retry).
 */
export function decideRetry(
  retriers: readonly Retrier[],
  attempts: number[],
  errorName: string,
  random: () => number = Math.random,
): RetryDecision {
  const index = retriers.findIndex((retrier) => errorMatches(retrier.ErrorEquals, errorName));
  const retrier = retriers[index];
  if (!retrier) return { retry: false };
  const made = attempts[index] ?? 0;
  if (made >= (retrier.MaxAttempts ?? 3)) return { retry: false };
  attempts[index] = made + 1;
  return { retry: true, retrierIndex: index, delayMs: retryDelayMs(retrier, made, random) };
}

/** Delay in (simulated) milliseconds before retry number `retriesMade` (0-based) of this retrier. */
export function retryDelayMs(
  retrier: Retrier,
  retriesMade: number,
  random: () => number = Math.random,
): number {
  const base = (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, retriesMade);
  const capped = retrier.MaxDelaySeconds !== undefined ? Math.min(base, retrier.MaxDelaySeconds) : base;
  const ms = capped * 1000;
  return retrier.JitterStrategy === 'FULL' ? random() * ms : ms;
}
