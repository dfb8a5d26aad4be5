/**
 * LocalStateMachineRuntime: runs a Step Functions STANDARD state machine (JSONPath) on this machine,
 * from the definition `cdk synth` writes, with the Lambda handlers invoked in process.
 *
 * The states themselves run in aws-local-stepfunctions (Pass, Choice, Parallel, Map, Succeed, Fail,
 * the input/output processing and Catch); transform.ts lists what is changed in the definition to
 * close the library's gaps, and this runtime carries out the rest:
 *
 * - Lambda tasks: in-process invocation (lambda.ts); Retry on the runtime clock with AWS's matching
 *   and backoff (retry.ts); TimeoutSeconds / HeartbeatSeconds on the runtime clock, raising
 *   States.Timeout / States.HeartbeatTimeout as the library's own timeout error class, so that
 *   `States.TaskFailed` in a Catch does not match them (as on AWS).
 * - Task tokens: `$$.Task.Token` is a fresh random token per attempt of a `.waitForTaskToken` task,
 *   parked in DynamoDB (store.ts, by hash) before the function is invoked, and resumed by
 *   sendTaskSuccess / sendTaskFailure. Exactly one of success, failure, timeout or stop wins for a
 *   token: a sender claims the waiting task synchronously, then records the token closed.
 * - Wait states and the execution's TimeoutSeconds follow the runtime clock (clock.ts).
 * - Executions live in DynamoDB: created with a conditional write (idempotent StartExecution, as on
 *   AWS for STANDARD workflows: same name and input while RUNNING returns the same execution; a
 *   different input or a closed execution is ExecutionAlreadyExists), closed with a conditional write.
 * - Checkpoints: on entering each top-level state the runtime stores the state's name and raw input.
 *   Every task or wait handler first waits until the checkpoint of its state is stored, so no side
 *   effect of a state happens before the state is recorded. `resumeAll()` restarts each RUNNING
 *   execution from its checkpoint (the same definition with StartAt = that state) and supersedes its
 *   old task tokens; handlers are idempotent, so re-entering the interrupted state is safe. A resumed
 *   Wait (Seconds) or task timeout counts from when the state was first entered, not from the resume.
 *
 * - Metrics: per execution, the state transitions as AWS bills them for STANDARD workflows (every
 *   state entered, in Parallel branches and Map iterations too, plus one per retry attempt) and the
 *   Lambda invocations of its tasks with their in-process duration (`metrics(executionArn)`). They
 *   are counted by this runtime only: an execution resumed here counts from its checkpoint state.
 *
 * Known differences from AWS: `$$.State.*` and `$$.Task.Token` outside callback tasks are not
 * provided; retry counts are not kept across a crash; Retry on Parallel/Map states uses fixed
 * intervals when the clock is accelerated (see transform.ts); a Fail state without Error reports
 * "FailStateError"; SendTaskFailure without an error reports the error "".
 */
import './polyfill.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ExecutionError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { CLOCK_ENV_VAR, RuntimeClock } from './clock.ts';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRunningHere,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  LibraryIncompatible,
  RuntimeClosed,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  ValidationException,
} from './errors.ts';
import { functionIdFrom, importHandlerFrom, LocalLambda, TaskError, type ResolveHandler } from './lambda.ts';
import { decideRetry } from './retry.ts';
import type { ClosedStatus, ExecutionRecord, ExecutionStatus, ExecutionStore, TokenStatus } from './store.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LocalFunction } from './template.ts';
import {
  EXECUTION_CONTEXT_KEY,
  transformDefinition,
  type Json,
  type RunPlan,
  type TaskPlan,
} from './transform.ts';

/** The repository root (this file is infra/local/stepfunctions/runtime.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const MAX_PAYLOAD_BYTES = 262_144;
const TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{128}$/;
// Whitespace, brackets, wildcards, special characters, and control characters (U+0000-001F, U+007F-009F).
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const hasControlCharacter = (name: string) =>
  [...name].some((c) => {
    const code = c.codePointAt(0) as number;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
const NEVER = new Promise<never>(() => {});

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

interface Counters {
  statesEntered: number;
  retries: number;
  lambda: Map<string, { entry?: string; invocations: number; durationMs: number }>;
}

interface Live {
  record: ExecutionRecord;
  counters: Counters;
  abort: AbortController;
  libraryAbort?: () => void;
  /** Chain of checkpoint writes, in state-entry order. */
  checkpoints: Promise<void>;
  /** Token generated by `$$.Task.Token` for the task about to be invoked. */
  pendingToken?: string;
  /** After a resume: when the first state was really entered. */
  resumedEntry?: { stateName: string; enteredAt: string; forCheckpoint: boolean; forHandler: boolean };
  /** Someone (finish, stop, timeout, close) has claimed the right to close it. */
  closing: boolean;
  /** Settles when the library run has ended. */
  done: Promise<void>;
  /** Resolves when the execution is closed in the store (or the runtime stopped writing). */
  ended: { promise: Promise<void>; resolve: (value: void) => void };
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

export function newTaskToken(): string {
  return `AQ${randomBytes(96).toString('base64url')}`;
}

export class LocalStateMachineRuntime {
  readonly clock: RuntimeClock;
  readonly stateMachineArn: string;
  private readonly plan: RunPlan;
  private readonly store: ExecutionStore;
  private readonly lambda: LocalLambda;
  private readonly functions: ReadonlyMap<string, LocalFunction>;
  /** Metrics by execution name, kept after the execution ends. */
  private readonly counters = new Map<string, Counters>();
  private readonly log: (line: string) => void;
  private readonly random: () => number;
  private readonly live = new Map<string, Live>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly unpublishClock: () => void;
  /** No store write happens once dead (crash or close). */
  private dead = false;
  private closed = false;

  constructor(options: LocalStateMachineRuntimeOptions) {
    if (options.validate !== false) {
      // Throws "State machine definition is invalid ..." with the validator's findings.
      // (On a copy: the validator adds fields to the definition it checks.)
      new StateMachine(structuredClone(options.definition) as StateMachineDefinition, {
        validationOptions: { checkArn: false },
      });
    }
    this.plan = transformDefinition(options.definition);
    this.clock = options.clock ?? new RuntimeClock();
    this.store = options.store;
    this.stateMachineArn =
      options.stateMachineArn ?? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:local`;
    if (!/^arn:[a-z-]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(this.stateMachineArn)) {
      throw new InvalidArn(`Not a state machine ARN: ${this.stateMachineArn}`);
    }
    const functions =
      options.functions instanceof Map
        ? (options.functions as ReadonlyMap<string, LocalFunction>)
        : new Map(Object.entries(options.functions as Record<string, LocalFunction>));
    this.functions = functions;
    this.lambda = new LocalLambda(functions, options.resolveHandler ?? importHandlerFrom(repoRoot));
    this.log = options.log ?? (() => {});
    this.random = options.random ?? Math.random;
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
    await timeoutClassReady;
    if (request.stateMachineArn !== undefined && request.stateMachineArn !== this.stateMachineArn) {
      throw new StateMachineDoesNotExist(`State Machine Does Not Exist: '${request.stateMachineArn}'`);
    }
    const name = request.name ?? randomUUID();
    validateName(name);
    const inputText = request.input ?? '{}';
    const input = parseJson(
      inputText,
      (message) => new InvalidExecutionInput(`Invalid State Machine Execution Input: ${message}`),
    );

    const record: ExecutionRecord = {
      executionArn: this.executionArn(name),
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
    const record = await this.store.getExecution(this.nameFromArn(executionArn));
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
    const name = this.nameFromArn(executionArn);
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
    const live = this.live.get(this.nameFromArn(executionArn));
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
    const counters = this.counters.get(this.nameFromArn(executionArn));
    if (!counters) {
      throw new ExecutionDoesNotExist(`Execution Does Not Exist in this runtime: '${executionArn}'`);
    }
    return {
      stateTransitions: counters.statesEntered + counters.retries,
      statesEntered: counters.statesEntered,
      retries: counters.retries,
      lambda: Object.fromEntries([...counters.lambda].map(([id, figures]) => [id, { ...figures }])),
    };
  }

  /** Loads every Lambda handler now, so that the first tasks after a start do not wait for imports. */
  async loadHandlers(): Promise<void> {
    await this.lambda.load();
  }

  /** Restarts every RUNNING execution of this state machine not running here; returns their ARNs. */
  async resumeAll(): Promise<string[]> {
    this.assertOpen();
    await timeoutClassReady;
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
      const entry = checkpoint
        ? {
            stateName: checkpoint.stateName,
            enteredAt: checkpoint.enteredAt,
            forCheckpoint: true,
            forHandler: true,
          }
        : undefined;
      this.launch(record, startAt, input, entry);
      this.log(`execution ${record.name} resumed at ${startAt}`);
      resumed.push(record.executionArn);
    }
    return resumed;
  }

  // ---- task tokens -----------------------------------------------------------------------------

  async sendTaskSuccess(taskToken: string, output: string): Promise<void> {
    this.assertOpen();
    validateToken(taskToken);
    if (Buffer.byteLength(output, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new InvalidOutput(`Output is larger than ${MAX_PAYLOAD_BYTES} bytes.`);
    }
    const value = parseJson(output, (message) => new InvalidOutput(`Invalid Output: ${message}`)) as Json;
    await this.settleToken(taskToken, 'SUCCEEDED', (waiter) => waiter.resolve(value));
  }

  async sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<void> {
    this.assertOpen();
    validateToken(taskToken);
    if (error !== undefined && error.length > 256)
      throw new ValidationException('error is longer than 256 characters.');
    if (cause !== undefined && cause.length > 32_768)
      throw new ValidationException('cause is longer than 32768 characters.');
    await this.settleToken(taskToken, 'FAILED', (waiter) =>
      waiter.reject(new TaskError(error ?? '', cause ?? '')),
    );
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    this.assertOpen();
    validateToken(taskToken);
    const waiter = this.waiters.get(taskToken);
    if (!waiter) throw new TaskDoesNotExist('Task Does Not Exist');
    waiter.lastHeartbeatMs = this.clock.nowMs();
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
    for (const live of lives) this.abortLive(live);
    await Promise.allSettled(lives.map((live) => live.done));
    for (const live of lives) live.ended.resolve();
    this.waiters.clear();
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
      this.abortLive(live);
      live.ended.resolve();
    }
    this.live.clear();
    this.waiters.clear();
    this.unpublishClock();
  }

  // ---- running ---------------------------------------------------------------------------------

  private launch(
    record: ExecutionRecord,
    startAt: string,
    input: Json,
    resumedEntry?: Live['resumedEntry'],
  ): void {
    let counters = this.counters.get(record.name);
    if (!counters) {
      counters = { statesEntered: 0, retries: 0, lambda: new Map() };
      this.counters.set(record.name, counters);
    }
    const live: Live = {
      record,
      counters,
      abort: new AbortController(),
      checkpoints: Promise.resolve(),
      closing: false,
      done: Promise.resolve(),
      ended: deferred<void>(),
    };
    if (resumedEntry) live.resumedEntry = resumedEntry;
    this.live.set(record.name, live);

    const definition = { ...this.plan.definition, StartAt: startAt } as unknown as StateMachineDefinition;
    const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
    const tokenSource = {
      // `$$.Task.Token`: evaluated in Parameters just before the task's handler is called.
      get Token(): string {
        live.pendingToken ??= newTaskToken();
        return live.pendingToken;
      },
    };
    const smName = this.stateMachineArn.slice(this.stateMachineArn.lastIndexOf(':') + 1);
    const context = {
      [EXECUTION_CONTEXT_KEY]: {
        Id: record.executionArn,
        Name: record.name,
        Input: JSON.parse(record.input) as Json,
        StartTime: record.startDate,
        RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-state-machine`,
        RedriveCount: 0,
      },
      StateMachine: { Id: this.stateMachineArn, Name: smName },
      Task: tokenSource,
    };
    const run = machine.run(input as never, { overrides: this.overridesFor(live), context } as RunOptions);
    live.libraryAbort = run.abort;
    void this.recordCheckpoints(live, run.eventLogs);

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
          const cause =
            error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
          return this.finish(live, {
            status: 'FAILED',
            stopDate: '',
            error: cause?.name ?? 'States.Runtime',
            cause: cause?.message ?? String(error),
          });
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

  private overridesFor(live: Live): NonNullable<RunOptions['overrides']> {
    const handlers: Record<string, (input: never) => Promise<Json>> = {};
    for (const [name, task] of this.plan.tasks)
      handlers[name] = (input: never) => this.runTask(live, task, input);
    for (const name of this.plan.waits) handlers[name] = (input: never) => this.runWait(live, name, input);
    const overrides: NonNullable<RunOptions['overrides']> = { taskResourceLocalHandlers: handlers as never };
    if (this.clock.speed !== 1 && this.plan.libraryRetries.size > 0) {
      overrides.retryIntervalOverrides = Object.fromEntries(
        [...this.plan.libraryRetries].map(([name, retriers]) => [
          name,
          retriers.map((retrier) => ((retrier.IntervalSeconds ?? 1) * 1000) / this.clock.speed),
        ]),
      );
    }
    return overrides;
  }

  private async recordCheckpoints(
    live: Live,
    events: AsyncGenerator<{ type: string; state?: { name: string; input: unknown }; index?: number }>,
  ): Promise<void> {
    try {
      for await (const event of events) {
        // Counted as billed: states of Parallel branches and Map iterations come through here too.
        if (event.type === 'StateEntered') live.counters.statesEntered += 1;
        else if (event.type === 'StateRetried') live.counters.retries += 1;
        if (event.type !== 'StateEntered' || !event.state || event.index !== undefined) continue;
        if (!this.plan.topLevelStates.has(event.state.name)) continue;
        let enteredAt = this.clock.now().toISOString();
        const resumed = live.resumedEntry;
        if (resumed?.forCheckpoint) {
          resumed.forCheckpoint = false;
          if (resumed.stateName === event.state.name) enteredAt = resumed.enteredAt;
        }
        const checkpoint = {
          stateName: event.state.name,
          input: JSON.stringify(event.state.input ?? null),
          enteredAt,
        };
        live.checkpoints = live.checkpoints
          .then(() => this.write(() => this.store.saveCheckpoint(live.record.name, checkpoint)))
          .catch((error: unknown) =>
            this.log(
              `execution ${live.record.name}: checkpoint at ${checkpoint.stateName} not stored: ${describeError(error)}`,
            ),
          );
      }
    } catch (error) {
      this.log(`execution ${live.record.name}: event log failed: ${describeError(error)}`);
    }
  }

  /** Waits until the checkpoint of the state being entered is stored. */
  private async checkpointed(live: Live): Promise<void> {
    // The StateEntered event is queued before the handler is called; its consumer runs in
    // microtasks, which all run before setImmediate fires.
    await new Promise((resolve) => setImmediate(resolve));
    await live.checkpoints;
  }

  /** When this state was entered: the real first entry for a resumed state, else now. */
  private entryTime(live: Live, stateName: string): number {
    const resumed = live.resumedEntry;
    if (resumed?.forHandler) {
      resumed.forHandler = false;
      if (resumed.stateName === stateName) return Date.parse(resumed.enteredAt);
    }
    return this.clock.nowMs();
  }

  private async runTask(
    live: Live,
    task: TaskPlan,
    input: { payload?: Json; timeoutSeconds?: Json; heartbeatSeconds?: Json },
  ): Promise<Json> {
    // Synchronously, before anything else: the token `$$.Task.Token` produced for this task.
    let token = live.pendingToken;
    live.pendingToken = undefined;
    await this.checkpointed(live);
    this.assertLive(live);
    let payload = input.payload;
    const timeoutSeconds = positiveInteger(input.timeoutSeconds, 'TimeoutSecondsPath') ?? task.timeoutSeconds;
    const heartbeatSeconds =
      positiveInteger(input.heartbeatSeconds, 'HeartbeatSecondsPath') ?? task.heartbeatSeconds;
    let startedMs = this.entryTime(live, task.stateName);
    const attempts = task.retriers.map(() => 0);
    for (;;) {
      try {
        return await this.attempt(live, task, payload, token, startedMs, timeoutSeconds, heartbeatSeconds);
      } catch (error) {
        if (live.abort.signal.aborted) throw error;
        const name = (error as Error).name;
        const decision = decideRetry(task.retriers, attempts, name, this.random);
        if (!decision.retry) throw error;
        this.log(
          `execution ${live.record.name}: ${task.stateName} failed with ${name}; retry in ${Math.round(decision.delayMs)} ms`,
        );
        await this.clock.sleep(decision.delayMs, live.abort.signal);
        live.counters.retries += 1;
        if (task.kind === 'lambda-callback') {
          const next = newTaskToken();
          if (token !== undefined) payload = replaceString(payload, token, next);
          token = next;
        }
        startedMs = this.clock.nowMs();
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
      return this.callback(
        live,
        task,
        payload,
        token ?? newTaskToken(),
        deadline,
        timeoutSeconds,
        heartbeatSeconds,
      );
    }
    const attemptAbort = new AbortController();
    const signal = AbortSignal.any([live.abort.signal, attemptAbort.signal]);
    try {
      const races: Promise<Json>[] = [this.invoke(live, task, payload), rejectOnAbort(signal)];
      if (deadline !== undefined) {
        races.push(
          this.clock.sleepUntil(new Date(deadline), signal).then(
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
        this.log(`asynchronous invocation of ${functionName} failed: ${describeError(error)}`),
      );
      return { ...LocalLambda.invokeResponse(''), StatusCode: 202 };
    }
    return LocalLambda.invokeResponse(await this.invokeLambda(live, functionName, eventPayload));
  }

  /** Invokes a function for one of the execution's tasks and counts the invocation and its duration. */
  private async invokeLambda(live: Live, functionName: string, payload: Json | undefined): Promise<Json> {
    const id = functionIdFrom(functionName);
    const fn = this.functions.get(id);
    const began = performance.now();
    try {
      return await this.lambda.invoke(functionName, payload);
    } finally {
      // A function the template does not have was never invoked (Lambda.ResourceNotFoundException).
      if (fn) {
        let figures = live.counters.lambda.get(id);
        if (!figures) {
          figures = { ...(fn.entry ? { entry: fn.entry } : {}), invocations: 0, durationMs: 0 };
          live.counters.lambda.set(id, figures);
        }
        figures.invocations += 1;
        figures.durationMs += performance.now() - began;
      }
    }
  }

  /** One attempt of a `.waitForTaskToken` task: park the token, invoke, wait for a sender. */
  private async callback(
    live: Live,
    task: TaskPlan,
    payload: Json | undefined,
    token: string,
    deadline: number | undefined,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
  ): Promise<Json> {
    const { functionName, eventPayload } = lambdaParameters(task, payload);
    const outcome = deferred<Json>();
    const waiter: Waiter = {
      live,
      stateName: task.stateName,
      resolve: outcome.resolve,
      reject: outcome.reject,
      lastHeartbeatMs: this.clock.nowMs(),
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
      await this.write(() =>
        this.store.parkToken(token, live.record.name, task.stateName, this.clock.now().toISOString()),
      );
      if (deadline !== undefined) {
        this.clock.sleepUntil(new Date(deadline), signal).then(
          () => expire(timeoutError('States.Timeout', `Task ran longer than ${timeoutSeconds} seconds.`)),
          () => {},
        );
      }
      if (heartbeatSeconds !== undefined) void this.watchHeartbeat(waiter, heartbeatSeconds, signal, expire);
      const invocation = this.invokeLambda(live, functionName, eventPayload).then(() => NEVER);
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
        await this.write(() => this.store.closeToken(token, closedAs, this.clock.now().toISOString())).catch(
          (error: unknown) =>
            this.log(`execution ${live.record.name}: closing a task token failed: ${describeError(error)}`),
        );
      }
    }
  }

  private async watchHeartbeat(
    waiter: Waiter,
    heartbeatSeconds: number,
    signal: AbortSignal,
    expire: (error: Error) => Promise<void>,
  ): Promise<void> {
    try {
      for (;;) {
        const due = waiter.lastHeartbeatMs + heartbeatSeconds * 1000;
        await this.clock.sleepUntil(new Date(due), signal);
        if (this.clock.nowMs() >= waiter.lastHeartbeatMs + heartbeatSeconds * 1000) {
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
  private async settleToken(
    token: string,
    status: 'SUCCEEDED' | 'FAILED',
    settle: (waiter: Waiter) => void,
  ): Promise<void> {
    const waiter = this.waiters.get(token);
    if (!waiter || waiter.claim) throw new TaskDoesNotExist('Task Does Not Exist');
    this.waiters.delete(token);
    waiter.sent = true;
    const claim = (async () => {
      const closed = await this.write(() =>
        this.store.closeToken(token, status, this.clock.now().toISOString()),
      );
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

  private async runWait(
    live: Live,
    stateName: string,
    input: { input?: Json; seconds?: Json; timestamp?: Json },
  ): Promise<Json> {
    await this.checkpointed(live);
    this.assertLive(live);
    const enteredMs = this.entryTime(live, stateName);
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
    await this.clock.sleepUntil(new Date(target), live.abort.signal);
    return input.input ?? null;
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
      this.abortLive(live);
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

  private abortLive(live: Live): void {
    live.abort.abort();
    live.libraryAbort?.();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private async write<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.dead) return undefined;
    return fn();
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeClosed('This state machine runtime is closed; start a new one.');
  }

  private assertLive(live: Live): void {
    if (live.abort.signal.aborted) throw new ExecutionStopped('Execution stopped.');
  }

  private executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  private nameFromArn(executionArn: string): string {
    const match = /^arn:[a-z-]+:states:[^:]*:[^:]*:execution:([^:]+):([^:]+)$/.exec(executionArn);
    if (!match) throw new InvalidArn(`Invalid Arn: '${executionArn}'`);
    return match[2] as string;
  }
}

/** The execution was stopped, timed out or the runtime closed; never reaches a Catch. */
class ExecutionStopped extends Error {
  override name = 'ExecutionStopped' as const;
}

const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

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

function validateName(name: string): void {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name) || hasControlCharacter(name)) {
    throw new InvalidName(
      `Invalid Name: '${name}': 1 to 80 characters, without spaces, brackets, wildcards or any of " # % \\ ^ | ~ \` $ & , ; : /`,
    );
  }
}

function validateToken(token: string): void {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw new InvalidToken('Invalid Token');
}

function parseJson(text: string, error: (message: string) => Error): unknown {
  if (typeof text !== 'string') throw error('not a string');
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES)
    throw error(`larger than ${MAX_PAYLOAD_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw error((cause as Error).message);
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b, k) &&
        jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
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

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new ExecutionStopped('Execution stopped.'));
    else
      signal.addEventListener('abort', () => reject(new ExecutionStopped('Execution stopped.')), {
        once: true,
      });
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// The library's States.Timeout error class is not exported, and its Catch tells a timeout from other
// task failures (for States.TaskFailed) by `instanceof` that class. Provoke one 1 ms timeout once to
// get the class, so timeouts raised on the runtime clock are caught exactly as the library's own.
let timeoutClass: (new () => Error) | undefined;
const timeoutClassReady: Promise<void> = (async () => {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:local:000000000000:function:probe',
          TimeoutSeconds: 0.001,
          End: true,
        },
      },
    } as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );
  try {
    await probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => NEVER } } }).result;
  } catch (error) {
    if (
      error instanceof ExecutionError &&
      error.cause instanceof Error &&
      error.cause.name === 'States.Timeout'
    ) {
      timeoutClass = error.cause.constructor as new () => Error;
      return;
    }
  }
  throw new LibraryIncompatible(
    'aws-local-stepfunctions no longer raises States.Timeout as this runtime expects; check its version (3.0.0 is supported).',
  );
})();
// Marked handled here; startExecution and resumeAll await it and surface the error.
timeoutClassReady.catch(() => {});

function timeoutError(name: 'States.Timeout' | 'States.HeartbeatTimeout', cause: string): Error {
  const error = new (timeoutClass as new () => Error)();
  error.name = name;
  error.message = cause;
  return error;
}

/** Resolves once the runtime is ready to raise timeouts the library recognises. */
export function runtimeReady(): Promise<void> {
  return timeoutClassReady;
}
