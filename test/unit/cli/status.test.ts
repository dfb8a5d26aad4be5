/**
 * `status` on AWS, with the SDK clients mocked (no AWS call leaves this process): each check
 * fails with its own reason, a missing setting fails without any call, and the exit code and
 * --json shape follow the checks. The local checks run against real emulators in
 * test/integration/cli/status.test.ts.
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { GetSendQuotaCommand, SESClient } from '@aws-sdk/client-ses';
import { DescribeStateMachineCommand, SFNClient, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT_VARIABLES } from '../../../cli/backend.ts';
import { formatChecks, reason, tableProblems } from '../../../cli/commands/status.ts';
import { main } from '../../../cli/main.ts';
import { tableDesign } from '#shared/store/table-design.ts';
import { capture } from './capture.ts';

const dynamo = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const ses = mockClient(SESClient);
const sfn = mockClient(SFNClient);
const saved = { ...process.env };

const AWS_ENV = {
  ISMS_BACKEND: 'aws',
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'prod-table',
  RAW_MAIL_BUCKET: 'prod-raw',
  EVIDENCE_BUCKET: 'prod-evidence',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:review-cycle',
};

const activeTable = {
  TableStatus: 'ACTIVE',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: tableDesign.globalSecondaryIndexes.map((index) => ({
    IndexName: index.indexName,
    IndexStatus: 'ACTIVE',
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
    ],
  })),
} as const;

function allHealthy() {
  dynamo.on(DescribeTableCommand).resolves({ Table: structuredClone(activeTable) as never });
  s3.on(HeadBucketCommand).resolves({});
  ses.on(GetSendQuotaCommand).resolves({ Max24HourSend: 50_000, SentLast24Hours: 12, MaxSendRate: 14 });
  sfn.on(DescribeStateMachineCommand).resolves({ name: 'review-cycle', status: 'ACTIVE' } as never);
}

async function status(env: Record<string, string> = AWS_ENV) {
  const out = capture(true);
  const code = await main(['status', '--json'], out, { env });
  return {
    code,
    result: out.result1<{ ok: boolean; checks: { name: string; ok: boolean; detail: string }[] }>(),
  };
}

beforeEach(() => {
  for (const mock of [dynamo, s3, ses, sfn]) mock.reset();
});
afterEach(() => {
  for (const name of CONTRACT_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('status on AWS', () => {
  it('a table that does not exist fails that check alone, and the exit code is 1', async () => {
    allHealthy();
    dynamo.on(DescribeTableCommand).rejects(
      new ResourceNotFoundException({
        message: 'Requested resource not found: Table: prod-table not found',
        $metadata: {},
      }),
    );
    const { code, result } = await status();
    expect(code).toBe(1);
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ['table prod-table', false],
      ['raw mail bucket prod-raw', true],
      ['evidence bucket prod-evidence', true],
      ['mail (SES)', true],
      ['state machine', true],
    ]);
    expect(result.checks[0]!.detail).toBe(
      'ResourceNotFoundException: Requested resource not found: Table: prod-table not found',
    );
  });

  it('a bucket that is missing or forbidden says which', async () => {
    allHealthy();
    const http = (status: number) =>
      new S3ServiceException({
        name: status === 404 ? 'NotFound' : 'Forbidden',
        $fault: 'client',
        $metadata: { httpStatusCode: status },
      });
    s3.on(HeadBucketCommand, { Bucket: 'prod-raw' }).rejects(http(404));
    s3.on(HeadBucketCommand, { Bucket: 'prod-evidence' }).rejects(http(403));
    const { result } = await status();
    expect(result.checks[1]).toEqual({
      name: 'raw mail bucket prod-raw',
      ok: false,
      detail: 'bucket prod-raw does not exist',
    });
    expect(result.checks[2]).toEqual({
      name: 'evidence bucket prod-evidence',
      ok: false,
      detail: 'no access to bucket prod-evidence (403)',
    });
  });

  it('a state machine that is gone, or being deleted, fails', async () => {
    allHealthy();
    sfn
      .on(DescribeStateMachineCommand)
      .rejectsOnce(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
    expect((await status()).result.checks[4]).toEqual({
      name: 'state machine',
      ok: false,
      detail: 'StateMachineDoesNotExist: State Machine Does Not Exist',
    });
    sfn.on(DescribeStateMachineCommand).resolves({ name: 'review-cycle', status: 'DELETING' } as never);
    expect((await status()).result.checks[4]!.detail).toBe('state machine is DELETING');
  });

  it('missing settings fail with the stack output to use, without calling AWS', async () => {
    ses.on(GetSendQuotaCommand).resolves({ Max24HourSend: 200, SentLast24Hours: 0 });
    const { code, result } = await status({ ISMS_BACKEND: 'aws', AWS_REGION: 'eu-west-1' });
    expect(code).toBe(1);
    expect(result.checks.map((c) => c.detail)).toEqual([
      'MissingSetting: TABLE_NAME is not set: set it to the stack output TableName of the deployed stack',
      'MissingSetting: RAW_MAIL_BUCKET is not set: set it to the stack output RawMailBucketName of the deployed stack',
      'MissingSetting: EVIDENCE_BUCKET is not set: set it to the stack output EvidenceBucketName of the deployed stack',
      'sending quota 200 per 24 h, 0 sent in the last 24 h',
      'MissingSetting: STATE_MACHINE_ARN is not set: set it to the stack output StateMachineArn of the deployed stack',
    ]);
    expect(dynamo.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('all passing: exit 0, what each check saw', async () => {
    allHealthy();
    const { code, result } = await status();
    expect(code).toBe(0);
    expect(result).toMatchObject({
      ok: true,
      backend: { kind: 'aws', description: 'AWS eu-west-1, table prod-table' },
    });
    expect(result.checks.map((c) => c.detail)).toEqual([
      'ACTIVE with indexes gsi1, gsi2',
      'exists',
      'exists',
      'sending quota 50000 per 24 h, 12 sent in the last 24 h',
      'review-cycle is ACTIVE',
    ]);
    expect(dynamo.commandCalls(DescribeTableCommand)[0]!.args[0].input).toEqual({ TableName: 'prod-table' });
    expect(sfn.commandCalls(DescribeStateMachineCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: AWS_ENV.STATE_MACHINE_ARN,
    });
  });
});

describe('tableProblems', () => {
  it('names every difference from the design', () => {
    expect(tableProblems(undefined)).toEqual(['DescribeTable returned no table']);
    expect(
      tableProblems({
        TableStatus: 'CREATING',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            IndexStatus: 'CREATING',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          },
        ],
      }),
    ).toEqual([
      'table is CREATING, not ACTIVE',
      'table has keys id/?, expected pk/sk',
      'index gsi1 is CREATING',
      'index gsi2 is missing',
    ]);
    expect(tableProblems(structuredClone(activeTable) as never)).toEqual([]);
  });
});

describe('formatting', () => {
  it('one aligned line per check', () => {
    expect(
      formatChecks([
        { name: 'table t', ok: true, detail: 'ACTIVE' },
        { name: 'state machine', ok: false, detail: 'connection refused' },
      ]),
    ).toEqual(['ok    table t        ACTIVE', 'FAIL  state machine  connection refused']);
  });

  it('a refused connection and a timeout read as such', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(reason(refused)).toBe('connection refused (ECONNREFUSED): nothing listens there');
    // What fetch throws: the socket error is the cause.
    expect(reason(new TypeError('fetch failed', { cause: refused }))).toBe(
      'connection refused (ECONNREFUSED): nothing listens there',
    );
    expect(reason(new AggregateError([refused], ''))).toBe(
      'connection refused (ECONNREFUSED): nothing listens there',
    );
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    expect(reason(timeout)).toBe('no answer in time (The operation was aborted due to timeout)');
  });
});
