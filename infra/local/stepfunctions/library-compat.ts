/**
 * What this runtime relies on in aws-local-stepfunctions (3.0.0 is supported), in one place: the ASL
 * validator, starting a run with our context and overrides (local task handlers, Retry intervals of
 * Parallel/Map states on an accelerated clock), unwrapping the library's ExecutionError, and raising
 * timeouts as the library's own (unexported) States.Timeout class so that `States.TaskFailed` in a
 * Catch does not match them (as on AWS).
 */
import {
  ExecutionError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { LibraryIncompatible } from './errors.ts';
import { NEVER } from './live-execution.ts';
import { LOCAL_ACCOUNT } from './template.ts';
import { EXECUTION_CONTEXT_KEY, type Json, type RunPlan } from './transform.ts';
import type { ExecutionRecord } from './store.ts';

export type RunOverrides = NonNullable<RunOptions['overrides']>;
export type LibraryRun = ReturnType<StateMachine['run']>;

/** Throws "State machine definition is invalid ..." with the library validator's findings. */
export function validateDefinition(definition: object): void {
  // On a copy: the validator adds fields to the definition it checks.
  new StateMachine(structuredClone(definition) as StateMachineDefinition, {
    validationOptions: { checkArn: false },
  });
}

/** The context object (`$$`) of a run: the execution, the state machine, and `$$.Task.Token`. */
export function executionContext(
  record: ExecutionRecord,
  stateMachineArn: string,
  task: { readonly Token: string },
): Record<string, unknown> {
  return {
    [EXECUTION_CONTEXT_KEY]: {
      Id: record.executionArn,
      Name: record.name,
      Input: JSON.parse(record.input) as Json,
      StartTime: record.startDate,
      RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-state-machine`,
      RedriveCount: 0,
    },
    StateMachine: { Id: stateMachineArn, Name: stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1) },
    Task: task,
  };
}

/** Runs the plan's (already validated) definition from `startAt`. */
export function startRun(
  plan: RunPlan,
  startAt: string,
  input: Json,
  overrides: RunOverrides,
  context: Record<string, unknown>,
): LibraryRun {
  const definition = { ...plan.definition, StartAt: startAt } as unknown as StateMachineDefinition;
  const machine = new StateMachine(definition, { validationOptions: { noValidate: true } });
  return machine.run(input as never, { overrides, context } as RunOptions);
}

/** Local handlers for the plan's tasks and waits; Parallel/Map Retry intervals scaled to the clock speed. */
export function runOverrides(
  plan: RunPlan,
  speed: number,
  handlers: Record<string, (input: never) => Promise<Json>>,
): RunOverrides {
  const overrides: RunOverrides = { taskResourceLocalHandlers: handlers as never };
  if (speed !== 1 && plan.libraryRetries.size > 0) {
    overrides.retryIntervalOverrides = Object.fromEntries(
      [...plan.libraryRetries].map(([name, retriers]) => [
        name,
        retriers.map((retrier) => ((retrier.IntervalSeconds ?? 1) * 1000) / speed),
      ]),
    );
  }
  return overrides;
}

/** The error and cause a failed run reports (the library wraps the state's error). */
export function failureOf(error: unknown): { error: string; cause: string } {
  const cause =
    error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
  return { error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(error) };
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

export function timeoutError(name: 'States.Timeout' | 'States.HeartbeatTimeout', cause: string): Error {
  const error = new (timeoutClass as new () => Error)();
  error.name = name;
  error.message = cause;
  return error;
}

/** Resolves once the runtime is ready to raise timeouts the library recognises. */
export function runtimeReady(): Promise<void> {
  return timeoutClassReady;
}
