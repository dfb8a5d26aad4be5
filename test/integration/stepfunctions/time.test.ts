import { describe, expect, it } from 'vitest';
import { harness, until, within } from './support.ts';

const DAY = 86_400_000;

describe('time on the runtime clock', () => {
  it('fails a Wait whose SecondsPath is not a non-negative integer, or whose TimestampPath is not a timestamp', async () => {
    const { runtime } = await harness(
      {
        StartAt: 'Choose',
        States: {
          Choose: {
            Type: 'Choice',
            Choices: [{ Variable: '$.bySeconds', BooleanEquals: true, Next: 'BySeconds' }],
            Default: 'ByTimestamp',
          },
          BySeconds: { Type: 'Wait', SecondsPath: '$.wait', End: true },
          ByTimestamp: { Type: 'Wait', TimestampPath: '$.at', End: true },
        },
      },
      {},
    );
    const bad = await runtime.startExecution({ name: 'bad-seconds', input: '{"bySeconds":true,"wait":-5}' });
    const badAt = await runtime.startExecution({
      name: 'bad-at',
      input: '{"bySeconds":false,"at":"next tuesday"}',
    });
    expect(await within(runtime.waitForExecution(bad.executionArn))).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
    });
    expect(await within(runtime.waitForExecution(badAt.executionArn))).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
    });
    await runtime.close();
  });

  it('Wait Seconds, SecondsPath and TimestampPath last their simulated time, not real time', async () => {
    // 10 simulated days per real second: the 5 simulated days below take about half a second.
    const { runtime, clock } = await harness(
      {
        StartAt: 'TwoDays',
        States: {
          TwoDays: { Type: 'Wait', Seconds: 2 * 86_400, Next: 'Mark1' },
          Mark1: { Type: 'Pass', Parameters: { 'at.$': '$.at', 'days.$': '$.days' }, Next: 'ByPath' },
          ByPath: { Type: 'Wait', SecondsPath: '$.days', Next: 'UntilAt' },
          UntilAt: { Type: 'Wait', TimestampPath: '$.at', OutputPath: '$.at', End: true },
        },
      },
      {},
      { speed: 10 * 86_400 },
    );
    const startedReal = Date.now();
    const start = clock.now().getTime();
    const at = new Date(start + 5 * DAY).toISOString();
    const { executionArn } = await runtime.startExecution({
      name: 'waits',
      input: JSON.stringify({ at, days: 86_400 }),
    });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output as string)).toBe(at);
    const simulated = (done.stopDate as Date).getTime() - start;
    expect(simulated).toBeGreaterThanOrEqual(5 * DAY);
    expect(simulated).toBeLessThan(5.5 * DAY);
    expect(Date.now() - startedReal).toBeLessThan(3_000);
    await runtime.close();
  });

  it('a jump of the clock (advance) wakes a Wait at once', async () => {
    const { runtime, clock } = await harness(
      { StartAt: 'AYear', States: { AYear: { Type: 'Wait', Seconds: 365 * 86_400, End: true } } },
      {},
      { speed: 1 },
    );
    const { executionArn } = await runtime.startExecution({ name: 'a-year', input: '{"k":1}' });
    await until(() => clock.sleeping > 0);
    expect((await runtime.describeExecution(executionArn)).status).toBe('RUNNING');
    clock.advance(366 * DAY);
    const done = await within(runtime.waitForExecution(executionArn), 2_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"k":1}' });
    await runtime.close();
  });

  it('times the whole execution out (TimeoutSeconds) as TIMED_OUT', async () => {
    const { runtime } = await harness(
      { StartAt: 'Long', TimeoutSeconds: 3600, States: { Long: { Type: 'Wait', Seconds: 7200, End: true } } },
      {},
      { speed: 3600 * 20 },
    );
    const { executionArn } = await runtime.startExecution({ name: 'too-long', input: '{}' });
    const done = await within(runtime.waitForExecution(executionArn));
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((done.stopDate as Date).getTime() - done.startDate.getTime()).toBeGreaterThanOrEqual(3600_000);
    await runtime.close();
  });
});
