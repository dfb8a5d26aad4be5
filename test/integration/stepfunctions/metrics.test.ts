import { describe, expect, it } from 'vitest';
import { arn, harness, signal, TransientError, within } from './support.ts';

const invoke = (fn: string, extra: object = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: arn(fn), 'Payload.$': '$' },
  ResultPath: null,
  ...extra,
});

/**
 * Every kind of state transition AWS bills for a STANDARD workflow: plain states, a Lambda task
 * retried by the runtime, a Parallel state retried as a whole (its branches run again), the
 * iterations of a Map state and a callback task.
 */
const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: [1, 2, 3], ResultPath: '$.items', Next: 'Flaky' },
    Flaky: invoke('Flaky', {
      Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 2 }],
      Next: 'Both',
    }),
    Both: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Note', States: { Note: { Type: 'Pass', End: true } } },
        { StartAt: 'Once', States: { Once: invoke('Once', { End: true }) } },
      ],
      Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 1, MaxAttempts: 1 }],
      ResultPath: null,
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } },
      ResultPath: null,
      Next: 'Approve',
    },
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: arn('Ask'), Payload: { 'token.$': '$$.Task.Token' } },
      ResultPath: '$.approval',
      Next: 'Decide',
    },
    Decide: {
      Type: 'Choice',
      Choices: [{ Variable: '$.approval.ok', BooleanEquals: true, Next: 'Done' }],
      Default: 'Refused',
    },
    Done: { Type: 'Succeed' },
    Refused: { Type: 'Fail', Error: 'Refused' },
  },
};

describe('execution metrics', () => {
  it('counts state transitions as AWS bills them (retries and Parallel/Map states included) and Lambda invocations per function', async () => {
    let flakyFailures = 1;
    let onceFailures = 1;
    const tokens: { promise: Promise<string>; resolve: (token: string) => void }[] = [signal(), signal()];
    let asked = 0;
    const { runtime } = await harness(definition, {
      Flaky: async () => {
        if (flakyFailures-- > 0) throw new TransientError('Try again.');
        return {};
      },
      Once: async () => {
        if (onceFailures-- > 0) throw new TransientError('Branch failed.');
        return {};
      },
      Ask: async (event) => {
        tokens[asked++]?.resolve((event as { token: string }).token);
        return {};
      },
    });

    const first = await runtime.startExecution({ name: 'counted', input: '{}' });
    await runtime.sendTaskSuccess(await within(tokens[0]!.promise), '{"ok":true}');
    expect(await within(runtime.waitForExecution(first.executionArn))).toMatchObject({ status: 'SUCCEEDED' });

    const metrics = runtime.metrics(first.executionArn);
    // Prepare 1, Flaky 1, Both 1 + its branches twice (Note, Once) 4, Each 1 + three iterations 3,
    // Approve 1, Decide 1, Done 1.
    expect(metrics.statesEntered).toBe(14);
    // Flaky's second attempt (runtime Retry) and Both's second attempt (the library's Retry).
    expect(metrics.retries).toBe(2);
    expect(metrics.stateTransitions).toBe(16);
    expect(Object.keys(metrics.lambda).sort()).toEqual(['Ask', 'Flaky', 'Once']);
    expect(metrics.lambda['Flaky']).toMatchObject({ entry: 'functions/Flaky.ts', invocations: 2 });
    expect(metrics.lambda['Once']).toMatchObject({ entry: 'functions/Once.ts', invocations: 2 });
    expect(metrics.lambda['Ask']).toMatchObject({ entry: 'functions/Ask.ts', invocations: 1 });
    for (const figures of Object.values(metrics.lambda)) {
      expect(figures.durationMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(figures.durationMs)).toBe(true);
    }

    // A second execution is counted on its own: no failures this time, and it is refused.
    const second = await runtime.startExecution({ name: 'second', input: '{}' });
    await runtime.sendTaskSuccess(await within(tokens[1]!.promise), '{"ok":false}');
    expect(await within(runtime.waitForExecution(second.executionArn))).toMatchObject({ status: 'FAILED' });
    expect(runtime.metrics(second.executionArn)).toMatchObject({
      // Prepare, Flaky, Both + Note + Once, Each + 3 items, Approve, Decide, Refused.
      statesEntered: 12,
      retries: 0,
      stateTransitions: 12,
      lambda: {
        Flaky: { invocations: 1 },
        Once: { invocations: 1 },
        Ask: { invocations: 1 },
      },
    });
    // The first execution's figures did not move.
    expect(runtime.metrics(first.executionArn).stateTransitions).toBe(16);
    expect(() => runtime.metrics('arn:aws:states:local:000000000000:execution:local:never-started')).toThrow(
      expect.objectContaining({ name: 'ExecutionDoesNotExist' }),
    );
    await runtime.close();
  });
});
