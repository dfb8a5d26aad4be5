import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidScheduleResource,
  LocalScheduler,
  scheduledEvent,
  schedulesFromTemplate,
  type LocalSchedule,
} from '#infra/local/scheduler.ts';
import { RuntimeClock } from '#infra/local/stepfunctions/clock.ts';

const template = (schedule: Record<string, unknown>, target: Record<string, unknown> = {}) => ({
  Resources: {
    StartCycleFn: {
      Type: 'AWS::Lambda::Function',
      Metadata: { 'isms-review:entry': 'functions/start-cycle.ts' },
      ...target,
    },
    Review1: {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        Name: 'IsmsReview-1-quarterly',
        ScheduleExpression: 'cron(0 9 1 1,4,7 ? *)',
        ScheduleExpressionTimezone: 'Europe/London',
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': ['StartCycleFn', 'Arn'] },
          Input: '{"type":"quarterly","scheduledTime":"<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 10 },
        },
        ...schedule,
      },
    },
  },
});

describe('reading schedules from the synthesized template', () => {
  it('rejects what the local scheduler cannot run, naming the resource', () => {
    expect(() => schedulesFromTemplate({})).toThrow(InvalidScheduleResource);
    expect(() => schedulesFromTemplate(template({ ScheduleExpression: 'rate(5 minutes)' }))).toThrow(
      /schedule Review1: Properties\.ScheduleExpression: expected a cron\(\.\.\.\) expression/,
    );
    expect(() => schedulesFromTemplate(template({}, { Type: 'AWS::SQS::Queue' }))).toThrow(
      /Review1 targets StartCycleFn, which is not a function of the template/,
    );
    expect(() =>
      schedulesFromTemplate(template({ Target: { Arn: 'arn:aws:lambda:eu-west-1:1:function:x' } })),
    ).toThrow(/schedule Review1: Properties\.Target\.Arn/);
  });

  it('reads expression, zone, state, target, input and retry policy', () => {
    expect(schedulesFromTemplate(template({}))).toEqual([
      {
        logicalId: 'Review1',
        name: 'IsmsReview-1-quarterly',
        cron: 'cron(0 9 1 1,4,7 ? *)',
        timeZone: 'Europe/London',
        enabled: true,
        targetLogicalId: 'StartCycleFn',
        entry: 'functions/start-cycle.ts',
        input: '{"type":"quarterly","scheduledTime":"<aws.scheduler.scheduled-time>"}',
        maximumRetryAttempts: 10,
      },
    ]);
    expect(schedulesFromTemplate(template({ State: 'DISABLED' }))[0]?.enabled).toBe(false);
  });

  it('puts the occurrence in place of the scheduled-time placeholder, as the scheduler does', () => {
    const [schedule] = schedulesFromTemplate(template({}));
    expect(scheduledEvent(schedule!, new Date('2027-04-01T08:00:00.000Z'))).toEqual({
      type: 'quarterly',
      scheduledTime: '2027-04-01T08:00:00Z',
    });
  });
});

describe('firing on the runtime clock', () => {
  let scheduler: LocalScheduler | undefined;
  afterEach(async () => {
    await scheduler?.close();
    scheduler = undefined;
  });

  const daily: LocalSchedule = {
    logicalId: 'Daily',
    name: 'daily',
    cron: 'cron(0 9 * * ? *)',
    timeZone: 'Europe/London',
    enabled: true,
    targetLogicalId: 'Fn',
    entry: 'functions/start-cycle.ts',
    input: '{"scheduledTime":"<aws.scheduler.scheduled-time>"}',
    maximumRetryAttempts: 2,
  };

  async function stepUntil(clock: RuntimeClock, done: () => boolean, stepMs = 3_600_000): Promise<void> {
    for (let i = 0; i < 500 && !done(); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (clock.sleeping > 0) clock.advance(stepMs);
    }
    expect(done()).toBe(true);
  }

  it('fires at 09:00 London time on each side of the clocks going forward', async () => {
    const clock = new RuntimeClock({ speed: 1, start: new Date('2027-03-26T12:00:00Z') });
    const fired: unknown[] = [];
    scheduler = new LocalScheduler({
      schedules: [daily, { ...daily, name: 'off', enabled: false }],
      clock,
      resolveHandler: async () => async (event) => {
        fired.push(event);
        return { ok: true };
      },
    });
    scheduler.start();
    await stepUntil(clock, () => fired.length >= 3);
    expect(fired.slice(0, 3)).toEqual([
      { scheduledTime: '2027-03-27T09:00:00Z' }, // GMT
      { scheduledTime: '2027-03-28T08:00:00Z' }, // BST from 01:00 UTC that day
      { scheduledTime: '2027-03-29T08:00:00Z' },
    ]);
    expect(scheduler.describe()).toEqual([
      expect.stringMatching(
        /^daily cron\(0 9 \* \* \? \*\) Europe\/London \(next 2027-03-\d\dT08:00:00\.000Z\)$/,
      ),
      'off cron(0 9 * * ? *) Europe/London (disabled)',
    ]);
  });

  it('retries a failing target with backoff and dead-letters it after the last attempt', async () => {
    const clock = new RuntimeClock({ speed: 1, start: new Date('2027-01-01T00:00:00Z') });
    const lines: string[] = [];
    let calls = 0;
    scheduler = new LocalScheduler({
      schedules: [],
      clock,
      retryBaseMs: 1000,
      log: (line) => lines.push(line),
      resolveHandler: async () => async () => {
        calls += 1;
        if (calls < 3) throw new Error('throttled');
        return 'started';
      },
    });
    const delivered = scheduler.fire(daily, new Date('2027-01-01T09:00:00Z'));
    await stepUntil(clock, () => calls >= 3, 1000);
    await expect(delivered).resolves.toBe('delivered');

    calls = -100; // always fails from here
    const lost = scheduler.fire(daily, new Date('2027-01-02T09:00:00Z'));
    await stepUntil(clock, () => lines.some((line) => line.includes('dead-lettered')), 1000);
    await expect(lost).resolves.toBe('dead-lettered');
    expect(lines.filter((line) => line.includes('2027-01-02') && line.includes('retrying'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(
      /daily for 2027-01-02T09:00:00.000Z dead-lettered after 3 attempts: Error: throttled/,
    );
  });
});
