import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadAppSetting, crashAfter } from '#infra/local/app.ts';
import type { ResolveHandler } from '#infra/local/stepfunctions/lambda.ts';

const template = JSON.parse(
  readFileSync(new URL('../../fixtures/asl/cdk-lambda-tasks.template.json', import.meta.url), 'utf8'),
) as object;

/** Resolves every function to a handler of its own, so a wrapped one can be told apart. */
const handlers = new Map<string, () => Promise<unknown>>();
const resolve: ResolveHandler = async (id) => {
  if (!handlers.has(id)) handlers.set(id, async () => id);
  return handlers.get(id)!;
};

describe('ISMS_LOCAL_CRASH_AFTER (crash tests only)', () => {
  it('rejects a target that is neither a Task state nor a function, naming it', () => {
    expect(() => crashAfter(resolve, 'RequestInputz', template)).toThrow(BadAppSetting);
    expect(() => crashAfter(resolve, 'RequestInputz', template)).toThrow(
      'ISMS_LOCAL_CRASH_AFTER must name a Task state of the state machine or a function, not "RequestInputz"',
    );
    // A state that is not a Task (a Wait) has no function to crash after.
    expect(() => crashAfter(resolve, 'WaitForMeeting', template)).toThrow(BadAppSetting);
  });

  it('wraps only the function of the named Task state (or entry name); every other handler is untouched', async () => {
    for (const target of ['AwaitInputs', 'await-inputs']) {
      const resolveWrapped = crashAfter(resolve, target, template);
      const other = await resolveWrapped('OpenCycleFnF18CA819', 'functions/open-cycle.ts');
      expect(other).toBe(handlers.get('OpenCycleFnF18CA819'));
      const wrapped = await resolveWrapped('AwaitInputsFn4E2B97AC', 'functions/await-inputs.ts');
      // Not called here: the wrapper's first return kills this process.
      expect(wrapped).not.toBe(handlers.get('AwaitInputsFn4E2B97AC'));
    }
  });
});
