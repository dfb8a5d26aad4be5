import { describe, expect, it } from 'vitest';
import {
  functionIdFrom,
  importHandlerFrom,
  LocalLambda,
  taskErrorFrom,
} from '#infra/local/stepfunctions/lambda.ts';
import { repoRoot } from '#infra/local/stepfunctions/runtime.ts';

describe('functionIdFrom', () => {
  it('reads the logical id from every form of FunctionName', () => {
    expect(functionIdFrom('arn:aws:lambda:local:000000000000:function:OpenCycle')).toBe('OpenCycle');
    expect(functionIdFrom('arn:aws:lambda:local:000000000000:function:OpenCycle:live')).toBe('OpenCycle');
    expect(functionIdFrom('000000000000:function:OpenCycle')).toBe('OpenCycle');
    expect(functionIdFrom('OpenCycle:3')).toBe('OpenCycle');
    expect(functionIdFrom('OpenCycle')).toBe('OpenCycle');
  });
});

describe('taskErrorFrom', () => {
  it('names the task error after err.name, with Lambda error JSON as cause', () => {
    class InputDeadlinePassed extends Error {
      override name = 'InputDeadlinePassed' as const;
    }
    const error = taskErrorFrom(new InputDeadlinePassed('Deadline was 2025-03-01.'));
    expect(error.name).toBe('InputDeadlinePassed');
    const cause = JSON.parse(error.message);
    expect(cause).toMatchObject({
      errorType: 'InputDeadlinePassed',
      errorMessage: 'Deadline was 2025-03-01.',
    });
    expect(Array.isArray(cause.trace)).toBe(true);
    expect(taskErrorFrom('plain string').name).toBe('Error');
    expect(JSON.parse(taskErrorFrom('plain string').message).errorMessage).toBe('plain string');
  });
});

describe('LocalLambda', () => {
  it('refuses an unknown function and a function without a handler entry', async () => {
    const lambda = new LocalLambda(new Map([['NoEntry', {}]]), importHandlerFrom(repoRoot));
    await expect(lambda.invoke('Missing', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
    });
    await expect(lambda.invoke('NoEntry', {})).rejects.toMatchObject({ name: 'HandlerNotFound' });
  });

  it('passes a JSON copy of the event and returns the JSON of the result', async () => {
    const seen: unknown[] = [];
    const lambda = new LocalLambda(
      new Map([['Fn', { entry: 'functions/fn.ts', timeoutSeconds: 10 }]]),
      async () => async (event, context) => {
        seen.push(event, context.functionName, context.getRemainingTimeInMillis() > 0);
        (event as { mutated?: boolean }).mutated = true;
        return { at: new Date('2025-01-01T00:00:00Z'), nothing: undefined };
      },
    );
    const payload = { a: 1 };
    expect(await lambda.invoke('arn:aws:lambda:local:000000000000:function:Fn', payload)).toEqual({
      at: '2025-01-01T00:00:00.000Z',
    });
    expect(payload).toEqual({ a: 1 });
    expect(seen).toEqual([{ a: 1, mutated: true }, 'Fn', true]);
    const undefinedResult = new LocalLambda(new Map([['Fn', {}]]), async () => async () => undefined);
    expect(await undefinedResult.invoke('Fn', null)).toBeNull();
    expect(LocalLambda.invokeResponse({ ok: true })).toMatchObject({
      Payload: { ok: true },
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
    });
  });
});
