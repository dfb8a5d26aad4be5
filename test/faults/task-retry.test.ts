/**
 * A handler that throws once and then succeeds, on the synthesized state machine definition run by
 * the local runtime: the definition's Retry (not the test) runs it again after its backoff, on the
 * runtime's clock, and the cycle goes on as if nothing happened: no failure recorded, every input
 * request sent once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MailServiceUnavailable } from '#shared/adapters/ses-mailer.ts';
import { inputOwners } from '#shared/programme/queries.ts';
import { importHandlerFrom } from '#infra/local/stepfunctions/index.ts';
import { repoRoot } from '#infra/local/stepfunctions/runtime.ts';
import { startLocalWorkflow, synthesizeTemplate, type LocalWorkflow } from '#infra/local/workflow.ts';
import { localStack } from '#test/support/local-stack.ts';
import { faultWorld } from './support.ts';

let workflow: LocalWorkflow | undefined;
afterAll(async () => {
  await workflow?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a task that fails once', () => {
  it('is retried by the definition and the cycle goes on, with nothing recorded as failed or sent twice', async () => {
    const w = await faultWorld('fault-retry');
    const info = localStack();
    const calls: string[] = [];
    const importHandler = importHandlerFrom(repoRoot);
    workflow = await startLocalWorkflow({
      stack: { ...info, tableName: w.tableName, env: { ...info.env, TABLE_NAME: w.tableName } },
      programme: w.programme,
      templatePath: synthesizeTemplate(w.programme),
      speed: 1,
      start: w.start,
      resolveHandler: async (logicalId, entry) => {
        const handler = await importHandler(logicalId, entry);
        if (entry !== 'functions/request-inputs.ts') return handler;
        return async (event, context) => {
          calls.push(new Date().toISOString());
          if (calls.length === 1)
            throw new MailServiceUnavailable('SES could not take the message now (injected)');
          return handler(event, context);
        };
      },
    });
    const { clock } = workflow;
    const { executionArn } = await workflow.runtime.startExecution({
      name: w.cycleId,
      input: JSON.stringify({
        programmeId: w.programme.organisation.id,
        type: 'quarterly',
        scheduledTime: w.start.toISOString(),
        requestedBy: 'test',
      }),
    });

    // The retry waits on the runtime clock: move it on while the machine sleeps, until the second call.
    const simulatedStart = clock.now().getTime();
    await until('the retry', async () => {
      if (calls.length < 2 && clock.sleeping > 0) clock.advance(1_000);
      return calls.length >= 2;
    });
    const waited = clock.now().getTime() - simulatedStart;
    expect(waited).toBeLessThanOrEqual(2_000 + 1_000); // FULL jitter on a 2 s interval, 1 s steps

    const cycle = await until('inputs requested', async () => {
      const found = await w.repo.getCycle(w.cycleId);
      return found?.phase === 'AWAITING_INPUTS' ? found : undefined;
    });
    expect(cycle.failure).toBeUndefined();
    expect(calls).toHaveLength(2);
    const keys = (await w.outbox.listSent(w.cycleId)).map((m) => m.key);
    expect(keys.sort()).toEqual(
      inputOwners(w.programme)
        .map(({ owner }) => `input-request:${owner.id}`)
        .sort(),
    );
    expect((await workflow.runtime.describeExecution(executionArn)).status).toBe('RUNNING');
  });
});
