/**
 * Choosing the backend and setting the runtime contract: stack.json is read and checked, a stale or
 * foreign file is refused with advice, names may be overridden from the environment, the
 * emulators' credentials and endpoints may not.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTRACT_VARIABLES,
  localContract,
  MissingSetting,
  NoLocalStack,
  readStackFile,
  rememberProgramme,
  requireSetting,
  resolveBackend,
  resolveProgrammeId,
  UnreadableStackFile,
  type StackFile,
} from '../../../cli/backend.ts';
import { UsageError } from '../../../cli/output.ts';

let dir: string;
const saved = { ...process.env };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'isms-backend-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const name of CONTRACT_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function aStackFile(overrides: Partial<StackFile> = {}): StackFile {
  return {
    pid: process.pid,
    region: 'eu-west-1',
    tableName: 'isms-review',
    buckets: { rawMail: 'raw', evidence: 'evidence' },
    endpoints: {
      dynamodb: 'http://127.0.0.1:8000',
      s3: 'http://127.0.0.1:4569',
      ses: 'http://127.0.0.1:8005',
    },
    env: {
      TABLE_NAME: 'isms-review',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      MAIL_FROM: 'isms-review@isms.example.org',
    },
    ...overrides,
  };
}

const writeStack = (value: unknown) => writeFile(join(dir, 'stack.json'), JSON.stringify(value));

/** A pid that is certainly not running: beyond the kernel's pid limit. */
const DEAD_PID = 2 ** 22 + 1;

describe('readStackFile', () => {
  it('no stack.json: no local stack is running', async () => {
    await expect(readStackFile(dir)).rejects.toThrow(NoLocalStack);
    await expect(readStackFile(dir)).rejects.toThrow(
      `no local stack is running: start it with \`npm start\` (no stack.json in ${dir})`,
    );
  });

  it('a stack.json whose process is gone is stale', async () => {
    await writeStack(aStackFile({ pid: DEAD_PID }));
    await expect(readStackFile(dir)).rejects.toThrow(
      new NoLocalStack(
        `no local stack is running: start it with \`npm start\` (the stack with pid ${DEAD_PID} has stopped; stack.json is stale in ${dir})`,
      ),
    );
  });

  it('a file that is not JSON, or not a stack file, is refused with the field at fault', async () => {
    await writeFile(join(dir, 'stack.json'), '{ not json');
    await expect(readStackFile(dir)).rejects.toThrow(UnreadableStackFile);
    await writeStack({
      ...aStackFile(),
      endpoints: { dynamodb: 'nowhere', s3: 'http://x', ses: 'http://y' },
    });
    await expect(readStackFile(dir)).rejects.toThrow(/endpoints\.dynamodb: expected an endpoint URL/);
  });

  it('reads a running stack', async () => {
    await writeStack(aStackFile());
    expect((await readStackFile(dir)).tableName).toBe('isms-review');
  });
});

describe('localContract', () => {
  it('takes everything from the stack file, with path-style S3', () => {
    const contract = localContract(aStackFile(), {});
    expect(contract).toMatchObject({
      TABLE_NAME: 'isms-review',
      RAW_MAIL_BUCKET: 'raw',
      EVIDENCE_BUCKET: 'evidence',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:8005',
      ISMS_S3_FORCE_PATH_STYLE: 'true',
      MAIL_FROM: 'isms-review@isms.example.org',
    });
    expect(contract.AWS_ENDPOINT_URL_SFN).toBeUndefined();
    expect(contract.STATE_MACHINE_ARN).toBeUndefined();
  });

  it('finds the workflow runtime under endpoints.sfn or in env, and the state machine in either place', () => {
    const a = localContract(
      aStackFile({
        endpoints: { ...aStackFile().endpoints, sfn: 'http://127.0.0.1:8083' },
        stateMachineArn: 'arn:a',
      }),
      {},
    );
    expect([a.AWS_ENDPOINT_URL_SFN, a.STATE_MACHINE_ARN]).toEqual(['http://127.0.0.1:8083', 'arn:a']);
    const b = localContract(
      aStackFile({ env: { AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9000', STATE_MACHINE_ARN: 'arn:b' } }),
      {},
    );
    expect([b.AWS_ENDPOINT_URL_SFN, b.STATE_MACHINE_ARN]).toEqual(['http://127.0.0.1:9000', 'arn:b']);
  });

  it('lets the environment override names, but not credentials, region or emulator endpoints', () => {
    const contract = localContract(aStackFile(), {
      TABLE_NAME: 'other-table',
      STATE_MACHINE_ARN: 'arn:override',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAREAL',
      AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamodb.us-east-1.amazonaws.com',
    });
    expect(contract.TABLE_NAME).toBe('other-table');
    expect(contract.STATE_MACHINE_ARN).toBe('arn:override');
    expect(contract.AWS_REGION).toBe('eu-west-1');
    expect(contract.AWS_ACCESS_KEY_ID).toBe('S3RVER');
    expect(contract.AWS_ENDPOINT_URL_DYNAMODB).toBe('http://127.0.0.1:8000');
  });
});

describe('resolveBackend', () => {
  it('locally sets the contract on process.env and clears what the stack does not name', async () => {
    await writeStack(aStackFile());
    await writeFile(join(dir, 'reply-key.hex'), `${'ab'.repeat(32)}\n`);
    process.env.AWS_ENDPOINT_URL_SFN = 'http://left-over:1';
    const backend = await resolveBackend({ 'data-dir': dir }, {});
    expect(backend.kind).toBe('local');
    expect(backend.description).toBe(`local stack on ${dir} (pid ${process.pid})`);
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe('http://127.0.0.1:8000');
    expect(process.env.REPLY_KEY).toBe('ab'.repeat(32));
    expect(process.env.AWS_ENDPOINT_URL_SFN).toBeUndefined();
  });

  it('the data folder comes from --data-dir, else ISMS_DATA_DIR', async () => {
    await writeStack(aStackFile());
    expect((await resolveBackend({}, { ISMS_DATA_DIR: dir })).dataDir).toBe(dir);
    await expect(resolveBackend({ 'data-dir': join(dir, 'nope') }, { ISMS_DATA_DIR: dir })).rejects.toThrow(
      NoLocalStack,
    );
  });

  it('on AWS takes the contract from the environment, and a missing name says which stack output to use', async () => {
    const backend = await resolveBackend(
      { backend: 'aws' },
      { TABLE_NAME: 'prod-table', AWS_REGION: 'eu-central-1' },
    );
    expect(backend).toMatchObject({ kind: 'aws', description: 'AWS eu-central-1, table prod-table' });
    expect(requireSetting(backend, 'TABLE_NAME')).toBe('prod-table');
    expect(() => requireSetting(backend, 'STATE_MACHINE_ARN')).toThrow(
      new MissingSetting(
        'STATE_MACHINE_ARN is not set: set it to the stack output StateMachineArn of the deployed stack',
      ),
    );
  });

  it('locally, a missing state machine means the workflow runtime is not running', async () => {
    await writeStack(aStackFile());
    const backend = await resolveBackend({ 'data-dir': dir }, {});
    expect(() => requireSetting(backend, 'STATE_MACHINE_ARN')).toThrow(
      /the local workflow runtime is not running/,
    );
  });
});

describe('the programme a command is about', () => {
  it('--programme wins over ISMS_PROGRAMME_ID, which wins over the one applied last', async () => {
    await writeStack(aStackFile());
    const backend = await resolveBackend({ 'data-dir': dir }, {});
    await expect(resolveProgrammeId(backend, {}, {})).rejects.toThrow(UsageError);
    await rememberProgramme(backend, 'acme', new Date('2026-05-01T10:00:00Z'));
    expect(JSON.parse(await readFile(join(dir, 'cli.json'), 'utf8'))).toEqual({
      programmeId: 'acme',
      appliedAt: '2026-05-01T10:00:00.000Z',
    });
    expect(await resolveProgrammeId(backend, {}, {})).toBe('acme');
    expect(await resolveProgrammeId(backend, {}, { ISMS_PROGRAMME_ID: 'beta' })).toBe('beta');
    expect(await resolveProgrammeId(backend, { programme: 'gamma' }, { ISMS_PROGRAMME_ID: 'beta' })).toBe(
      'gamma',
    );
  });

  it('on AWS nothing is remembered: the programme must be given', async () => {
    const backend = await resolveBackend({ backend: 'aws' }, {});
    await rememberProgramme(backend, 'acme', new Date());
    await expect(resolveProgrammeId(backend, {}, {})).rejects.toThrow(
      /--programme <id> or ISMS_PROGRAMME_ID/,
    );
  });
});
