/**
 * Turns an ASL definition (as synthesized for AWS) into the definition aws-local-stepfunctions runs,
 * plus a plan the runtime follows. The library runs JSONPath definitions faithfully for Pass, Choice,
 * Parallel, Map, Succeed and Fail, and applies InputPath, Parameters, ResultSelector, ResultPath,
 * OutputPath and Catch; it does NOT invoke Lambda in process for service integrations, know task
 * tokens, follow a simulated clock, or time tasks as AWS does (it fails every Task after 60 real
 * seconds). Each gap is closed by one of these transforms, applied at every nesting level:
 *
 *  T1 Task states (Lambda only: `arn:aws:states:::lambda:invoke`, `...lambda:invoke.waitForTaskToken`,
 *     or a function ARN) run a local handler (`taskResourceLocalHandlers`) that invokes the function in
 *     process, returns `{ ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode }`
 *     for lambda:invoke (the bare result for a function ARN), and for `.waitForTaskToken` parks a task
 *     token and waits for SendTaskSuccess / SendTaskFailure. Any other resource is refused up front.
 *  T2 Their Parameters become `{ "payload": <Parameters> }` (or `{ "payload.$": "$" }` without
 *     Parameters), plus `"timeoutSeconds.$"` / `"heartbeatSeconds.$"` when the state has
 *     TimeoutSecondsPath / HeartbeatSecondsPath: the library still evaluates every path, against the
 *     same effective input as on AWS, and the handler receives the values it needs.
 *  T3 Their Retry moves into the handler, which retries on the runtime clock with AWS's matching and
 *     backoff rules (retry.ts); the library retries on real time, and only with fixed intervals.
 *     Retrying re-invokes the function with the same effective payload (and a fresh task token), as
 *     AWS does.
 *  T4 Their TimeoutSeconds / HeartbeatSeconds (and the paths) move into the handler, which times the
 *     task on the runtime clock and raises States.Timeout / States.HeartbeatTimeout; the library's own
 *     real-time timer is set to its maximum, 2,147,483 s (about 24.8 real days).
 *  T5 Wait states become Task states run by a local handler that sleeps on the runtime clock:
 *     Parameters `{ "input.$": "$", "seconds" | "seconds.$" | "timestamp" | "timestamp.$": ... }`
 *     (InputPath, OutputPath, Next and End unchanged; the handler returns the input).
 *  T6 Catch: ErrorEquals with States.Timeout also lists States.HeartbeatTimeout (on AWS the former
 *     matches both). ResultPath "$" (on states and catchers) is dropped: it means the default, and the
 *     library would store the result under a key named "$".
 *  T7 `$$.Execution...` in paths and intrinsic functions reads `$$.__Execution...`, a context entry
 *     the runtime fills with the execution's real Id, Name, original Input and StartTime (the library
 *     overwrites `$$.Execution.Input` / `StartTime` with the input and time of the current run, which
 *     after a crash resume is the checkpoint, not the execution).
 *  T8 The top-level TimeoutSeconds is removed; the runtime times the execution on its clock.
 *  T9 A Pass state with a falsy Result (false, 0, "", null) gets it as Parameters instead (the library
 *     ignores a falsy Result).
 *
 * Parallel and Map states keep their Retry in the library; when the clock runs faster than real time
 * their intervals are overridden with IntervalSeconds / speed (no backoff or jitter then).
 */
import { UnsupportedDefinition } from './errors.ts';
import type { Retrier } from './retry.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The library's real-time timer limit (setTimeout's maximum), in seconds. */
export const LIBRARY_TASK_TIMEOUT_SECONDS = 2_147_483;
export const EXECUTION_CONTEXT_KEY = '__Execution';
/** Resource given to Wait states turned into Task states; never invoked (a local handler runs). */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

export type TaskKind = 'lambda-invoke' | 'lambda-callback' | 'lambda-direct';

export interface TaskPlan {
  kind: TaskKind;
  stateName: string;
  /** For lambda-direct: the function ARN in Resource. */
  functionArn?: string;
  retriers: Retrier[];
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

export interface RunPlan {
  /** The definition the library runs. */
  definition: JsonObject;
  tasks: Map<string, TaskPlan>;
  waits: Set<string>;
  /** Retry of Parallel and Map states (left to the library). */
  libraryRetries: Map<string, Retrier[]>;
  /** State names of the top level, where checkpoints are written. */
  topLevelStates: Set<string>;
  /** The definition's TimeoutSeconds, timed by the runtime. */
  executionTimeoutSeconds?: number;
}

const LAMBDA_INVOKE = /^arn:[a-z-]+:states:::lambda:invoke$/;
const LAMBDA_CALLBACK = /^arn:[a-z-]+:states:::lambda:invoke\.waitForTaskToken$/;
const LAMBDA_FUNCTION = /^arn:[a-z-]+:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/;

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function transformDefinition(original: object): RunPlan {
  const definition = structuredClone(original) as JsonObject;
  const plan: RunPlan = {
    definition,
    tasks: new Map(),
    waits: new Set(),
    libraryRetries: new Map(),
    topLevelStates: new Set(Object.keys(isObject(definition['States']) ? definition['States'] : {})),
  };
  if (typeof definition['TimeoutSeconds'] === 'number') {
    plan.executionTimeoutSeconds = definition['TimeoutSeconds'];
    delete definition['TimeoutSeconds']; // T8
  }
  const seen = new Set<string>();
  transformScope(definition, plan, seen, 'the definition');
  rewriteExecutionPaths(definition); // T7
  return plan;
}

function transformScope(scope: JsonObject, plan: RunPlan, seen: Set<string>, where: string): void {
  if (scope['QueryLanguage'] !== undefined && scope['QueryLanguage'] !== 'JSONPath') {
    throw new UnsupportedDefinition(
      `${where} uses QueryLanguage ${String(scope['QueryLanguage'])}; only JSONPath runs locally.`,
    );
  }
  const states = scope['States'];
  if (!isObject(states)) throw new UnsupportedDefinition(`${where} has no States object.`);
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) throw new UnsupportedDefinition(`State ${name} is not an object.`);
    if (seen.has(name)) {
      throw new UnsupportedDefinition(
        `State name ${name} is used twice; state names must be unique in the whole machine.`,
      );
    }
    seen.add(name);
    if (state['QueryLanguage'] !== undefined && state['QueryLanguage'] !== 'JSONPath') {
      throw new UnsupportedDefinition(
        `State ${name} uses QueryLanguage ${String(state['QueryLanguage'])}; only JSONPath runs locally.`,
      );
    }
    for (const field of ['Assign', 'Arguments', 'Output']) {
      if (state[field] !== undefined) {
        throw new UnsupportedDefinition(
          `State ${name} uses ${field}, which the local runtime does not run (JSONPath without variables only).`,
        );
      }
    }
    switch (state['Type']) {
      case 'Task':
        transformTask(name, state, plan);
        break;
      case 'Wait':
        states[name] = transformWait(name, state, plan);
        break;
      case 'Parallel':
      case 'Map':
        transformParallelOrMap(name, state, plan, seen);
        break;
      case 'Pass':
        if ('Result' in state && !state['Result']) {
          state['Parameters'] = state['Result'] as Json; // T9
          delete state['Result'];
        }
        break;
      default:
        break;
    }
    dropRootResultPath(state);
  }
}

function transformTask(name: string, state: JsonObject, plan: RunPlan): void {
  const resource = state['Resource'];
  if (typeof resource !== 'string') throw new UnsupportedDefinition(`Task ${name} has no Resource.`);
  let kind: TaskKind;
  if (LAMBDA_INVOKE.test(resource)) kind = 'lambda-invoke';
  else if (LAMBDA_CALLBACK.test(resource)) kind = 'lambda-callback';
  else if (LAMBDA_FUNCTION.test(resource)) kind = 'lambda-direct';
  else {
    throw new UnsupportedDefinition(
      `Task ${name} uses ${resource}; the local runtime runs Lambda tasks only (lambda:invoke, ` +
        'lambda:invoke.waitForTaskToken, or a function ARN).',
    );
  }
  const task: TaskPlan = { kind, stateName: name, retriers: readRetriers(name, state['Retry']) };
  if (kind === 'lambda-direct') task.functionArn = resource;
  if (typeof state['TimeoutSeconds'] === 'number') task.timeoutSeconds = state['TimeoutSeconds'];
  if (typeof state['HeartbeatSeconds'] === 'number') task.heartbeatSeconds = state['HeartbeatSeconds'];
  plan.tasks.set(name, task);

  // T2
  const parameters: JsonObject =
    'Parameters' in state ? { payload: state['Parameters'] as Json } : { 'payload.$': '$' };
  if (typeof state['TimeoutSecondsPath'] === 'string')
    parameters['timeoutSeconds.$'] = state['TimeoutSecondsPath'];
  if (typeof state['HeartbeatSecondsPath'] === 'string')
    parameters['heartbeatSeconds.$'] = state['HeartbeatSecondsPath'];
  state['Parameters'] = parameters;
  // T3, T4
  for (const field of [
    'Retry',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
  ]) {
    delete state[field];
  }
  state['TimeoutSeconds'] = LIBRARY_TASK_TIMEOUT_SECONDS;
  transformCatch(state); // T6
}

function transformWait(name: string, state: JsonObject, plan: RunPlan): JsonObject {
  plan.waits.add(name);
  const parameters: JsonObject = { 'input.$': '$' };
  if (state['Seconds'] !== undefined) parameters['seconds'] = state['Seconds'] as Json;
  else if (state['Timestamp'] !== undefined) parameters['timestamp'] = state['Timestamp'] as Json;
  else if (typeof state['SecondsPath'] === 'string') parameters['seconds.$'] = state['SecondsPath'];
  else if (typeof state['TimestampPath'] === 'string') parameters['timestamp.$'] = state['TimestampPath'];
  else
    throw new UnsupportedDefinition(
      `Wait ${name} has none of Seconds, Timestamp, SecondsPath, TimestampPath.`,
    );
  // T5
  const task: JsonObject = {
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: LIBRARY_TASK_TIMEOUT_SECONDS,
  };
  for (const field of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) {
    if (field in state) task[field] = state[field] as Json;
  }
  return task;
}

function transformParallelOrMap(name: string, state: JsonObject, plan: RunPlan, seen: Set<string>): void {
  if (state['ItemReader'] !== undefined || state['ResultWriter'] !== undefined) {
    throw new UnsupportedDefinition(
      `Map ${name} is a distributed map (ItemReader/ResultWriter); it does not run locally.`,
    );
  }
  if (state['Retry'] !== undefined) plan.libraryRetries.set(name, readRetriers(name, state['Retry']));
  transformCatch(state);
  const scopes: Json[] =
    state['Type'] === 'Parallel'
      ? Array.isArray(state['Branches'])
        ? state['Branches']
        : []
      : [state['ItemProcessor'] ?? state['Iterator'] ?? null];
  for (const [i, scope] of scopes.entries()) {
    if (!isObject(scope)) throw new UnsupportedDefinition(`${state['Type']} ${name} has no states to run.`);
    transformScope(scope, plan, seen, `${state['Type']} ${name} branch ${i}`);
  }
}

function transformCatch(state: JsonObject): void {
  const catchers = state['Catch'];
  if (!Array.isArray(catchers)) return;
  for (const catcher of catchers) {
    if (!isObject(catcher)) continue;
    const errors = catcher['ErrorEquals'];
    if (
      Array.isArray(errors) &&
      errors.includes('States.Timeout') &&
      !errors.includes('States.HeartbeatTimeout')
    ) {
      errors.push('States.HeartbeatTimeout');
    }
    if (catcher['ResultPath'] === '$') delete catcher['ResultPath'];
  }
}

function dropRootResultPath(state: JsonObject): void {
  if (state['ResultPath'] === '$') delete state['ResultPath'];
}

function readRetriers(name: string, value: Json | undefined): Retrier[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new UnsupportedDefinition(`State ${name}: Retry is not a list.`);
  return value.map((retrier, i) => {
    if (!isObject(retrier) || !Array.isArray(retrier['ErrorEquals'])) {
      throw new UnsupportedDefinition(`State ${name}: Retry[${i}] has no ErrorEquals list.`);
    }
    return retrier as unknown as Retrier;
  });
}

const PATH_KEY = /(\.\$|Path)$/;
const EXECUTION_REFERENCE = /\$\$\.Execution\b/g;

/** T7: `$$.Execution` → `$$.__Execution` in every path and intrinsic function of the definition. */
function rewriteExecutionPaths(value: Json): void {
  if (Array.isArray(value)) {
    value.forEach(rewriteExecutionPaths);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string' && (PATH_KEY.test(key) || key === 'Variable')) {
      value[key] = inner.replace(EXECUTION_REFERENCE, `$$$$.${EXECUTION_CONTEXT_KEY}`);
    } else {
      rewriteExecutionPaths(inner);
    }
  }
}
