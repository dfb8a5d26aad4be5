/**
 * `status` against the real emulators: all ready → exit 0; an endpoint that is down, a table or
 * bucket that is missing, or no workflow runtime → FAIL lines with the reason, exit 1, in seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '#test/support/local-stack.ts';
import { cli, dataDirFor, deadEndpoint, sfnStub, STATE_MACHINE_ARN } from './support.ts';

type StatusJson = { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };

let sfn: Awaited<ReturnType<typeof sfnStub>>;
let tableName: string;

beforeAll(async () => {
  sfn = await sfnStub();
  const table = await freshTable('cli-status');
  tableName = table.tableName;
  table.client.destroy();
});
afterAll(async () => {
  await sfn.close();
});

async function status(overrides: Parameters<typeof dataDirFor>[0], env: Record<string, string> = {}) {
  const data = await dataDirFor(overrides);
  try {
    const started = Date.now();
    const text = await cli(['status'], { env: { ISMS_DATA_DIR: data.dir, ...env } });
    const json = await cli(['status', '--json'], { env: { ISMS_DATA_DIR: data.dir, ...env } });
    return { text, json: json.out.result1<StatusJson>(), code: json.code, ms: Date.now() - started };
  } finally {
    await data.remove();
  }
}

describe('status', () => {
  it('every part ready: one ok line per check, exit 0', async () => {
    const { text, json, code } = await status(
      { endpoints: { sfn: sfn.endpoint }, env: { STATE_MACHINE_ARN } },
      { TABLE_NAME: tableName },
    );
    expect(code).toBe(0);
    expect(text.code).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.checks.map((check) => check.name)).toEqual([
      `table ${tableName}`,
      'raw mail bucket isms-review-raw-mail',
      'evidence bucket isms-review-evidence',
      'mail (SES)',
      'state machine',
    ]);
    expect(text.out.lines[0]).toMatch(/^Backend: local stack on .* \(pid \d+\)$/);
    expect(text.out.lines.slice(1, 6).every((line) => line.startsWith('ok    '))).toBe(true);
    expect(text.out.lines.at(-1)).toBe('Ready.');
    expect(json.checks[0]!.detail).toBe('ACTIVE with indexes gsi1, gsi2');
    expect(json.checks[4]!.detail).toMatch(/^local workflow runtime answers at http:\/\/127\.0\.0\.1:\d+/);
    const listed = sfn.requests.find((request) => request.target === 'AWSStepFunctions.ListExecutions');
    expect(listed?.body).toEqual({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1 });
  });

  it('DynamoDB and SES down, no workflow runtime: FAIL with the reason for each, exit 1, quickly', async () => {
    const { text, json, code, ms } = await status({
      endpoints: { dynamodb: await deadEndpoint(), ses: await deadEndpoint() },
    });
    expect(code).toBe(1);
    expect(text.code).toBe(1);
    const byName = Object.fromEntries(json.checks.map((check) => [check.name.split(' ')[0], check]));
    expect(byName.table).toMatchObject({
      ok: false,
      detail: 'connection refused (ECONNREFUSED): nothing listens there',
    });
    expect(byName.mail).toMatchObject({
      ok: false,
      detail: 'connection refused (ECONNREFUSED): nothing listens there',
    });
    expect(byName.state).toMatchObject({
      ok: false,
      detail: expect.stringContaining('the local workflow runtime is not running'),
    });
    // The buckets were reachable and are reported as such.
    expect(json.checks.filter((check) => check.ok).map((check) => check.name)).toEqual([
      'raw mail bucket isms-review-raw-mail',
      'evidence bucket isms-review-evidence',
    ]);
    expect(text.out.lines.at(-1)).toBe('3 check(s) failed.');
    expect(ms).toBeLessThan(15_000);
  });

  it('a table or bucket that does not exist is a FAIL naming it', async () => {
    const { json, code } = await status(
      { endpoints: { sfn: sfn.endpoint } },
      { TABLE_NAME: 'no-such-table', RAW_MAIL_BUCKET: 'no-such-bucket' },
    );
    expect(code).toBe(1);
    expect(json.checks[0]).toMatchObject({
      name: 'table no-such-table',
      ok: false,
      detail: expect.stringMatching(/ResourceNotFoundException/),
    });
    expect(json.checks[1]).toEqual({
      name: 'raw mail bucket no-such-bucket',
      ok: false,
      detail: 'bucket no-such-bucket does not exist',
    });
  });
});
