/**
 * Builds a LocalStateMachineRuntime on a fresh DynamoDB Local table with handlers given inline.
 */
import type { Context } from 'aws-lambda';
import { RuntimeClock } from '#infra/local/stepfunctions/clock.ts';
import {
  LocalStateMachineRuntime,
  type LocalStateMachineRuntimeOptions,
} from '#infra/local/stepfunctions/runtime.ts';
import { ExecutionStore } from '#infra/local/stepfunctions/store.ts';
import { localFunctionArn } from '#infra/local/stepfunctions/template.ts';
import { freshTable } from '#test/support/local-stack.ts';

export type TestHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface Harness {
  runtime: LocalStateMachineRuntime;
  store: ExecutionStore;
  clock: RuntimeClock;
  tableName: string;
  /** Every invocation, in order: function logical id, event, simulated time. */
  calls: { fn: string; event: unknown; at: Date }[];
}

/** One simulated day per real millisecond: a Wait or timeout of hours takes no real time. */
export const FAST = 86_400_000;

export const arn = localFunctionArn;

export async function harness(
  definition: object,
  handlers: Record<string, TestHandler>,
  options: {
    speed?: number;
    start?: Date;
    table?: { client: ExecutionStoreClient; tableName: string };
  } & Partial<Pick<LocalStateMachineRuntimeOptions, 'random' | 'stateMachineArn' | 'log'>> = {},
): Promise<Harness> {
  const table = options.table ?? (await freshTable('sfn'));
  const store = new ExecutionStore(table);
  const clock = new RuntimeClock({
    speed: options.speed ?? FAST,
    start: options.start ?? new Date('2025-01-06T08:00:00Z'),
  });
  const calls: Harness['calls'] = [];
  const runtimeOptions: LocalStateMachineRuntimeOptions = {
    definition,
    functions: Object.fromEntries(Object.keys(handlers).map((id) => [id, { entry: `functions/${id}.ts` }])),
    resolveHandler: async (logicalId) => {
      const handler = handlers[logicalId];
      if (!handler) throw new Error(`no test handler ${logicalId}`);
      return async (event, context) => {
        calls.push({ fn: logicalId, event, at: clock.now() });
        return handler(event, context);
      };
    },
    clock,
    store,
    publishClock: false,
  };
  if (options.random) runtimeOptions.random = options.random;
  if (options.log) runtimeOptions.log = options.log;
  if (options.stateMachineArn) runtimeOptions.stateMachineArn = options.stateMachineArn;
  const runtime = new LocalStateMachineRuntime(runtimeOptions);
  return { runtime, store, clock, tableName: table.tableName, calls };
}

type ExecutionStoreClient = ConstructorParameters<typeof ExecutionStore>[0]['client'];

/** A promise and the function that resolves it: lets a handler hand its task token to the test. */
export function signal<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** Rejects after `ms` real milliseconds: keeps a broken test from hanging. */
export function within<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Resolves once `condition` holds, checking after each turn of the event loop (no real-time sleep). */
export async function until(condition: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export class CycleConflict extends Error {
  override name = 'CycleConflict' as const;
}

export class TransientError extends Error {
  override name = 'TransientError' as const;
}
