import { describe, expect, it } from 'vitest';
import { hashToken } from '#infra/local/stepfunctions/store.ts';
import { arn, harness, signal, within } from './support.ts';

/** A wait for people: the handler receives the token (and here hands it to the test). */
const awaitInputs = (extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: {
    FunctionName: arn('Park'),
    Payload: { 'cycleId.$': '$.cycleId', 'taskToken.$': '$$.Task.Token' },
  },
  ResultPath: '$.inputs',
  ...extra,
});

type Parked = { cycleId: string; taskToken: string };

function parkingHandler() {
  const tokens: string[] = [];
  let next = signal<string>();
  return {
    tokens,
    /** Resolves with the token of the next invocation. */
    nextToken: () => next.promise,
    handler: async (event: unknown) => {
      const { taskToken } = event as Parked;
      tokens.push(taskToken);
      const current = next;
      next = signal<string>();
      current.resolve(taskToken);
      return { parked: true };
    },
  };
}

describe('waitForTaskToken', () => {
  it('resumes with the output given to SendTaskSuccess, once', async () => {
    const park = parkingHandler();
    const { runtime, store } = await harness(
      { StartAt: 'AwaitInputs', States: { AwaitInputs: awaitInputs({ End: true }) } },
      { Park: park.handler },
    );
    const { executionArn } = await runtime.startExecution({ name: 'cb-ok', input: '{"cycleId":"c-9"}' });
    const token = await within(park.nextToken());

    // Bad calls first: malformed token, unknown token, invalid output.
    await expect(runtime.sendTaskSuccess('nonsense', '{}')).rejects.toMatchObject({ name: 'InvalidToken' });
    await expect(runtime.sendTaskSuccess(`AQ${'x'.repeat(128)}`, '{}')).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
    await expect(runtime.sendTaskSuccess(token, '{oops')).rejects.toMatchObject({ name: 'InvalidOutput' });
    expect((await store.getToken(token))?.status).toBe('PENDING');
    expect((await runtime.describeExecution(executionArn)).status).toBe('RUNNING');

    await runtime.sendTaskHeartbeat(token);
    await runtime.sendTaskSuccess(token, '{"received":["a","b"]}');
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toEqual({ cycleId: 'c-9', inputs: { received: ['a', 'b'] } });
    await expect(runtime.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await expect(runtime.sendTaskHeartbeat(token)).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    const parked = await store.getToken(token);
    expect(parked).toMatchObject({ status: 'SUCCEEDED', stateName: 'AwaitInputs', executionName: 'cb-ok' });
    expect(parked?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(parked)).not.toContain(token);
    await runtime.close();
  });

  it('fails with the error and cause given to SendTaskFailure, which Catch sees', async () => {
    const park = parkingHandler();
    const { runtime } = await harness(
      {
        StartAt: 'AwaitInputs',
        States: {
          AwaitInputs: awaitInputs({
            Catch: [{ ErrorEquals: ['InputRejected'], ResultPath: '$.rejected', Next: 'Rejected' }],
            End: true,
          }),
          Rejected: { Type: 'Pass', End: true },
        },
      },
      { Park: park.handler },
    );
    const { executionArn } = await runtime.startExecution({ name: 'cb-fail', input: '{"cycleId":"c-9"}' });
    const token = await within(park.nextToken());
    await runtime.sendTaskFailure(token, 'InputRejected', 'The risk register attachment is missing.');
    const done = await within(runtime.waitForExecution(executionArn));
    expect(JSON.parse(done.output as string)).toEqual({
      cycleId: 'c-9',
      rejected: { Error: 'InputRejected', Cause: 'The risk register attachment is missing.' },
    });
    await expect(runtime.sendTaskFailure(token, 'Again', '')).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
    await runtime.close();
  });

  it('times out after TimeoutSeconds on the runtime clock: States.Timeout is caught, States.TaskFailed is not', async () => {
    const park = parkingHandler();
    const { runtime, clock, store } = await harness(
      {
        StartAt: 'AwaitInputs',
        States: {
          AwaitInputs: awaitInputs({
            TimeoutSeconds: 6 * 3600,
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'WrongCatcher' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.tick', Next: 'Tick' },
            ],
            End: true,
          }),
          WrongCatcher: { Type: 'Fail', Error: 'WrongCatcher' },
          Tick: { Type: 'Pass', End: true },
        },
      },
      { Park: park.handler },
    );
    const started = clock.now().getTime();
    const { executionArn } = await runtime.startExecution({ name: 'cb-timeout', input: '{"cycleId":"c-9"}' });
    const token = await within(park.nextToken());
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string).tick.Error).toBe('States.Timeout');
    expect((done.stopDate as Date).getTime() - started).toBeGreaterThanOrEqual(6 * 3600 * 1000);
    await expect(runtime.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect((await store.getToken(token))?.status).toBe('TIMED_OUT');
    await runtime.close();
  });

  it('takes its timeout from TimeoutSecondsPath: a value that is not a positive whole number fails the task, a good one times it on the clock', async () => {
    const definition = {
      StartAt: 'AwaitInputs',
      States: {
        AwaitInputs: awaitInputs({
          TimeoutSecondsPath: '$.wake.sleepSeconds',
          Catch: [
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.due', Next: 'Due' },
            { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Failed' },
          ],
          End: true,
        }),
        Due: { Type: 'Pass', End: true },
        Failed: { Type: 'Pass', End: true },
      },
    };
    const park = parkingHandler();
    const { runtime, clock } = await harness(definition, { Park: park.handler });
    for (const [name, sleepSeconds] of [
      ['cb-path-zero', 0],
      ['cb-path-fraction', 90.5],
      ['cb-path-text', '3600'],
    ] as const) {
      const { executionArn } = await runtime.startExecution({
        name,
        input: JSON.stringify({ cycleId: 'c-9', wake: { sleepSeconds } }),
      });
      const done = await within(runtime.waitForExecution(executionArn));
      expect(JSON.parse(done.output as string).failure, name).toMatchObject({ Error: 'States.Runtime' });
      expect(JSON.parse(done.output as string).failure.Cause, name).toContain('TimeoutSecondsPath');
    }
    expect(park.tokens).toEqual([]);

    const started = clock.now().getTime();
    const { executionArn } = await runtime.startExecution({
      name: 'cb-path',
      input: JSON.stringify({ cycleId: 'c-9', wake: { sleepSeconds: 2 * 86_400 + 5 } }),
    });
    await within(park.nextToken());
    const done = await within(runtime.waitForExecution(executionArn));
    expect(JSON.parse(done.output as string).due.Error).toBe('States.Timeout');
    expect((done.stopDate as Date).getTime() - started).toBeGreaterThanOrEqual((2 * 86_400 + 5) * 1000);
    await runtime.close();
  });

  it('times out without heartbeats (States.HeartbeatTimeout, matched by States.Timeout) and retries with a fresh token', async () => {
    const park = parkingHandler();
    const { runtime } = await harness(
      {
        StartAt: 'AwaitInputs',
        States: {
          AwaitInputs: awaitInputs({
            HeartbeatSeconds: 600,
            Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1 }],
            Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Tick' }],
            End: true,
          }),
          Tick: { Type: 'Pass', End: true },
        },
      },
      { Park: park.handler },
    );
    const { executionArn } = await runtime.startExecution({
      name: 'cb-heartbeat',
      input: '{"cycleId":"c-9"}',
    });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(JSON.parse(done.output as string)).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    expect(park.tokens).toHaveLength(2);
    expect(park.tokens[0]).not.toBe(park.tokens[1]);
    await runtime.close();
  });

  it('fails the task when the handler itself throws before anyone answers', async () => {
    const { runtime } = await harness(
      { StartAt: 'AwaitInputs', States: { AwaitInputs: awaitInputs({ End: true }) } },
      {
        Park: async () => {
          throw new RangeError('No input owners configured.');
        },
      },
    );
    const { executionArn } = await runtime.startExecution({ name: 'cb-throws', input: '{"cycleId":"c-9"}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done).toMatchObject({ status: 'FAILED', error: 'RangeError' });
    await runtime.close();
  });

  it('StopExecution aborts the wait and closes its token', async () => {
    const park = parkingHandler();
    const { runtime } = await harness(
      { StartAt: 'AwaitInputs', States: { AwaitInputs: awaitInputs({ End: true }) } },
      { Park: park.handler },
    );
    const { executionArn } = await runtime.startExecution({ name: 'cb-stop', input: '{"cycleId":"c-9"}' });
    const token = await within(park.nextToken());
    const { stopDate } = await runtime.stopExecution(executionArn, {
      error: 'Cancelled',
      cause: 'Review moved.',
    });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'Review moved.', stopDate });
    await expect(runtime.sendTaskSuccess(token, '{}')).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    expect((await runtime.listExecutions({ statusFilter: 'ABORTED' })).map((e) => e.name)).toEqual([
      'cb-stop',
    ]);
    expect(await runtime.listExecutions({ statusFilter: 'RUNNING' })).toEqual([]);
    await runtime.close();
  });
});
