/**
 * LocalStateMachineRuntime: runs a Step Functions STANDARD state machine (JSONPath) on this machine,
 * from the definition `cdk synth` writes, with the Lambda handlers invoked in process.
 *
 * The states themselves run in aws-local-stepfunctions (Pass, Choice, Parallel, Map, Succeed, Fail,
 * the input/output processing and Catch); transform.ts lists what is changed in the definition to
 * close the library's gaps, library-compat.ts holds what the runtime relies on in the library, and
 * the rest is carried out here and in:
 *
 * - task-runner.ts: Lambda tasks (in process, Retry, TimeoutSeconds / HeartbeatSeconds) and Wait
 *   states, on the runtime clock (clock.ts); task-tokens.ts: the tokens of `.waitForTaskToken` tasks
 *   and sendTaskSuccess / sendTaskFailure / sendTaskHeartbeat.
 * - checkpoints.ts: the state each execution last entered, stored before any of its side effects,
 *   from which `resumeAll()` restarts RUNNING executions (superseding their old task tokens; handlers
 *   are idempotent, so re-entering the interrupted state is safe).
 * - api-validation.ts: the checks the Step Functions API makes on names, ARNs, tokens and payloads.
 * - metrics.ts: state transitions and Lambda invocations per execution (`metrics(executionArn)`).
 *
 * This file holds the executions' lifecycle. Executions live in DynamoDB (store.ts): created with a
 * conditional write (idempotent StartExecution, as on AWS for STANDARD workflows: same name and input
 * while RUNNING returns the same execution; a different input or a closed execution is
 * ExecutionAlreadyExists), closed with a conditional write; the execution's TimeoutSeconds follows
 * the runtime clock.
 *
 * Known differences from AWS: `$$.State.*` and `$$.Task.Token` outside callback tasks are not
 * provided; retry counts are not kept across a crash; Retry on Parallel/Map states uses fixed
 * intervals when the clock is accelerated (see transform.ts); a Fail state without Error reports
 * "FailStateError"; SendTaskFailure without an error reports the error "".
 */
import './polyfill.ts';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  executionArnOf,
  executionNameFromArn,
  jsonEqual,
  parseExecutionInput,
  parseTaskOutput,
  validateName,
  validateStateMachineArn,
  validateTaskFailure,
  validateToken,
} from './api-validation.ts';
import { recordCheckpoints, resumedEntryFrom } from './checkpoints.ts';
import { CLOCK_ENV_VAR, RuntimeClock } from './clock.ts';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRunningHere,
  RuntimeClosed,
  StateMachineDoesNotExist,
} from './errors.ts';
import { importHandlerFrom, LocalLambda, type ResolveHandler } from './lambda.ts';
import {
  executionContext,
  failureOf,
  runOverrides,
  runtimeReady,
  startRun,
  validateDefinition,
} from './library-compat.ts';
import { abortLive, describeError, newLive, type Live, type ResumedEntry } from './live-execution.ts';
import { metricsOf, newCounters, type Counters, type ExecutionMetrics } from './metrics.ts';
import type { ClosedStatus, ExecutionRecord, ExecutionStatus, ExecutionStore } from './store.ts';
import { TaskRunner } from './task-runner.ts';
import { newTaskToken, TaskTokens } from './task-tokens.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalFunction } from './template.ts';
import { transformDefinition, type Json, type RunPlan } from './transform.ts';

export { runtimeReady } from './library-compat.ts';
export type { ExecutionMetrics, LambdaInvocationFigures } from './metrics.ts';
export { newTaskToken } from './task-tokens.ts';

/** The repository root (this file is infra/local/stepfunctions/runtime.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface LocalStateMachineRuntimeOptions {
  /** The ASL definition as synthesized (loadDefinitionFromTemplate). */
  definition: object;
  /** Lambda functions by logical id (loadDefinitionFromTemplate). */
  functions: ReadonlyMap<string, LocalFunction> | Record<string, LocalFunction>;
  /** Default: dynamic import of `<repoRoot>/<entry>` and its `handler` export. */
  resolveHandler?: ResolveHandler;
  /** Default: real time (speed 1). */
  clock?: RuntimeClock;
  store: ExecutionStore;
  /** Default `arn:aws:states:local:000000000000:stateMachine:local`. */
  stateMachineArn?: string;
  /** Publish the clock in process.env.ISMS_CLOCK so handlers read simulated time; default true. */
  publishClock?: boolean;
  /** Check the definition with the library's ASL validator first; default true. */
  validate?: boolean;
  /** Where to write operational lines (never a token); default nowhere. */
  log?: (line: string) => void;
  /** Random source for FULL jitter; default Math.random. */
  random?: () => number;
}

export interface StartExecutionInput {
  /** Default: a random UUID. */
  name?: string;
  /** JSON text, as in the AWS API; default "{}". */
  input?: string;
  stateMachineArn?: string;
}

export interface StartExecutionOutput {
  executionArn: string;
  startDate: Date;
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
}

export interface ExecutionDescription extends ExecutionListItem {
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

function describe(record: ExecutionRecord): ExecutionDescription {
  const description: ExecutionDescription = {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    input: record.input,
  };
  if (record.stopDate) description.stopDate = new Date(record.stopDate);
  if (record.output !== undefined) description.output = record.output;
  if (record.error !== undefined) description.error = record.error;
  if (record.cause !== undefined) description.cause = record.cause;
  return description;
}

export class LocalStateMachineRuntime {
  readonly clock: RuntimeClock;
  readonly stateMachineArn: string;
  private readonly plan: RunPlan;
  private readonly store: ExecutionStore;
  private readonly lambda: LocalLambda;
  private readonly tokens: TaskTokens;
  private readonly tasks: TaskRunner;
  /** Metrics by execution name, kept after the execution ends. */
  private readonly counters = new Map<string, Counters>();
  private readonly log: (line: string) => void;
  private readonly live = new Map<string, Live>();
  private readonly unpublishClock: () => void;
  /** No store write happens once dead (crash or close). */
  private dead = false;
  private closed = false;

  constructor(options: LocalStateMachineRuntimeOptions) {
    if (options.validate !== false) validateDefinition(options.definition);
    this.plan = transformDefinition(options.definition);
    this.clock = options.clock ?? new RuntimeClock();
    this.store = options.store;
    this.stateMachineArn =
      options.stateMachineArn ?? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:local`;
    validateStateMachineArn(this.stateMachineArn);
    const functions =
      options.functions instanceof Map
        ? (options.functions as ReadonlyMap<string, LocalFunction>)
        : new Map(Object.entries(options.functions as Record<string, LocalFunction>));
    this.lambda = new LocalLambda(functions, options.resolveHandler ?? importHandlerFrom(repoRoot));
    this.log = options.log ?? (() => {});
    const write = <T>(fn: () => Promise<T>) => this.write(fn);
    this.tokens = new TaskTokens({ clock: this.clock, store: this.store, write, log: this.log });
    this.tasks = new TaskRunner({
      clock: this.clock,
      lambda: this.lambda,
      functions,
      tokens: this.tokens,
      log: this.log,
      random: options.random ?? Math.random,
    });
    if (options.publishClock !== false) {
      const publish = () => {
        process.env[CLOCK_ENV_VAR] = this.clock.toEnvValue();
      };
      publish();
      const unsubscribe = this.clock.onChange(publish);
      this.unpublishClock = () => {
        unsubscribe();
        if (process.env[CLOCK_ENV_VAR] === this.clock.toEnvValue()) delete process.env[CLOCK_ENV_VAR];
      };
    } else {
      this.unpublishClock = () => {};
    }
  }

  // ---- executions ------------------------------------------------------------------------------

  async startExecution(request: StartExecutionInput): Promise<StartExecutionOutput> {
    this.assertOpen();
    await runtimeReady();
    if (request.stateMachineArn !== undefined && request.stateMachineArn !== this.stateMachineArn) {
      throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${request.stateMachineArn}'`);
    }
    const name = request.name ?? randomUUID();
    validateName(name);
    const inputText = request.input ?? '{}';
    const input = parseExecutionInput(inputText);

    const record: ExecutionRecord = {
      executionArn: executionArnOf(this.stateMachineArn, name),
      stateMachineArn: this.stateMachineArn,
      name,
      input: inputText,
      status: 'RUNNING',
      startDate: this.clock.now().toISOString(),
    };
    const created = await this.store.createExecution(record);
    if (!created.created) {
      const existing = created.existing;
      if (existing.status === 'RUNNING' && jsonEqual(JSON.parse(existing.input), input)) {
        return { executionArn: existing.executionArn, startDate: new Date(existing.startDate) };
      }
      throw new ExecutionAlreadyExists(
        existing.status === 'RUNNING'
          ? `Execution ${name} is already running with a different input.`
          : `Execution ${name} already ran (${existing.status}); execution names cannot be reused.`,
      );
    }
    this.log(`execution ${name} started`);
    this.launch(record, String(this.plan.definition['StartAt']), input as Json);
    return { executionArn: record.executionArn, startDate: new Date(record.startDate) };
  }

  async describeExecution(executionArn: string): Promise<ExecutionDescription> {
    const record = await this.store.getExecution(executionNameFromArn(executionArn));
    if (!record || record.stateMachineArn !== this.stateMachineArn) {
      throw new ExecutionDoesNotExist(`Execution Does Not Exist: '${executionArn}'`);
    }
    return describe(record);
  }

  async listExecutions(request: { statusFilter?: ExecutionStatus } = {}): Promise<ExecutionListItem[]> {
    const records = await this.store.listExecutions(request.statusFilter);
    return records
      .filter((record) => record.stateMachineArn === this.stateMachineArn)
      .sort((a, b) => b.startDate.localeCompare(a.startDate))
      .map((record) => {
        const { input: _input, output: _output, error: _error, cause: _cause, ...item } = describe(record);
        return item;
      });
  }

  async stopExecution(
    executionArn: string,
    request: { error?: string; cause?: string } = {},
  ): Promise<{ stopDate: Date }> {
    this.assertOpen();
    const name = executionNameFromArn(executionArn);
    const record = await this.store.getExecution(name);
    if (!record || record.stateMachineArn !== this.stateMachineArn) {
      throw new ExecutionDoesNotExist(`Execution Does Not Exist: '${executionArn}'`);
    }
    const stopDate = this.clock.now().toISOString();
    const close = { status: 'ABORTED' as const, stopDate, error: request.error, cause: request.cause };
    const live = this.live.get(name);
    if (live) {
      if (!(await this.terminate(live, close)))
        return { stopDate: new Date(live.record.stopDate ?? stopDate) };
    } else if (record.status === 'RUNNING') {
      await this.store.closeExecution(record, close);
      await this.store.supersedeTokens(name, stopDate);
    } else {
      return { stopDate: new Date(record.stopDate ?? stopDate) };
    }
    this.log(`execution ${name} stopped`);
    return { stopDate: new Date(stopDate) };
  }

  /** Resolves with the description once the execution has ended (test helper). */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const live = this.live.get(executionNameFromArn(executionArn));
    if (live) await live.ended.promise;
    const description = await this.describeExecution(executionArn);
    if (description.status === 'RUNNING') {
      throw new ExecutionNotRunningHere(
        `Execution ${description.name} is RUNNING in the store but not in this runtime; call resumeAll() first.`,
      );
    }
    return description;
  }

  /**
   * The state transitions and Lambda invocations of an execution started or resumed by this runtime,
   * counted so far (complete once waitForExecution has resolved).
   */
  metrics(executionArn: string): ExecutionMetrics {
    const counters = this.counters.get(executionNameFromArn(executionArn));
    if (!counters) {
      throw new ExecutionDoesNotExist(`Execution Does Not Exist in this runtime: '${executionArn}'`);
    }
    return metricsOf(counters);
  }

  /** Loads every Lambda handler now, so that the first tasks after a start do not wait for imports. */
  async loadHandlers(): Promise<void> {
    await this.lambda.load();
  }

  /** Restarts every RUNNING execution of this state machine not running here; returns their ARNs. */
  async resumeAll(): Promise<string[]> {
    this.assertOpen();
    await runtimeReady();
    const resumed: string[] = [];
    for (const record of await this.store.listExecutions('RUNNING')) {
      if (record.stateMachineArn !== this.stateMachineArn || this.live.has(record.name)) continue;
      const now = this.clock.now().toISOString();
      await this.store.supersedeTokens(record.name, now);
      const checkpoint = await this.store.getCheckpoint(record.name);
      if (checkpoint && !this.plan.topLevelStates.has(checkpoint.stateName)) {
        await this.store.closeExecution(record, {
          status: 'FAILED',
          stopDate: now,
          error: 'States.Runtime',
          cause: `Cannot resume: the definition no longer has the state ${checkpoint.stateName}.`,
        });
        continue;
      }
      const startAt = checkpoint?.stateName ?? String(this.plan.definition['StartAt']);
      const input = JSON.parse(checkpoint?.input ?? record.input) as Json;
      this.launch(record, startAt, input, resumedEntryFrom(checkpoint));
      this.log(`execution ${record.name} resumed at ${startAt}`);
      resumed.push(record.executionArn);
    }
    return resumed;
  }

  // ---- task tokens -----------------------------------------------------------------------------

  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    this.assertOpen();
    validateToken(taskToken);
    await this.tokens.succeed(taskToken, parseTaskOutput(output));
  }

  async sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<void> {
    this.assertOpen();
    validateToken(taskToken);
    validateTaskFailure(error, cause);
    await this.tokens.fail(taskToken, error, cause);
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.assertOpen();
    validateToken(taskToken);
    this.tokens.heartbeat(taskToken);
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /**
   * Stops this runtime: checkpoint writes in flight finish, then every execution here stops without
   * being closed, so a later runtime on the same table resumes it (resumeAll).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const lives = [...this.live.values()];
    for (const live of lives) live.closing = true;
    await Promise.allSettled(lives.map((live) => live.checkpoints));
    this.dead = true;
    for (const live of lives) abortLive(live);
    await Promise.allSettled(lives.map((live) => live.done));
    for (const live of lives) live.ended.resolve();
    this.tokens.clear();
    this.unpublishClock();
  }

  /**
   * Simulates `kill -9` (for tests): everything stops at once and nothing more is written, so the
   * store is left exactly as a killed process would leave it.
   */
  crash(): void {
    this.dead = true;
    this.closed = true;
    for (const live of this.live.values()) {
      live.closing = true;
      abortLive(live);
      live.ended.resolve();
    }
    this.live.clear();
    this.tokens.clear();
    this.unpublishClock();
  }

  // ---- running ---------------------------------------------------------------------------------

  private launch(record: ExecutionRecord, startAt: string, input: Json, resumedEntry?: ResumedEntry): void {
    let counters = this.counters.get(record.name);
    if (!counters) {
      counters = newCounters();
      this.counters.set(record.name, counters);
    }
    const live = newLive(record, counters, resumedEntry);
    this.live.set(record.name, live);

    const tokenSource = {
      // `$$.Task.Token`: evaluated in Parameters just before the task's handler is called.
      get Token(): string {
        live.pendingToken ??= newTaskToken();
        return live.pendingToken;
      },
    };
    const handlers = this.tasks.handlersFor(live, this.plan.tasks, this.plan.waits);
    const run = startRun(
      this.plan,
      startAt,
      input,
      runOverrides(this.plan, this.clock.speed, handlers),
      executionContext(record, this.stateMachineArn, tokenSource),
    );
    live.libraryAbort = run.abort;
    void recordCheckpoints(live, run.eventLogs, {
      clock: this.clock,
      topLevelStates: this.plan.topLevelStates,
      save: (name, checkpoint) => this.write(() => this.store.saveCheckpoint(name, checkpoint)),
      log: this.log,
    });

    const timeoutSeconds = this.plan.executionTimeoutSeconds;
    if (timeoutSeconds !== undefined) {
      const deadline = new Date(Date.parse(record.startDate) + timeoutSeconds * 1000);
      this.clock.sleepUntil(deadline, live.abort.signal).then(
        () =>
          this.terminate(live, {
            status: 'TIMED_OUT',
            stopDate: this.clock.now().toISOString(),
            error: 'States.Timeout',
            cause: `The execution ran longer than its TimeoutSeconds (${timeoutSeconds}).`,
          }).catch((error: unknown) =>
            this.log(`execution ${record.name}: timing out failed: ${describeError(error)}`),
          ),
        () => {},
      );
    }

    live.done = run.result
      .then(
        (output) =>
          this.finish(live, { status: 'SUCCEEDED', stopDate: '', output: JSON.stringify(output ?? null) }),
        (error: unknown) => {
          if (live.closing) return;
          return this.finish(live, { status: 'FAILED', stopDate: '', ...failureOf(error) });
        },
      )
      .catch((error: unknown) =>
        this.log(`execution ${record.name}: closing failed: ${describeError(error)}`),
      )
      .finally(() => {
        live.abort.abort();
        if (this.live.get(record.name) === live) this.live.delete(record.name);
      });
  }

  // ---- closing executions ----------------------------------------------------------------------

  private async finish(
    live: Live,
    close: { status: ClosedStatus; stopDate: string; output?: string; error?: string; cause?: string },
  ): Promise<void> {
    if (live.closing) return;
    live.closing = true;
    try {
      await live.checkpoints;
      const stopDate = this.clock.now().toISOString();
      const closed = await this.write(() => this.store.closeExecution(live.record, { ...close, stopDate }));
      if (closed) {
        live.record = { ...live.record, ...close, stopDate };
        const why = close.error === undefined ? '' : `: ${close.error}: ${close.cause ?? ''}`;
        this.log(`execution ${live.record.name} ${close.status}${why}`);
      }
    } finally {
      live.ended.resolve();
    }
  }

  /** Stop or time out: claim, stop the run, record the status, close its tokens. False if already closing. */
  private async terminate(
    live: Live,
    close: { status: ClosedStatus; stopDate: string; error?: string; cause?: string },
  ): Promise<boolean> {
    if (live.closing) return false;
    live.closing = true;
    try {
      abortLive(live);
      await live.checkpoints;
      await this.write(() => this.store.closeExecution(live.record, close));
      live.record = { ...live.record, ...close };
      await this.write(() => this.store.supersedeTokens(live.record.name, close.stopDate));
      await live.done;
      this.log(`execution ${live.record.name} ${close.status}`);
      return true;
    } finally {
      live.ended.resolve();
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async write<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.dead) return undefined;
    return fn();
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeClosed('This state machine runtime is closed; start a new one.');
  }
}
