import { describe, expect, it } from 'vitest';
import {
  LIBRARY_TASK_TIMEOUT_SECONDS,
  LOCAL_WAIT_RESOURCE,
  transformDefinition,
} from '#infra/local/stepfunctions/transform.ts';

const fnArn = 'arn:aws:lambda:local:000000000000:function:Fn';

describe('transformDefinition', () => {
  it('refuses what the local runtime cannot run faithfully', () => {
    const one = (state: object) => ({ StartAt: 'S', States: { S: state } });
    expect(() =>
      transformDefinition(one({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true })),
    ).toThrow(/Lambda tasks only/);
    expect(() => transformDefinition(one({ Type: 'Pass', Assign: { x: 1 }, End: true }))).toThrow(/Assign/);
    expect(() =>
      transformDefinition({ ...one({ Type: 'Pass', End: true }), QueryLanguage: 'JSONata' }),
    ).toThrow(/JSONata/);
    expect(() => transformDefinition(one({ Type: 'Wait', End: true }))).toThrow(/Seconds, Timestamp/);
    expect(() =>
      transformDefinition(
        one({ Type: 'Map', ItemReader: {}, ItemProcessor: { StartAt: 'I', States: {} }, End: true }),
      ),
    ).toThrow(/distributed map/);
    expect(() =>
      transformDefinition({
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }],
            End: true,
          },
        },
      }),
    ).toThrow(/used twice/);
  });

  it('moves Retry and timeouts of Lambda tasks into the plan and wraps their Parameters', () => {
    const retry = [{ ErrorEquals: ['TransientError'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 6 }];
    const original = {
      StartAt: 'Await',
      TimeoutSeconds: 86_400,
      States: {
        Await: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: fnArn,
            Payload: { 'token.$': '$$.Task.Token', 'id.$': '$$.Execution.Id' },
          },
          TimeoutSeconds: 3600,
          HeartbeatSecondsPath: '$.hb',
          Retry: retry,
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$', Next: 'Direct' }],
          ResultPath: '$',
          Next: 'Direct',
        },
        Direct: { Type: 'Task', Resource: fnArn, End: true },
      },
    };
    const snapshot = JSON.stringify(original);
    const plan = transformDefinition(original);
    expect(JSON.stringify(original)).toBe(snapshot);
    expect(plan.executionTimeoutSeconds).toBe(86_400);
    expect(plan.definition['TimeoutSeconds']).toBeUndefined();
    expect(plan.topLevelStates).toEqual(new Set(['Await', 'Direct']));
    expect(plan.tasks.get('Await')).toEqual({
      kind: 'lambda-callback',
      stateName: 'Await',
      retriers: retry,
      timeoutSeconds: 3600,
    });
    expect(plan.tasks.get('Direct')).toEqual({
      kind: 'lambda-direct',
      stateName: 'Direct',
      functionArn: fnArn,
      retriers: [],
    });
    const states = plan.definition['States'] as Record<string, Record<string, unknown>>;
    expect(states['Await']).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        payload: {
          FunctionName: fnArn,
          Payload: { 'token.$': '$$.Task.Token', 'id.$': '$$.__Execution.Id' },
        },
        'heartbeatSeconds.$': '$.hb',
      },
      TimeoutSeconds: LIBRARY_TASK_TIMEOUT_SECONDS,
      Catch: [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Next: 'Direct' }],
      Next: 'Direct',
    });
    expect(states['Direct']).toMatchObject({ Parameters: { 'payload.$': '$' } });
  });

  it('turns Wait states into local wait tasks, at every nesting level', () => {
    const plan = transformDefinition({
      StartAt: 'Par',
      States: {
        Par: {
          Type: 'Parallel',
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5 }],
          Branches: [
            {
              StartAt: 'Inner',
              States: {
                Inner: { Type: 'Wait', TimestampPath: '$$.Execution.Input.at', OutputPath: '$.x', End: true },
              },
            },
          ],
          Next: 'Zero',
        },
        Zero: { Type: 'Pass', Result: 0, End: true },
      },
    });
    expect(plan.waits).toEqual(new Set(['Inner']));
    expect(plan.topLevelStates).toEqual(new Set(['Par', 'Zero']));
    expect(plan.libraryRetries.get('Par')).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5 }]);
    const par = (
      plan.definition['States'] as Record<string, { Branches: { States: Record<string, unknown> }[] }>
    )['Par'];
    expect(par?.Branches[0]?.States['Inner']).toEqual({
      Type: 'Task',
      Resource: LOCAL_WAIT_RESOURCE,
      Parameters: { 'input.$': '$', 'timestamp.$': '$$.__Execution.Input.at' },
      TimeoutSeconds: LIBRARY_TASK_TIMEOUT_SECONDS,
      OutputPath: '$.x',
      End: true,
    });
    expect((plan.definition['States'] as Record<string, unknown>)['Zero']).toEqual({
      Type: 'Pass',
      Parameters: 0,
      End: true,
    });
  });
});
