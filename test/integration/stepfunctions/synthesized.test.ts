import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RuntimeClock } from '#infra/local/stepfunctions/clock.ts';
import type { LambdaHandler } from '#infra/local/stepfunctions/lambda.ts';
import { LocalStateMachineRuntime } from '#infra/local/stepfunctions/runtime.ts';
import { ExecutionStore } from '#infra/local/stepfunctions/store.ts';
import { loadDefinitionFromTemplate } from '#infra/local/stepfunctions/template.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { signal, until, within } from './support.ts';

/** The template CDK synthesizes for a small machine (see test/unit/stepfunctions/template.test.ts). */
const template = JSON.parse(
  readFileSync(new URL('../../fixtures/asl/cdk-lambda-tasks.template.json', import.meta.url), 'utf8'),
) as object;

describe('a CDK-synthesized definition', () => {
  it('runs with handlers found by their isms-review:entry, CDK retries and result selectors included', async () => {
    const { definition, functions } = loadDefinitionFromTemplate(template);
    const token = signal<string>();
    const byEntry: Record<string, LambdaHandler> = {
      'functions/open-cycle.ts': async (event) => ({
        cycleId: (event as { cycleId: string }).cycleId,
        phase: 'open',
      }),
      'functions/await-inputs.ts': async (event) => {
        token.resolve((event as { taskToken: string }).taskToken);
        return null;
      },
    };
    const resolved: string[] = [];
    const clock = new RuntimeClock({ speed: 1, start: new Date('2025-02-03T09:00:00Z') });
    const runtime = new LocalStateMachineRuntime({
      definition,
      functions,
      resolveHandler: async (logicalId, entry) => {
        resolved.push(`${logicalId} ${entry}`);
        const handler = entry ? byEntry[entry] : undefined;
        if (!handler) throw new Error(`no handler for ${logicalId}`);
        return handler;
      },
      clock,
      store: new ExecutionStore(await freshTable('sfn-synth')),
      publishClock: false,
    });
    const meetingAt = new Date(clock.now().getTime() + 14 * 86_400_000).toISOString();
    const { executionArn } = await runtime.startExecution({
      name: 'cycle-2025-q1',
      input: JSON.stringify({ cycleId: 'c-2025-q1', meetingAt }),
    });
    await runtime.sendTaskSuccess(await within(token.promise), '{"ignored":"ResultPath is null"}');
    // Now in WaitForMeeting: jump the clock past the meeting.
    await until(() => clock.sleeping > 0);
    clock.advance(15 * 86_400_000);
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    // Compile (payloadResponseOnly: function ARN) returns what open-cycle.ts returns for the state's input.
    expect(JSON.parse(done.output as string)).toEqual({ cycleId: 'c-2025-q1', phase: 'open' });
    expect((done.stopDate as Date).getTime()).toBeGreaterThanOrEqual(Date.parse(meetingAt));
    expect(resolved.map((line) => line.split(' ')[1])).toEqual([
      'functions/open-cycle.ts',
      'functions/await-inputs.ts',
    ]);
    await runtime.close();
  });
});
