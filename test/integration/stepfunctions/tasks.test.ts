import { describe, expect, it } from 'vitest';
import { arn, CycleConflict, harness, TransientError, within } from './support.ts';

const invoke = (fn: string, extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: arn(fn), 'Payload.$': '$' },
  ...extra,
});

describe('starting an execution', () => {
  const definition = { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } };

  it('refuses a bad name, bad input or another state machine with the AWS error names', async () => {
    const { runtime } = await harness(definition, {});
    await expect(runtime.startExecution({ name: 'has space', input: '{}' })).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(runtime.startExecution({ name: 'a:b', input: '{}' })).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(runtime.startExecution({ name: 'x'.repeat(81) })).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(runtime.startExecution({ name: 'ok', input: '{not json' })).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    await expect(
      runtime.startExecution({
        name: 'ok',
        input: '{}',
        stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:other',
      }),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(runtime.describeExecution('not-an-arn')).rejects.toMatchObject({ name: 'InvalidArn' });
    await expect(
      runtime.describeExecution('arn:aws:states:local:000000000000:execution:local:missing'),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    expect(await runtime.listExecutions()).toEqual([]);
    await runtime.close();
  });

  it('is idempotent by name and input while running, as StartExecution is on AWS', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { runtime, calls } = await harness(
      { StartAt: 'Work', States: { Work: invoke('Slow', { OutputPath: '$.Payload', End: true }) } },
      { Slow: async (event) => (await gate, event) },
    );
    const first = await runtime.startExecution({ name: 'cycle-2025-q1', input: '{"a":1,"b":[2]}' });
    const again = await runtime.startExecution({ name: 'cycle-2025-q1', input: '{ "b": [2], "a": 1 }' });
    expect(again).toEqual(first);
    await expect(runtime.startExecution({ name: 'cycle-2025-q1', input: '{"a":2}' })).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    release();
    const done = await within(runtime.waitForExecution(first.executionArn));
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"a":1,"b":[2]}', name: 'cycle-2025-q1' });
    expect(calls).toHaveLength(1);
    // A closed execution's name cannot be reused, even with the same input.
    await expect(
      runtime.startExecution({ name: 'cycle-2025-q1', input: '{"a":1,"b":[2]}' }),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await runtime.close();
  });
});

describe('Lambda tasks', () => {
  it('returns the lambda:invoke envelope with the handler result as Payload, and the bare result for a function ARN', async () => {
    const definition = {
      StartAt: 'Invoke',
      States: {
        Invoke: invoke('Echo', {
          Parameters: {
            FunctionName: arn('Echo'),
            Payload: { 'cycleId.$': '$.cycleId', 'exec.$': '$$.Execution.Name' },
          },
          ResultPath: '$.invoked',
          Next: 'Direct',
        }),
        Direct: {
          Type: 'Task',
          Resource: arn('Double'),
          Parameters: { 'n.$': '$.n' },
          ResultSelector: { 'doubled.$': '$.n' },
          ResultPath: '$.direct',
          End: true,
        },
      },
    };
    const { runtime, calls } = await harness(definition, {
      Echo: async (event) => ({ seen: event, when: new Date('2025-01-01T00:00:00Z') }),
      Double: async (event) => ({ n: (event as { n: number }).n * 2 }),
    });
    const { executionArn } = await runtime.startExecution({
      name: 'run-1',
      input: '{"cycleId":"c-1","n":21}',
    });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output as string);
    expect(output.invoked).toMatchObject({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      Payload: { seen: { cycleId: 'c-1', exec: 'run-1' }, when: '2025-01-01T00:00:00.000Z' },
      SdkHttpMetadata: { HttpStatusCode: 200 },
    });
    expect(output.invoked.SdkResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.direct).toEqual({ doubled: 42 });
    expect(output.cycleId).toBe('c-1');
    expect(calls.map((call) => call.fn)).toEqual(['Echo', 'Double']);
    expect(calls[0]?.event).toEqual({ cycleId: 'c-1', exec: 'run-1' });
    await runtime.close();
  });

  it('fails the execution with the handler error name and the Lambda error JSON as cause', async () => {
    const { runtime } = await harness(
      { StartAt: 'Open', States: { Open: invoke('Open', { End: true }) } },
      {
        Open: async () => {
          throw new CycleConflict('Cycle c-1 is already open.');
        },
      },
    );
    const { executionArn } = await runtime.startExecution({ name: 'fails', input: '{}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('CycleConflict');
    expect(JSON.parse(done.cause as string)).toMatchObject({
      errorType: 'CycleConflict',
      errorMessage: 'Cycle c-1 is already open.',
    });
    expect(done.stopDate).toBeInstanceOf(Date);
    await runtime.close();
  });

  it('reports an unknown function as Lambda.ResourceNotFoundException', async () => {
    const { runtime } = await harness(
      { StartAt: 'Go', States: { Go: invoke('Missing', { End: true }) } },
      {},
    );
    const { executionArn } = await runtime.startExecution({ name: 'missing', input: '{}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  it('catches a named error into ResultPath and goes to the catcher', async () => {
    const definition = {
      StartAt: 'Open',
      States: {
        Open: invoke('Open', {
          Catch: [
            { ErrorEquals: ['SomethingElse'], Next: 'Wrong' },
            { ErrorEquals: ['CycleConflict'], ResultPath: '$.failure', Next: 'Recorded' },
          ],
          End: true,
        }),
        Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
        Recorded: { Type: 'Pass', End: true },
      },
    };
    const { runtime } = await harness(definition, {
      Open: async () => {
        throw new CycleConflict('Cycle c-1 is already open.');
      },
    });
    const { executionArn } = await runtime.startExecution({ name: 'caught', input: '{"cycleId":"c-1"}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output as string);
    expect(output.cycleId).toBe('c-1');
    expect(output.failure.Error).toBe('CycleConflict');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorMessage: 'Cycle c-1 is already open.' });
  });

  it('retries with backoff capped by MaxDelaySeconds on the runtime clock, then succeeds', async () => {
    let failures = 2;
    const definition = {
      StartAt: 'Flaky',
      States: {
        Flaky: invoke('Flaky', {
          Retry: [
            { ErrorEquals: ['Unrelated'], MaxAttempts: 5 },
            {
              ErrorEquals: ['TransientError'],
              IntervalSeconds: 60,
              BackoffRate: 3,
              MaxDelaySeconds: 120,
              MaxAttempts: 3,
            },
          ],
          OutputPath: '$.Payload',
          End: true,
        }),
      },
    };
    // 1,000 simulated seconds per real second: the 180 s of retry delays take 0.18 s.
    const log: string[] = [];
    const { runtime, calls } = await harness(
      definition,
      {
        Flaky: async () => {
          if (failures-- > 0) throw new TransientError('Try again.');
          return { ok: true };
        },
      },
      { speed: 1_000, log: (line) => log.push(line) },
    );
    const started = Date.now();
    const { executionArn } = await runtime.startExecution({ name: 'flaky', input: '{}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
    expect(calls).toHaveLength(3);
    // 60 s, then 60 × 3 = 180 s capped at 120 s ...
    expect(log.filter((line) => line.includes('retry in'))).toEqual([
      'execution flaky: Flaky failed with TransientError; retry in 60000 ms',
      'execution flaky: Flaky failed with TransientError; retry in 120000 ms',
    ]);
    // ... slept on the runtime clock between the invocations.
    const gaps = calls.slice(1).map((call, i) => call.at.getTime() - (calls[i] as { at: Date }).at.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(60_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(120_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    await runtime.close();
  });

  it('gives up after MaxAttempts and lets Catch States.TaskFailed take the error', async () => {
    const definition = {
      StartAt: 'Flaky',
      States: {
        Flaky: invoke('Flaky', {
          Retry: [
            { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, JitterStrategy: 'FULL' },
          ],
          Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Handled' }],
          End: true,
        }),
        Handled: { Type: 'Pass', End: true },
      },
    };
    const { runtime, calls } = await harness(definition, {
      Flaky: async () => {
        throw new TransientError('Still down.');
      },
    });
    const { executionArn } = await runtime.startExecution({ name: 'gives-up', input: '{}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(calls).toHaveLength(3);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toMatchObject({ Error: 'TransientError' });
    await runtime.close();
  });

  it('uses $$.Execution of the execution, not of the run', async () => {
    const definition = {
      StartAt: 'Ctx',
      States: {
        Ctx: {
          Type: 'Pass',
          Parameters: {
            'id.$': '$$.Execution.Id',
            'name.$': '$$.Execution.Name',
            'input.$': '$$.Execution.Input',
            'start.$': '$$.Execution.StartTime',
            'machine.$': '$$.StateMachine.Id',
            'greeting.$': "States.Format('cycle {}', $$.Execution.Name)",
          },
          End: true,
        },
      },
    };
    const { runtime, clock } = await harness(definition, {}, { speed: 1 });
    const { executionArn, startDate } = await runtime.startExecution({ name: 'ctx-1', input: '{"k":"v"}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(JSON.parse(done.output as string)).toEqual({
      id: executionArn,
      name: 'ctx-1',
      input: { k: 'v' },
      start: startDate.toISOString(),
      machine: runtime.stateMachineArn,
      greeting: 'cycle ctx-1',
    });
    expect(Math.abs(startDate.getTime() - clock.now().getTime())).toBeLessThan(5_000);
    await runtime.close();
  });
});
