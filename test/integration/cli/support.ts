/**
 * Running the CLI against the test run's local stack: a data folder whose stack.json describes
 * that stack (as `npm start` writes it), a fresh table per test through the TABLE_NAME override,
 * and a stand-in for the Step Functions API that records what it is sent.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '#shared/clock.ts';
import { localStack } from '#test/support/local-stack.ts';
import { main } from '../../../cli/main.ts';
import { capture, type Captured } from '../../unit/cli/capture.ts';

export interface StackFileOverrides {
  endpoints?: Partial<{ dynamodb: string; s3: string; ses: string; sfn: string }>;
  env?: Record<string, string>;
}

/** A temporary data folder with a stack.json for the test stack (owned by this process). */
export async function dataDirFor(
  overrides: StackFileOverrides = {},
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'isms-cli-it-'));
  const { REPLY_KEY: _secret, ...env } = localStack().env;
  const info = localStack();
  const file = {
    region: info.region,
    tableName: info.tableName,
    buckets: info.buckets,
    endpoints: { ...info.endpoints, ...overrides.endpoints },
    mailboxUrl: info.mailboxUrl,
    smtp: info.smtp,
    dataDir: dir,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    env: { ...env, ...overrides.env },
  };
  await writeFile(join(dir, 'stack.json'), JSON.stringify(file, null, 2));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number;
  out: Captured;
}

export async function cli(
  argv: string[],
  options: { env: Record<string, string>; clock?: Clock; json?: boolean },
): Promise<CliRun> {
  const out = capture(options.json ?? argv.includes('--json'));
  const code = await main(argv, out, {
    env: options.env,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { code, out };
}

/** A URL where nothing listens (a port that was free a moment ago). */
export async function deadEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface RecordedRequest {
  target: string;
  contentType: string;
  body: Record<string, unknown>;
}

/**
 * The Step Functions API as far as the CLI uses it (AWS JSON 1.0): StartExecution succeeds for a
 * new name and answers ExecutionAlreadyExists for a name seen before; ListExecutions lists them;
 * SendTaskSuccess succeeds.
 */
export async function sfnStub(): Promise<{
  endpoint: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const names = new Set<string>();
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      request.on('error', reject);
    });
  const server = createServer((request, response) => {
    void read(request).then((text) => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      requests.push({ target, contentType: String(request.headers['content-type'] ?? ''), body });
      const send = (status: number, value: unknown) => {
        response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(value));
      };
      const arn = String(body.stateMachineArn ?? '');
      if (target === 'AWSStepFunctions.StartExecution') {
        const name = String(body.name);
        if (names.has(name)) {
          send(400, { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${name}'` });
          return;
        }
        names.add(name);
        send(200, {
          executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`,
          startDate: Date.now() / 1000,
        });
      } else if (target === 'AWSStepFunctions.ListExecutions') {
        send(200, {
          executions: [...names].map((name) => ({
            executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${name}`,
            stateMachineArn: arn,
            name,
            status: 'RUNNING',
            startDate: Date.now() / 1000,
          })),
        });
      } else if (target === 'AWSStepFunctions.SendTaskSuccess') {
        send(200, {});
      } else {
        send(400, { __type: 'UnknownOperationException', message: `Unsupported operation ${target}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:000000000000:stateMachine:isms-review-cycle';
