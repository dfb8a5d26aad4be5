/**
 * What the end-to-end tests share: a fresh table holding the programme's first version, the
 * synthesized state machine run on it in real time (each test moves the clock itself), and a
 * quarterly cycle started as the schedule starts it.
 */
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { startLocalWorkflow, type LocalWorkflow } from '#infra/local/workflow.ts';
import { freshTable, localStack } from '#test/support/local-stack.ts';

export interface WorkflowWorld {
  readonly repo: DynamoDbRepository;
  readonly outbox: DynamoOutboxStore;
  readonly workflow: LocalWorkflow;
}

/** A fresh table (`prefix`) with `programme` saved at `start`, and the local workflow on it from `start`. */
export async function workflowWorld(
  prefix: string,
  programme: Programme,
  start: Date,
): Promise<WorkflowWorld> {
  const info = localStack();
  const { client, tableName } = await freshTable(prefix);
  const repo = new DynamoDbRepository({ client, tableName });
  const outbox = new DynamoOutboxStore({ client, tableName });
  await repo.saveProgrammeVersion({
    programmeId: programme.organisation.id,
    version: 1,
    hash: canonicalHash(programme),
    savedAt: start.toISOString(),
    savedBy: 'system',
    document: programme as unknown as Record<string, unknown>,
  });
  const workflow = await startLocalWorkflow({
    stack: { ...info, tableName, env: { ...info.env, TABLE_NAME: tableName } },
    programme,
    speed: 1, // real time; the test moves the clock itself
    start,
  });
  return { repo, outbox, workflow };
}

/** Starts the quarterly cycle `cycleId` scheduled at `start`, as the schedule does. */
export function startQuarterlyCycle(
  workflow: LocalWorkflow,
  programme: Programme,
  cycleId: string,
  start: Date,
): ReturnType<LocalWorkflow['runtime']['startExecution']> {
  return workflow.runtime.startExecution({
    name: cycleId,
    input: JSON.stringify({
      programmeId: programme.organisation.id,
      type: 'quarterly',
      scheduledTime: start.toISOString(),
      requestedBy: 'test',
    }),
  });
}

/** Polls `probe` every 25 ms until it gives a value; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Invocations of a workflow function so far in one execution, by the start of its logical id
 * (e.g. CheckInputs). A parking handler parks its token before it returns, and is counted when it
 * returns: wait for the count before asserting on it.
 */
export function invocations(workflow: LocalWorkflow, executionArn: string, fn: string): number {
  return Object.entries(workflow.runtime.metrics(executionArn).lambda)
    .filter(([id]) => id.toLowerCase().startsWith(fn.toLowerCase()))
    .reduce((sum, [, figure]) => sum + figure.invocations, 0);
}
