/**
 * `cycle start` sends StartExecution (AWS JSON 1.0) named by the cycle id with the programme's
 * next review, and reports a repeat as "already started" (exit 0). The Step Functions API is a
 * recording stand-in; the programme is read from DynamoDB Local.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { cli, dataDirFor, sfnStub, STATE_MACHINE_ARN } from './support.ts';

let sfn: Awaited<ReturnType<typeof sfnStub>>;
let data: Awaited<ReturnType<typeof dataDirFor>>;
let env: Record<string, string>;
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
