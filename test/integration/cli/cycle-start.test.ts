/**
 * `cycle start` sends StartExecution (AWS JSON 1.0) named by the cycle id with the programme's
 * next review, and reports a repeat as "already started" (exit 0). One cycle per programme, type and
 * period: a start later in the same period (from the CLI or the schedule's start-cycle) returns the
 * cycle that holds it. The Step Functions API is a recording stand-in; the programme and the period
 * claims are in DynamoDB Local.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { SfnWorkflow } from '#shared/adapters/sfn-workflow.ts';
import { FixedClock } from '#shared/clock.ts';
import { ProgrammeNotApplied } from '#shared/store/stored-programme.ts';
import { dynamoDbClient, freshTable, localStack } from '#test/support/local-stack.ts';
import { startScheduledCycle } from '#functions/start-cycle.ts';
import { cli, dataDirFor, sfnStub, STATE_MACHINE_ARN } from './support.ts';

let sfn: Awaited<ReturnType<typeof sfnStub>>;
let data: Awaited<ReturnType<typeof dataDirFor>>;
let env: Record<string, string>;
let tableName: string;
// 11:00 in London; the next scheduled review of valid-minimal.yaml is the quarterly one on 1 July.
const clock = new FixedClock(new Date('2026-05-10T10:00:00Z'));

beforeAll(async () => {
  sfn = await sfnStub();
});
afterAll(async () => {
  await sfn.close();
});
beforeEach(async () => {
  sfn.requests.length = 0;
  data = await dataDirFor({ endpoints: { sfn: sfn.endpoint }, env: { STATE_MACHINE_ARN } });
  const table = await freshTable('cli-start');
  table.client.destroy();
  tableName = table.tableName;
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName };
  expect(
    (await cli(['programme', 'apply', 'test/fixtures/programmes/valid-minimal.yaml'], { env })).code,
  ).toBe(0);
});
afterEach(async () => {
  await data.remove();
});

const starts = () => sfn.requests.filter((request) => request.target === 'AWSStepFunctions.StartExecution');

describe('cycle start', () => {
  it('starts the next scheduled review, named by the cycle id; a second start is "already started"', async () => {
    const first = await cli(['cycle', 'start', '--json'], { env, clock });
    expect(first.code).toBe(0);
    expect(first.out.result1()).toEqual({
      cycleId: 'C-20260510T1000Z-Q',
      programmeId: 'acme',
      type: 'quarterly',
      comprehensive: false,
      // The quarter the schedule opened on 1 April 09:00 London.
      period: 'acme#quarterly#20260401T0800Z',
      // 28 days later at the same local time.
      meeting: {
        utc: '2026-06-07T10:00:00Z',
        local: '2026-06-07 11:00',
        timeZone: 'Europe/London',
        fromSchedule: true,
      },
      alreadyStarted: false,
      executionArn: 'arn:aws:states:eu-west-1:000000000000:execution:isms-review-cycle:C-20260510T1000Z-Q',
    });
    const [request] = starts();
    expect(request?.contentType).toBe('application/x-amz-json-1.0');
    expect(request?.body).toEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'C-20260510T1000Z-Q',
      input: expect.any(String),
    });
    expect(JSON.parse(String(request?.body.input))).toEqual({
      programmeId: 'acme',
      type: 'quarterly',
      comprehensive: false,
      requestedBy: 'cli',
      scheduledTime: '2026-05-10T10:00:00.000Z',
    });

    const again = await cli(['cycle', 'start', '--json'], { env, clock });
    expect(again.code).toBe(0);
    expect(again.out.result1()).toMatchObject({ cycleId: 'C-20260510T1000Z-Q', alreadyStarted: true });
    const text = await cli(['cycle', 'start'], { env, clock });
    expect(text.code).toBe(0);
    expect(text.out.lines).toEqual([
      'cycle C-20260510T1000Z-Q already started; `isms-review cycle show C-20260510T1000Z-Q` shows it.',
    ]);
    expect(starts()).toHaveLength(3);
  });

  it('takes the type and the meeting (local time in the organisation zone) from the options', async () => {
    const run = await cli(['cycle', 'start', '--type', 'annual', '--meeting', '2026-06-15T14:00'], {
      env,
      clock,
    });
    expect(run.code).toBe(0);
    expect(run.out.lines[0]).toBe(
      'Started cycle C-20260510T1000Z-A: annual (comprehensive) review of acme, meeting 2026-06-15 14:00 Europe/London.',
    );
    const [request] = starts();
    expect(request?.body.name).toBe('C-20260510T1000Z-A');
    expect(JSON.parse(String(request?.body.input))).toEqual({
      programmeId: 'acme',
      type: 'annual',
      comprehensive: true,
      meetingAt: '2026-06-15T13:00:00.000Z',
      requestedBy: 'cli',
      scheduledTime: '2026-05-10T10:00:00.000Z',
    });
  });

  it('refuses a meeting too soon for the input deadline (exit 2) and sends nothing', async () => {
    const run = await cli(['cycle', 'start', '--meeting', '2026-05-12'], { env, clock });
    expect(run.code).toBe(2);
    expect(run.out.errors[0]).toMatch(/leaves no time for inputs: they are due 10 days before the meeting/);
    expect(starts()).toHaveLength(0);
  });

  it('a programme never applied: exit 1 with what to do, nothing sent', async () => {
    const run = await cli(['cycle', 'start', '--programme', 'other-org'], { env, clock });
    expect(run.code).toBe(1);
    expect(run.out.errors[0]).toBe(
      'ProgrammeNotApplied: programme other-org has not been applied: run `isms-review programme apply <file>` first',
    );
    expect(starts()).toHaveLength(0);
  });

  it('without the local workflow runtime: exit 1, saying so', async () => {
    const bare = await dataDirFor();
    try {
      const run = await cli(['cycle', 'start', '--programme', 'acme'], {
        env: { ...env, ISMS_DATA_DIR: bare.dir },
        clock,
      });
      expect(run.code).toBe(1);
      expect(run.out.errors[0]).toMatch(/^MissingSetting: the local workflow runtime is not running/);
    } finally {
      await bare.remove();
    }
    expect(starts()).toHaveLength(0);
  });
});

describe('one cycle per programme, type and period', () => {
  const at = (iso: string) => new FixedClock(new Date(iso));
  const started = () => starts().map((request) => String(request.body.name));

  /** The schedule's target, as EventBridge Scheduler invokes it, on this test's table and stand-in. */
  async function fireSchedule(scheduledTime: string, type = 'quarterly') {
    const dynamo = dynamoDbClient();
    const sfnClient = new SFNClient({
      endpoint: sfn.endpoint,
      region: localStack().region,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      return await startScheduledCycle(
        {
          starter: new SfnWorkflow(sfnClient),
          repo: new DynamoDbRepository({ client: dynamo, tableName }),
          clock: at(scheduledTime),
          env: { PROGRAMME_ID: 'acme', STATE_MACHINE_ARN },
        },
        { type, comprehensive: false, scheduledTime, requestedBy: 'schedule' },
      );
    } finally {
      dynamo.destroy();
      sfnClient.destroy();
    }
  }

  it('refuses a schedule start for a programme never applied, starting nothing', async () => {
    await expect(
      startScheduledCycle(
        {
          starter: { startCycle: () => Promise.reject(new Error('must not start')) },
          repo: new DynamoDbRepository({ client: dynamoDbClient(), tableName }),
          clock: at('2026-07-01T08:00:00Z'),
          env: { PROGRAMME_ID: 'nobody', STATE_MACHINE_ARN },
        },
        { type: 'quarterly', scheduledTime: '2026-07-01T08:00:00Z' },
      ),
    ).rejects.toThrow(ProgrammeNotApplied);
    await expect(
      startScheduledCycle(
        {
          starter: { startCycle: () => Promise.reject(new Error('must not start')) },
          repo: new DynamoDbRepository({ client: dynamoDbClient(), tableName }),
          clock: at('2026-07-01T08:00:00Z'),
          env: { PROGRAMME_ID: 'acme', STATE_MACHINE_ARN },
        },
        { type: 'weekly', scheduledTime: '2026-07-01T08:00:00Z' },
      ),
    ).rejects.toThrow(/expected type quarterly, semiannual or annual/);
    expect(starts()).toHaveLength(0);
  });

  it('CLI twice in one quarter: the second start returns the first cycle; the next quarter makes a new one', async () => {
    const first = await cli(['cycle', 'start', '--type', 'quarterly', '--json'], {
      env,
      clock: at('2026-05-11T10:00:00Z'),
    });
    expect(first.out.result1()).toMatchObject({ cycleId: 'C-20260511T1000Z-Q', alreadyStarted: false });

    // Three weeks later, still in the quarter that opened on 1 April.
    const second = await cli(['cycle', 'start', '--type', 'quarterly'], {
      env,
      clock: at('2026-05-31T12:30:00Z'),
    });
    expect(second.code).toBe(0);
    expect(second.out.lines).toEqual([
      'cycle C-20260511T1000Z-Q already started; `isms-review cycle show C-20260511T1000Z-Q` shows it.',
      'It holds this quarterly period of the schedule, which opened 2026-04-01 09:00 Europe/London: one cycle per period, so no second one was started.',
    ]);
    const json = await cli(['cycle', 'start', '--type', 'quarterly', '--json'], {
      env,
      clock: at('2026-06-30T22:59:00Z'),
    });
    // The meeting is the first cycle's, not one counted from the later start.
    expect(json.out.result1()).toMatchObject({
      cycleId: 'C-20260511T1000Z-Q',
      period: 'acme#quarterly#20260401T0800Z',
      alreadyStarted: true,
      meeting: { utc: '2026-06-08T10:00:00Z', fromSchedule: true },
    });
    // Every start named the first cycle's execution, with its own input: nothing new can start.
    expect(new Set(started())).toEqual(new Set(['C-20260511T1000Z-Q']));
    expect(new Set(starts().map((request) => request.body.input)).size).toBe(1);

    // 1 July 09:00 London opens the next quarter.
    const next = await cli(['cycle', 'start', '--type', 'quarterly', '--json'], {
      env,
      clock: at('2026-07-01T08:30:00Z'),
    });
    expect(next.out.result1()).toMatchObject({
      cycleId: 'C-20260701T0830Z-Q',
      period: 'acme#quarterly#20260701T0800Z',
      alreadyStarted: false,
    });
    // Another type keeps its own period.
    const annual = await cli(['cycle', 'start', '--type', 'annual', '--json'], {
      env,
      clock: at('2026-07-01T09:30:00Z'),
    });
    expect(annual.out.result1()).toMatchObject({
      cycleId: 'C-20260701T0930Z-A',
      period: 'acme#annual#20251001T0800Z',
      alreadyStarted: false,
    });
  });

  it('the schedule fired twice with different scheduled times in one period starts one cycle', async () => {
    const first = await fireSchedule('2026-07-01T08:00:00.000Z');
    expect(first).toMatchObject({
      cycleId: 'C-20260701T0800Z-Q',
      started: true,
      existing: false,
      period: 'acme#quarterly#20260701T0800Z',
    });
    // A redelivery five minutes late, and one a week later: the same cycle, the same execution.
    const late = await fireSchedule('2026-07-01T08:05:00.000Z');
    const later = await fireSchedule('2026-07-08T08:00:00.000Z');
    for (const repeat of [late, later]) {
      expect(repeat).toMatchObject({ cycleId: 'C-20260701T0800Z-Q', started: false, existing: true });
      expect(repeat.input).toEqual(first.input);
    }
    expect(started()).toEqual(['C-20260701T0800Z-Q', 'C-20260701T0800Z-Q', 'C-20260701T0800Z-Q']);

    // The CLI in that period gets the schedule's cycle too.
    const manual = await cli(['cycle', 'start', '--type', 'quarterly', '--json'], {
      env,
      clock: at('2026-08-15T09:00:00Z'),
    });
    expect(manual.out.result1()).toMatchObject({ cycleId: 'C-20260701T0800Z-Q', alreadyStarted: true });

    // The next occurrence of the quarterly cron (1 January; October is the annual's) opens a new period.
    const january = await fireSchedule('2027-01-01T09:00:00.000Z');
    expect(january).toMatchObject({
      cycleId: 'C-20270101T0900Z-Q',
      started: true,
      existing: false,
      period: 'acme#quarterly#20270101T0900Z',
    });
  });

  it('two starts racing for one period: one claim wins and both name its cycle', async () => {
    const [a, b] = await Promise.all([
      fireSchedule('2027-04-01T08:00:00.000Z'),
      fireSchedule('2027-04-01T08:01:00.000Z'),
    ]);
    expect(a.cycleId).toBe(b.cycleId);
    expect([a.existing, b.existing].sort()).toEqual([false, true]);
    expect(new Set(started())).toEqual(new Set([a.cycleId]));
  });
});
