import { describe, expect, it } from 'vitest';
import { dynamoDbClient } from '#test/support/local-stack.ts';
import { arn, harness, signal, until, within, type TestHandler } from './support.ts';

/** OpenCycle → AwaitInputs (task token) → CompilePackage. */
const definition = {
  StartAt: 'OpenCycle',
  States: {
    OpenCycle: {
      Type: 'Task',
      Resource: arn('Open'),
      Parameters: { 'cycleId.$': '$.cycleId' },
      ResultPath: '$.opened',
      Next: 'AwaitInputs',
    },
    AwaitInputs: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: arn('Park'),
        Payload: { 'cycleId.$': '$.cycleId', 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSeconds: 30 * 86_400,
      ResultPath: '$.inputs',
      Next: 'CompilePackage',
    },
    CompilePackage: {
      Type: 'Task',
      Resource: arn('Compile'),
      Parameters: {
        'cycleId.$': '$.cycleId',
        'inputs.$': '$.inputs',
        'opened.$': '$.opened',
        'started.$': '$$.Execution.Input',
      },
      End: true,
    },
  },
};

function handlers() {
  let tokenSeen = signal<string>();
  const tokens: string[] = [];
  const h: Record<string, TestHandler> = {
    Open: async (event) => ({ openedFor: (event as { cycleId: string }).cycleId }),
    Park: async (event) => {
      const { taskToken } = event as { taskToken: string };
      tokens.push(taskToken);
      tokenSeen.resolve(taskToken);
      return null;
    },
    Compile: async (event) => ({ compiled: event }),
  };
  return {
    h,
    tokens,
    nextToken: () => {
      const current = tokenSeen;
      return current.promise.finally(() => {
        if (tokenSeen === current) tokenSeen = signal<string>();
      });
    },
  };
}

describe('crash and resume', () => {
  it('resumes a RUNNING execution from its checkpoint after a kill -9, without re-running earlier states', async () => {
    // given: an execution parked on a task token
    const first = handlers();
    const before = await harness(definition, first.h, { speed: 1 });
    const { executionArn } = await before.runtime.startExecution({
      name: 'cycle-crash',
      input: '{"cycleId":"c-7"}',
    });
    const oldToken = await within(first.nextToken());
    await until(async () => (await before.store.getToken(oldToken))?.status === 'PENDING');
    expect(await before.store.getCheckpoint('cycle-crash')).toMatchObject({
      stateName: 'AwaitInputs',
      input: JSON.stringify({ cycleId: 'c-7', opened: { openedFor: 'c-7' } }),
    });

    // when: the process dies (nothing more is written) and a new runtime starts on the same table
    before.runtime.crash();
    await expect(before.runtime.sendTaskSuccess(oldToken, '{}')).rejects.toMatchObject({
      name: 'RuntimeClosed',
    });
    expect((await before.store.getExecution('cycle-crash'))?.status).toBe('RUNNING');
    const second = handlers();
    const table = { client: dynamoDbClient(), tableName: before.tableName };
    const after = await harness(definition, second.h, { speed: 1, table });

    // a runtime that has not resumed does not know the execution
    await expect(after.runtime.waitForExecution(executionArn)).rejects.toMatchObject({
      name: 'ExecutionNotRunningHere',
    });
    expect(await after.runtime.resumeAll()).toEqual([executionArn]);
    const newToken = await within(second.nextToken());

    // then: the old token is superseded, the new one completes the execution with the right output
    expect(newToken).not.toBe(oldToken);
    expect((await after.store.getToken(oldToken))?.status).toBe('SUPERSEDED');
    await expect(after.runtime.sendTaskSuccess(oldToken, '{}')).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
    await after.runtime.sendTaskSuccess(newToken, '{"risk":"provided"}');
    const done = await within(after.runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({
      compiled: {
        cycleId: 'c-7',
        inputs: { risk: 'provided' },
        opened: { openedFor: 'c-7' },
        started: { cycleId: 'c-7' },
      },
    });
    expect(after.calls.map((call) => call.fn)).toEqual(['Park', 'Compile']);
    expect(before.calls.map((call) => call.fn)).toEqual(['Open', 'Park']);
    // nothing is left to resume
    expect(await after.runtime.resumeAll()).toEqual([]);
    await after.runtime.close();
  });

  it('close() leaves running executions RUNNING for the next runtime', async () => {
    const first = handlers();
    const before = await harness(definition, first.h, { speed: 1 });
    const { executionArn } = await before.runtime.startExecution({
      name: 'cycle-close',
      input: '{"cycleId":"c-8"}',
    });
    await within(first.nextToken());
    await before.runtime.close();
    await expect(before.runtime.startExecution({ name: 'late', input: '{}' })).rejects.toMatchObject({
      name: 'RuntimeClosed',
    });
    expect((await before.store.getExecution('cycle-close'))?.status).toBe('RUNNING');

    const second = handlers();
    const after = await harness(definition, second.h, {
      speed: 1,
      table: { client: dynamoDbClient(), tableName: before.tableName },
    });
    expect(await after.runtime.resumeAll()).toEqual([executionArn]);
    await after.runtime.sendTaskSuccess(await within(second.nextToken()), '{}');
    expect((await within(after.runtime.waitForExecution(executionArn))).status).toBe('SUCCEEDED');
    await after.runtime.close();
  });

  it('counts a resumed task timeout from when the state was first entered, not from the resume', async () => {
    const withTick = structuredClone(definition) as typeof definition & {
      States: { AwaitInputs: Record<string, unknown>; Tick?: object };
    };
    withTick.States.AwaitInputs['Catch'] = [{ ErrorEquals: ['States.Timeout'], Next: 'Tick' }];
    withTick.States.Tick = { Type: 'Pass', End: true };
    const start = new Date('2025-01-06T08:00:00Z');
    const first = handlers();
    const before = await harness(withTick, first.h, { speed: 1, start });
    const { executionArn } = await before.runtime.startExecution({
      name: 'cycle-late',
      input: '{"cycleId":"c-9"}',
    });
    await within(first.nextToken());
    before.runtime.crash();

    // The machine was off for 31 days: the 30-day TimeoutSeconds of AwaitInputs has passed.
    const second = handlers();
    const table = { client: dynamoDbClient(), tableName: before.tableName };
    const after = await harness(withTick, second.h, {
      speed: 1,
      start: new Date(start.getTime() + 31 * 86_400_000),
      table,
    });
    await after.runtime.resumeAll();
    const done = await within(after.runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({ Error: 'States.Timeout' });
    expect(after.calls.map((call) => call.fn)).toEqual(['Park']);
    await after.runtime.close();
  });
});
