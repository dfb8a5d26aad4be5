/**
 * Task tokens of `.waitForTaskToken` tasks: `$$.Task.Token` is a fresh random token per attempt,
 * parked in DynamoDB (store.ts, by hash) before the function is invoked, and resumed by
 * sendTaskSuccess / sendTaskFailure. Exactly one of success, failure, timeout or stop wins for a
 * token: a sender claims the waiting task synchronously, then records the token closed; a timeout
 * (TimeoutSeconds or HeartbeatSeconds, on the runtime clock) wins only when no claim succeeds.
 */
import { randomBytes } from 'node:crypto';
import type { RuntimeClock } from './clock.ts';
import { TaskDoesNotExist } from './errors.ts';
import { TaskError } from './lambda.ts';
import { timeoutError } from './library-compat.ts';
import { deferred, describeError, NEVER, rejectOnAbort, type Live } from './live-execution.ts';
import type { ExecutionStore, TokenStatus } from './store.ts';
import type { Json } from './transform.ts';

export function newTaskToken(): string {
  return `AQ${randomBytes(96).toString('base64url')}`;
}

interface Waiter {
  live: Live;
  stateName: string;
  resolve: (output: Json) => void;
  reject: (error: Error) => void;
  lastHeartbeatMs: number;
  /** A sender's pending claim; the timeout waits for its outcome. */
  claim?: Promise<void>;
  sent: boolean;
}

export interface TaskTokenDeps {
  readonly clock: RuntimeClock;
  readonly store: ExecutionStore;
  /** Runs a store write, unless the runtime stopped writing (then resolves undefined). */
  readonly write: <T>(fn: () => Promise<T>) => Promise<T | undefined>;
  readonly log: (line: string) => void;
}

/** One attempt of a callback task, as the runtime hands it over. */
export interface CallbackAttempt {
  readonly live: Live;
  readonly stateName: string;
  readonly token: string;
  /** Invokes the task's function (its result is ignored: only a sender ends the wait). */
  readonly invoke: () => Promise<unknown>;
  readonly deadline: number | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly heartbeatSeconds: number | undefined;
}

/** The tasks waiting for a sender, by token. */
export class TaskTokens {
  private readonly waiters = new Map<string, Waiter>();

  constructor(private readonly deps: TaskTokenDeps) {}

  /** One attempt of a `.waitForTaskToken` task: park the token, invoke, wait for a sender. */
  async wait(attempt: CallbackAttempt): Promise<Json> {
    const { live, stateName, token, deadline, timeoutSeconds, heartbeatSeconds } = attempt;
    const { clock, store, write, log } = this.deps;
    const outcome = deferred<Json>();
    const waiter: Waiter = {
      live,
      stateName,
      resolve: outcome.resolve,
      reject: outcome.reject,
      lastHeartbeatMs: clock.nowMs(),
      sent: false,
    };
    const attemptAbort = new AbortController();
    const signal = AbortSignal.any([live.abort.signal, attemptAbort.signal]);
    /** A timeout wins only if no sender has claimed (or a claim failed). */
    const expire = async (error: Error) => {
      while (waiter.claim) {
        try {
          await waiter.claim;
          return;
        } catch {
          // The sender's claim failed: the task is still waiting.
        }
      }
      if (this.waiters.get(token) !== waiter) return;
      this.waiters.delete(token);
      outcome.reject(error);
    };
    let closedAs: Exclude<TokenStatus, 'PENDING'> = 'CLOSED';
    this.waiters.set(token, waiter);
    try {
      await write(() => store.parkToken(token, live.record.name, stateName, clock.now().toISOString()));
      if (deadline !== undefined) {
        clock.sleepUntil(new Date(deadline), signal).then(
          () => expire(timeoutError('States.Timeout', `Task ran longer than ${timeoutSeconds} seconds.`)),
          () => {},
        );
      }
      if (heartbeatSeconds !== undefined) void this.watchHeartbeat(waiter, heartbeatSeconds, signal, expire);
      const invocation = attempt.invoke().then(() => NEVER);
      return await Promise.race([outcome.promise, invocation, rejectOnAbort(signal)]);
    } catch (error) {
      const name = (error as Error).name;
      closedAs =
        name === 'States.Timeout' || name === 'States.HeartbeatTimeout'
          ? 'TIMED_OUT'
          : name === 'ExecutionStopped'
            ? 'CLOSED'
            : 'FAILED';
      throw error;
    } finally {
      attemptAbort.abort();
      if (this.waiters.get(token) === waiter) this.waiters.delete(token);
      if (!waiter.sent) {
        await write(() => store.closeToken(token, closedAs, clock.now().toISOString())).catch(
          (error: unknown) =>
            log(`execution ${live.record.name}: closing a task token failed: ${describeError(error)}`),
        );
      }
    }
  }

  /** SendTaskSuccess: the waiting task returns `output`. */
  succeed(token: string, output: Json): Promise<void> {
    return this.settle(token, 'SUCCEEDED', (waiter) => waiter.resolve(output));
  }

  /** SendTaskFailure: the waiting task fails with `error` (a Catch matches on it). */
  fail(token: string, error: string | undefined, cause: string | undefined): Promise<void> {
    return this.settle(token, 'FAILED', (waiter) => waiter.reject(new TaskError(error ?? '', cause ?? '')));
  }

  /** SendTaskHeartbeat: restarts the task's HeartbeatSeconds. */
  heartbeat(token: string): void {
    const waiter = this.waiters.get(token);
    if (!waiter) throw new TaskDoesNotExist('Task Does Not Exist');
    waiter.lastHeartbeatMs = this.deps.clock.nowMs();
  }

  /** Forgets every waiting task (the runtime is closing). */
  clear(): void {
    this.waiters.clear();
  }

  private async watchHeartbeat(
    waiter: Waiter,
    heartbeatSeconds: number,
    signal: AbortSignal,
    expire: (error: Error) => Promise<void>,
  ): Promise<void> {
    const { clock } = this.deps;
    try {
      for (;;) {
        const due = waiter.lastHeartbeatMs + heartbeatSeconds * 1000;
        await clock.sleepUntil(new Date(due), signal);
        if (clock.nowMs() >= waiter.lastHeartbeatMs + heartbeatSeconds * 1000) {
          await expire(
            timeoutError('States.HeartbeatTimeout', `No heartbeat for ${heartbeatSeconds} seconds.`),
          );
          return;
        }
      }
    } catch {
      // Aborted: the attempt is over.
    }
  }

  /** A sender (success or failure) claims the waiting task, records the token closed, then settles it. */
  private async settle(
    token: string,
    status: 'SUCCEEDED' | 'FAILED',
    settle: (waiter: Waiter) => void,
  ): Promise<void> {
    const waiter = this.waiters.get(token);
    if (!waiter || waiter.claim) throw new TaskDoesNotExist('Task Does Not Exist');
    this.waiters.delete(token);
    waiter.sent = true;
    const { clock, store, write } = this.deps;
    const claim = (async () => {
      const closed = await write(() => store.closeToken(token, status, clock.now().toISOString()));
      if (closed === false) throw new TaskDoesNotExist('Task Does Not Exist');
    })();
    waiter.claim = claim;
    try {
      await claim;
    } catch (error) {
      waiter.sent = false;
      waiter.claim = undefined;
      if (!waiter.live.abort.signal.aborted) this.waiters.set(token, waiter);
      throw error;
    }
    settle(waiter);
  }
}
