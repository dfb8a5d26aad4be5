/**
 * The real local app (`npm start`: infra/local/app.ts) as a child process, for tests that kill and
 * restart it: its own data folder, free ports for every service, an accelerated clock.
 *
 *   const app = await startLocalApp({ dataDir, speed: 3600, templatePath });
 *   ...                      // talk to it through app.info (endpoints, table, SMTP)
 *   await app.kill();        // kill -9 of the app; DynamoDB Local then stopped in order
 *   const again = await startLocalApp({ dataDir, speed: 86_400, templatePath });
 *
 * The child runs in its own process group, so `kill()` ends exactly what it started and never
 * anything else.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, type DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import type { Clock } from '#shared/clock.ts';
import { LOCAL_CREDENTIALS } from '#infra/local/emulators/s3.ts';
import { stopInOrder } from '#infra/local/processes.ts';
import { readClockFile } from '#infra/local/stepfunctions/clock-file.ts';
import { repoRoot } from '#infra/local/stepfunctions/runtime.ts';
import type { LocalStackInfo } from '#infra/local/stack.ts';

export class LocalAppFailed extends Error {
  override name = 'LocalAppFailed' as const;
}

export interface LocalAppOptions {
  dataDir: string;
  /** Simulated milliseconds per real millisecond (ISMS_CLOCK_SPEED). */
  speed: number;
  /** A template synthesized for the programme (ISMS_TEMPLATE_FILE); saves the synth at each start. */
  templatePath?: string;
  programmeFile?: string;
  /** How long to wait for the app to be ready; default 60 s. */
  readyTimeoutMs?: number;
  /** More environment for the app (e.g. POWERTOOLS_LOG_LEVEL). */
  env?: Record<string, string>;
}

export interface LocalApp {
  readonly pid: number;
  /** What the app wrote to <dataDir>/stack.json, with the reply key. */
  readonly info: LocalStackInfo & { sfnEndpoint: string; stateMachineArn: string };
  /** Simulated time of the running app, read from <dataDir>/clock.json. */
  readonly clock: Clock;
  /** Everything the app printed (for a failure message). */
  output(): string;
  /**
   * A crash of the app: kill -9 of the app's process, then DynamoDB Local (its child, in its process
   * group) stopped in order with SIGTERM; resolves once both are gone. The database is a managed
   * service on AWS that keeps every write it acknowledged whatever happens to the function that made
   * it; DynamoDB Local does so only when stopped in order (killed with -9 while other requests are
   * in flight, it loses writes it has already acknowledged), so it is not killed with the app.
   * Safe to call after the app has died on its own (ISMS_LOCAL_CRASH_AFTER).
   */
  kill(): Promise<void>;
  /** Settles once the app has exited, however (e.g. killed by ISMS_LOCAL_CRASH_AFTER): with its signal. */
  readonly exited: Promise<NodeJS.Signals | null>;
}

interface StackFile extends Omit<LocalStackInfo, 'env'> {
  pid: number;
  env: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The simulated time of the app running on `dataDir` (its clock file continued at its speed). */
export function appClock(dataDir: string): Clock {
  return {
    now() {
      const saved = readClockFile(dataDir);
      if (!saved) throw new LocalAppFailed(`No clock in ${dataDir}: the app has not started there.`);
      return new Date(Math.floor(saved.simulatedMs + (Date.now() - saved.writtenAtMs) * saved.speed));
    },
  };
}

export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ISMS_DATA_DIR: options.dataDir,
    ISMS_PORT_DYNAMODB: '0',
    ISMS_PORT_SES: '0',
    ISMS_PORT_S3: '0',
    ISMS_PORT_SMTP: '0',
    ISMS_PORT_SFN: '0',
    ISMS_PORT_WEB: '0',
    ISMS_CLOCK_SPEED: String(options.speed),
    ISMS_PROGRAMME_FILE: options.programmeFile ?? 'programme.example.yaml',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...options.env,
  };
  if (options.templatePath) env.ISMS_TEMPLATE_FILE = options.templatePath;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/app.ts'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (data: Buffer) => chunks.push(data.toString('utf8')));
  child.stderr?.on('data', (data: Buffer) => chunks.push(data.toString('utf8')));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const output = () => chunks.join('');
  const pid = child.pid;
  if (pid === undefined) throw new LocalAppFailed('The local app did not start (no process id).');
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    // What is left of its process group: DynamoDB Local.
    await stopInOrder(-pid, 15_000);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new LocalAppFailed(`The local app exited before it was ready:\n${output()}`);
    }
    const file = await readStackFile(options.dataDir);
    if (file?.pid === pid && file.env.STATE_MACHINE_ARN && file.env.AWS_ENDPOINT_URL_SFN) {
      const key = (await readFile(join(options.dataDir, 'reply-key.hex'), 'utf8')).trim();
      const { pid: _pid, ...rest } = file;
      return {
        pid,
        info: {
          ...rest,
          env: { ...file.env, REPLY_KEY: key },
          sfnEndpoint: file.env.AWS_ENDPOINT_URL_SFN,
          stateMachineArn: file.env.STATE_MACHINE_ARN,
        },
        clock: appClock(options.dataDir),
        output,
        kill,
        exited,
      };
    }
    if (Date.now() > deadline) {
      await kill();
      throw new LocalAppFailed(`The local app was not ready in time:\n${output()}`);
    }
    await sleep(100);
  }
}

/** Clients of the running app's table (endpoints change at every start); destroy `client` when done. */
export function appStores(app: LocalApp): {
  client: DynamoDBClient;
  repo: DynamoDbRepository;
  outbox: DynamoOutboxStore;
} {
  const client = new DynamoDBClient({
    endpoint: app.info.endpoints.dynamodb,
    region: app.info.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const { tableName } = app.info;
  return {
    client,
    repo: new DynamoDbRepository({ client, tableName }),
    outbox: new DynamoOutboxStore({ client, tableName }),
  };
}

/** DescribeExecution of the execution named `name` (a cycle's id), through the app's Step Functions API. */
export async function describeExecution(app: LocalApp, name: string): Promise<DescribeExecutionOutput> {
  const sfn = new SFNClient({
    endpoint: app.info.sfnEndpoint,
    region: app.info.region,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const executionArn = `${app.info.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } finally {
    sfn.destroy();
  }
}

async function readStackFile(dataDir: string): Promise<StackFile | undefined> {
  try {
    return JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8')) as StackFile;
  } catch {
    // Not written yet, or being written.
    return undefined;
  }
}
