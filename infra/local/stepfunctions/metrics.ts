/**
 * What an execution used, counted by this runtime: the state transitions as AWS bills them for
 * STANDARD workflows (every state entered, in Parallel branches and Map iterations too, plus one per
 * retry attempt) and the Lambda invocations of its tasks with their in-process duration. An
 * execution resumed here counts from its checkpoint state.
 */

/** What one function's invocations by an execution's tasks took. */
export interface LambdaInvocationFigures {
  /** The handler file (template metadata `isms-review:entry`), when the function has one. */
  readonly entry?: string;
  readonly invocations: number;
  /** Summed wall-clock duration of the handler calls, in milliseconds (in process, this machine). */
  readonly durationMs: number;
}

/** What one execution used so far, counted by this runtime. */
export interface ExecutionMetrics {
  /**
   * State transitions as AWS bills them for STANDARD workflows: every state entered (states inside
   * Parallel branches and Map iterations included) plus one for each retry attempt.
   */
  readonly stateTransitions: number;
  readonly statesEntered: number;
  /** Retry attempts: of Lambda tasks (on the runtime clock) and of Parallel/Map states. */
  readonly retries: number;
  /** Lambda invocations of the execution's tasks, by function logical id. */
  readonly lambda: Readonly<Record<string, LambdaInvocationFigures>>;
}

/** The running counts behind ExecutionMetrics. */
export interface Counters {
  statesEntered: number;
  retries: number;
  lambda: Map<string, { entry?: string; invocations: number; durationMs: number }>;
}

export function newCounters(): Counters {
  return { statesEntered: 0, retries: 0, lambda: new Map() };
}

/** Counts one invocation of function `id` (handler file `entry`) that took `durationMs`. */
export function countInvocation(
  counters: Counters,
  id: string,
  entry: string | undefined,
  durationMs: number,
): void {
  let figures = counters.lambda.get(id);
  if (!figures) {
    figures = { ...(entry ? { entry } : {}), invocations: 0, durationMs: 0 };
    counters.lambda.set(id, figures);
  }
  figures.invocations += 1;
  figures.durationMs += durationMs;
}

export function metricsOf(counters: Counters): ExecutionMetrics {
  return {
    stateTransitions: counters.statesEntered + counters.retries,
    statesEntered: counters.statesEntered,
    retries: counters.retries,
    lambda: Object.fromEntries([...counters.lambda].map(([id, figures]) => [id, { ...figures }])),
  };
}
