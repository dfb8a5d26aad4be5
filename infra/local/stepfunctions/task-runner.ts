/**
 * The states this runtime carries out itself, on the runtime clock, for the library's run:
 * - Lambda tasks: in-process invocation (lambda.ts), counted per execution (metrics.ts); Retry with
 *   AWS's matching and backoff (retry.ts); TimeoutSeconds / HeartbeatSeconds raising States.Timeout /
 *   States.HeartbeatTimeout as the library's own timeout error class (library-compat.ts); callback
 *   tasks wait for a sender (task-tokens.ts).
 * - Wait states (Seconds, Timestamp and their paths).
 * Each first waits until the checkpoint of its state is stored (checkpoints.ts).
 */
import { checkpointed, entryTime } from './checkpoints.ts';
import type { RuntimeClock } from './clock.ts';
import { functionIdFrom, LocalLambda, TaskError } from './lambda.ts';
import { timeoutError } from './library-compat.ts';
import { assertLive, describeError, NEVER, rejectOnAbort, type Live } from './live-execution.ts';
import { countInvocation } from './metrics.ts';
import { decideRetry } from './retry.ts';
import { newTaskToken, type TaskTokens } from './task-tokens.ts';
import type { LocalFunction } from './template.ts';
import type { Json, TaskPlan } from './transform.ts';

const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export interface TaskRunnerDeps {
  readonly clock: RuntimeClock;
  readonly lambda: LocalLambda;
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly tokens: TaskTokens;
  readonly log: (line: string) => void;
  /** Random source for FULL jitter. */
  readonly random: () => number;
}

type TaskInput = { payload?: Json; timeoutSeconds?: Json; heartbeatSeconds?: Json };
type WaitInput = { input?: Json; seconds?: Json; timestamp?: Json };

export class TaskRunner {
  constructor(private readonly deps: TaskRunnerDeps) {}

  /** The library's local handlers for one execution's tasks and waits. */
  handlersFor(
    live: Live,
    tasks: ReadonlyMap<string, TaskPlan>,
    waits: ReadonlySet<string>,
  ): Record<string, (input: never) => Promise<Json>> {
    const handlers: Record<string, (input: never) => Promise<Json>> = {};
    for (const [name, task] of tasks) handlers[name] = (input: never) => this.runTask(live, task, input);
    for (const name of waits) handlers[name] = (input: never) => this.runWait(live, name, input);
    return handlers;
  }

  private async runTask(live: Live, task: TaskPlan, input: TaskInput): Promise<Json> {
    const { clock } = this.deps;
    // Synchronously, before anything else: the token `$$.Task.Token` produced for this task.
    let token = live.pendingToken;
    live.pendingToken = undefined;
    await checkpointed(live);
    assertLive(live);
    let payload = input.payload;
    const timeoutSeconds = positiveInteger(input.timeoutSeconds, 'TimeoutSecondsPath') ?? task.timeoutSeconds;
    const heartbeatSeconds =
      positiveInteger(input.heartbeatSeconds, 'HeartbeatSecondsPath') ?? task.heartbeatSeconds;
    let startedMs = entryTime(live, task.stateName, clock);
    const attempts = task.retriers.map(() => 0);
    for (;;) {
      try {
        return await this.attempt(live, task, payload, token, startedMs, timeoutSeconds, heartbeatSeconds);
      } catch (error) {
        if (live.abort.signal.aborted) throw error;
        const name = (error as Error).name;
        const decision = decideRetry(task.retriers, attempts, name, this.deps.random);
        if (!decision.retry) throw error;
        this.deps.log(
          `execution ${live.record.name}: ${task.stateName} failed with ${name}; retry in ${Math.round(decision.delayMs)} ms`,
        );
        await clock.sleep(decision.delayMs, live.abort.signal);
        live.counters.retries += 1;
        if (task.kind === 'lambda-callback') {
          const next = newTaskToken();
          if (token !== undefined) payload = replaceString(payload, token, next);
          token = next;
        }
        startedMs = clock.nowMs();
      }
    }
  }

  private async attempt(
    live: Live,
    task: TaskPlan,
    payload: Json | undefined,
    token: string | undefined,
    startedMs: number,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
  ): Promise<Json> {
    const deadline = timeoutSeconds !== undefined ? startedMs + timeoutSeconds * 1000 : undefined;
    if (task.kind === 'lambda-callback') {
      const { functionName, eventPayload } = lambdaParameters(task, payload);
      return this.deps.tokens.wait({
        live,
        stateName: task.stateName,
        token: token ?? newTaskToken(),
        invoke: () => this.invokeLambda(live, functionName, eventPayload),
        deadline,
        timeoutSeconds,
        heartbeatSeconds,
      });
    }
    const attemptAbort = new AbortController();
    const signal = AbortSignal.any([live.abort.signal, attemptAbort.signal]);
    try {
      const races: Promise<Json>[] = [this.invoke(live, task, payload), rejectOnAbort(signal)];
      if (deadline !== undefined) {
        races.push(
          this.deps.clock.sleepUntil(new Date(deadline), signal).then(
            () =>
              Promise.reject(
                timeoutError('States.Timeout', `Task ran longer than ${timeoutSeconds} seconds.`),
              ),
            () => NEVER,
          ),
        );
      }
      return await Promise.race(races);
    } finally {
      attemptAbort.abort();
    }
  }

  private async invoke(live: Live, task: TaskPlan, payload: Json | undefined): Promise<Json> {
    if (task.kind === 'lambda-direct') return this.invokeLambda(live, task.functionArn as string, payload);
    const { functionName, eventPayload, invocationType } = lambdaParameters(task, payload);
    if (invocationType === 'Event') {
      this.invokeLambda(live, functionName, eventPayload).catch((error: unknown) =>
        this.deps.log(`asynchronous invocation of ${functionName} failed: ${describeError(error)}`),
      );
      return { ...LocalLambda.invokeResponse(''), StatusCode: 202 };
    }
    return LocalLambda.invokeResponse(await this.invokeLambda(live, functionName, eventPayload));
  }

  /** Invokes a function for one of the execution's tasks and counts the invocation and its duration. */
  private async invokeLambda(live: Live, functionName: string, payload: Json | undefined): Promise<Json> {
    const id = functionIdFrom(functionName);
    const fn = this.deps.functions.get(id);
    const began = performance.now();
    try {
      return await this.deps.lambda.invoke(functionName, payload);
    } finally {
      // A function the template does not have was never invoked (Lambda.ResourceNotFoundException).
      if (fn) countInvocation(live.counters, id, fn.entry, performance.now() - began);
    }
  }

  private async runWait(live: Live, stateName: string, input: WaitInput): Promise<Json> {
    await checkpointed(live);
    assertLive(live);
    const enteredMs = entryTime(live, stateName, this.deps.clock);
    let target: number;
    if (input.seconds !== undefined) {
      if (typeof input.seconds !== 'number' || !Number.isInteger(input.seconds) || input.seconds < 0) {
        throw new TaskError(
          'States.Runtime',
          `Wait ${stateName}: seconds must be a non-negative integer, got ${JSON.stringify(input.seconds)}.`,
        );
      }
      target = enteredMs + input.seconds * 1000;
    } else {
      const timestamp = input.timestamp;
      if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
        throw new TaskError(
          'States.Runtime',
          `Wait ${stateName}: timestamp must be an RFC 3339 timestamp, got ${JSON.stringify(timestamp)}.`,
        );
      }
      target = Date.parse(timestamp);
    }
    await this.deps.clock.sleepUntil(new Date(target), live.abort.signal);
    return input.input ?? null;
  }
}

function positiveInteger(value: Json | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TaskError(
      'States.Runtime',
      `${what} must point to a positive integer, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function lambdaParameters(task: TaskPlan, payload: Json | undefined) {
  const params = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
  const functionName = params['FunctionName'];
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw new TaskError(
      'States.Runtime',
      `Task ${task.stateName}: Parameters.FunctionName must be a function name or ARN.`,
    );
  }
  const qualifier = params['Qualifier'];
  return {
    functionName: typeof qualifier === 'string' ? `${functionName}:${qualifier}` : functionName,
    eventPayload: params['Payload'] === undefined ? ({} as Json) : params['Payload'],
    invocationType: params['InvocationType'],
  };
}

function replaceString(value: Json | undefined, from: string, to: string): Json | undefined {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((item) => replaceString(item, from, to) as Json);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceString(v, from, to) as Json]));
  }
  return value;
}
