/**
 * The local stack: real emulators standing in for the AWS services, on this machine only.
 *
 *   DynamoDB  DynamoDB Local (Java child process)        AWS_ENDPOINT_URL_DYNAMODB
 *   SES       aws-ses-v2-local (in process, mailbox page) AWS_ENDPOINT_URL_SES
 *   S3        s3rver (in process, path-style)             AWS_ENDPOINT_URL_S3
 *   inbound   smtp-server (in process) → raw mail bucket → onInbound
 *
 * The handlers find everything through the runtime environment contract (`env`), exactly as
 * on AWS; only the endpoints differ. The state machine runtime (infra/local/stepfunctions)
 * is started separately and adds AWS_ENDPOINT_URL_SFN and STATE_MACHINE_ARN.
 *
 * With `dataDir` the stack keeps its data (tables, objects, reply key, sent mail) between runs and
 * writes `<dataDir>/stack.json` while it runs; without it everything lives in memory or in
 * a temporary folder and is gone after stop().
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { startDynamoDb, type RunningDynamoDb } from './emulators/dynamodb.ts';
import { LOCAL_CREDENTIALS, startS3, type RunningS3 } from './emulators/s3.ts';
import { startSes, type RunningSes } from './emulators/ses.ts';
import { startSmtp, type OnInbound, type RunningSmtp } from './emulators/smtp.ts';
import { isAlive, stopInOrder } from './processes.ts';
import { createTable, enableTimeToLive } from './resources.ts';
import { isReplyKeyring } from '#shared/mail/reply-keyring.ts';
import { ANCHOR_SIGNING_KEY_FILE, localSigningKey } from '#shared/adapters/file-signer.ts';

export const LOCAL_REGION = 'eu-west-1';
export const LOCAL_TABLE_NAME = 'isms-review';
export const LOCAL_BUCKETS = { rawMail: 'isms-review-raw-mail', evidence: 'isms-review-evidence' } as const;
export const LOCAL_MAIL_FROM = 'isms-review@isms.example.org';
export const LOCAL_INBOUND_DOMAIN = 'reply.isms.example.org';
export const LOCAL_CONFIGURATION_SET = 'isms-review-local';

export type ServiceName = 'dynamodb' | 'ses' | 's3' | 'smtp';

export interface LocalStackOptions {
  /** Ports to listen on; absent or 0: free ports chosen by the OS. */
  ports?: Partial<Record<ServiceName, number>>;
  /** Folder for persistent data; absent: everything in memory or a temporary folder. */
  dataDir?: string;
  /** Called for every message the SMTP server stores (the ingest handler). */
  onInbound?: OnInbound;
  log?: (line: string) => void;
}

/** Everything a process needs to talk to the stack: plain data, safe to pass between processes. */
export interface LocalStackInfo {
  region: string;
  tableName: string;
  buckets: { rawMail: string; evidence: string };
  endpoints: { dynamodb: string; s3: string; ses: string };
  mailboxUrl: string;
  smtp: { host: string; port: number };
  /** Absent for an in-memory stack. */
  dataDir?: string;
  /** The runtime environment contract, ready for process.env. Holds REPLY_KEY: never log it. */
  env: Record<string, string>;
}

export interface LocalStack extends LocalStackInfo {
  /** The DynamoDB Local Java process. */
  dynamoDbPid: number;
  /** Stops every emulator (no process or port left behind) and removes stack.json. */
  stop(): Promise<void>;
}

/** What `<dataDir>/stack.json` holds: the info without the reply key, plus the owning process. */
export interface StackFile extends Omit<LocalStackInfo, 'env'> {
  pid: number;
  startedAt: string;
  env: Record<string, string>;
}

export class LocalStackFailedToStart extends Error {
  override name = 'LocalStackFailedToStart' as const;
}

export class NoRunningStack extends Error {
  override name = 'NoRunningStack' as const;
}

const REPLY_KEY_FILE = 'reply-key.hex';
const STACK_FILE = 'stack.json';

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const ports = options.ports ?? {};

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    const pending = stops.splice(0).reverse();
    const results = await Promise.allSettled(pending.map((stop) => stop()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  };
  const track = <T extends { stop(): Promise<void> }>(service: T): T => {
    stops.push(() => service.stop());
    return service;
  };

  if (dataDir !== undefined) await stopOrphanedDynamoDb(dataDir, log);

  let dynamoStarted: Promise<RunningDynamoDb> | undefined;
  const cancelDynamo = new AbortController();
  try {
    // DynamoDB Local (a JVM) takes longest to start: the rest starts meanwhile.
    dynamoStarted = startDynamoDb({
      port: ports.dynamodb ?? 0,
      ...(dataDir === undefined ? {} : { dataDir: join(dataDir, 'dynamodb') }),
      log,
      signal: cancelDynamo.signal,
    }).then(track);
    // Awaited below, after the others have started; handled here so that an early failure
    // is not reported as an unhandled rejection meanwhile.
    dynamoStarted.catch(() => undefined);
    // allSettled, not all: a service that starts after another failed must still be stopped.
    const [sesStarted, s3Started] = await Promise.allSettled([
      startSes({
        port: ports.ses ?? 0,
        ...(dataDir === undefined ? {} : { dataDir: join(dataDir, 'ses') }),
      }).then(track),
      startS3({
        port: ports.s3 ?? 0,
        ...(dataDir === undefined ? {} : { dataDir: join(dataDir, 's3') }),
        buckets: [LOCAL_BUCKETS.rawMail, LOCAL_BUCKETS.evidence],
      }).then(track),
    ]);
    if (sesStarted.status === 'rejected') throw sesStarted.reason;
    if (s3Started.status === 'rejected') throw s3Started.reason;
    const [ses, s3] = [sesStarted.value, s3Started.value];
    const s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: LOCAL_REGION,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    stops.push(async () => s3Client.destroy());
    const smtp = await startSmtp({
      port: ports.smtp ?? 0,
      s3: s3Client,
      bucket: LOCAL_BUCKETS.rawMail,
      ...(options.onInbound === undefined ? {} : { onInbound: options.onInbound }),
      log,
    }).then(track);
    const dynamo = await dynamoStarted;
    if (dataDir !== undefined) await writeFile(join(dataDir, DYNAMODB_PID_FILE), `${dynamo.pid}\n`);
    const dynamoClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await createTable(dynamoClient, LOCAL_TABLE_NAME);
      await enableTimeToLive(dynamoClient, LOCAL_TABLE_NAME);
    } finally {
      dynamoClient.destroy();
    }

    const info = describe({
      dynamo,
      ses,
      s3,
      smtp,
      dataDir,
      replyKey: await replyKey(dataDir),
      signingKey: await localSigningKey(dataDir),
    });
    if (dataDir !== undefined) await writeStackFile(dataDir, info);

    let stopped: Promise<void> | undefined;
    return {
      ...info,
      dynamoDbPid: dynamo.pid,
      stop() {
        stopped ??= (async () => {
          try {
            await stopAll();
          } finally {
            if (dataDir !== undefined) await rm(join(dataDir, STACK_FILE), { force: true });
          }
        })();
        return stopped;
      },
    };
  } catch (error) {
    // Cancel the JVM's start and wait for it, so that it is not left running.
    cancelDynamo.abort();
    await dynamoStarted?.catch(() => undefined);
    await stopAll().catch(() => undefined);
    if (error instanceof LocalStackFailedToStart) throw error;
    throw new LocalStackFailedToStart(`The local stack did not start: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function describe(parts: {
  dynamo: RunningDynamoDb;
  ses: RunningSes;
  s3: RunningS3;
  smtp: RunningSmtp;
  dataDir: string | undefined;
  replyKey: string;
  /** The anchoring key (PKCS#8 PEM), kept in the data folder like the reply key. */
  signingKey: string;
}): LocalStackInfo {
  const { dynamo, ses, s3, smtp, dataDir, replyKey: key, signingKey } = parts;
  return {
    region: LOCAL_REGION,
    tableName: LOCAL_TABLE_NAME,
    buckets: { ...LOCAL_BUCKETS },
    endpoints: { dynamodb: dynamo.endpoint, s3: s3.endpoint, ses: ses.endpoint },
    mailboxUrl: ses.mailboxUrl,
    smtp: { host: smtp.host, port: smtp.port },
    ...(dataDir === undefined ? {} : { dataDir }),
    env: {
      TABLE_NAME: LOCAL_TABLE_NAME,
      RAW_MAIL_BUCKET: LOCAL_BUCKETS.rawMail,
      EVIDENCE_BUCKET: LOCAL_BUCKETS.evidence,
      MAIL_FROM: LOCAL_MAIL_FROM,
      INBOUND_DOMAIN: LOCAL_INBOUND_DOMAIN,
      SES_CONFIGURATION_SET: LOCAL_CONFIGURATION_SET,
      REPLY_KEY: key,
      ANCHOR_SIGNING_KEY: signingKey,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      ISMS_S3_FORCE_PATH_STYLE: 'true',
      // s3rver ignores If-None-Match on PUT: the anchor store checks with HEAD first (local only).
      ISMS_S3_EMULATED: 'true',
      // s3rver does not decode aws-chunked uploads: with the SDK's default (a CRC32 trailer on
      // every streamed upload) it would store the chunk framing as object bytes.
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    },
  };
}

/**
 * A persistent stack keeps its reply keyring so that reply addresses sent earlier stay valid. A new
 * one is one key in hex (generation 1); a keyring in its JSON form (shared/mail/reply-keyring.ts),
 * e.g. copied from a rotated secret, is used as it is.
 */
async function replyKey(dataDir: string | undefined): Promise<string> {
  const fresh = randomBytes(32).toString('hex');
  if (dataDir === undefined) return fresh;
  const file = join(dataDir, REPLY_KEY_FILE);
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (isReplyKeyring(stored)) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await writeFile(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

async function writeStackFile(dataDir: string, info: LocalStackInfo): Promise<void> {
  const { REPLY_KEY: _secret, ANCHOR_SIGNING_KEY: _signingKey, ...env } = info.env;
  const file: StackFile = { ...info, env, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(join(dataDir, STACK_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * The stack running on `dataDir` (started by `npm start`), with its full environment
 * (the reply key read from the data folder). Throws NoRunningStack if none runs there.
 */
/** The DynamoDB Local process of the stack on a data folder, for the next start to find. */
const DYNAMODB_PID_FILE = 'dynamodb.pid';

/**
 * A stack killed with `kill -9` (its Node process only) leaves its DynamoDB Local JVM running, holding
 * the data folder. On the next start, that process is stopped, if it is still DynamoDB Local (checked
 * through /proc, so a reused pid is never touched) and the stack that owned it is gone.
 */
async function stopOrphanedDynamoDb(dataDir: string, log: (line: string) => void): Promise<void> {
  const pid = Number((await readFile(join(dataDir, DYNAMODB_PID_FILE), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const owner = await readFile(join(dataDir, STACK_FILE), 'utf8')
    .then((text) => (JSON.parse(text) as { pid?: unknown }).pid)
    .catch(() => undefined);
  if (typeof owner === 'number' && owner !== process.pid && isAlive(owner)) return; // a running stack's
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!command.includes('DynamoDBLocal')) return;
  log(`stopping DynamoDB Local (pid ${pid}) left running by a stack that was killed`);
  await stopInOrder(pid, 10_000);
}

export async function readRunningStack(dataDir: string): Promise<LocalStackInfo & { pid: number }> {
  const folder = resolve(dataDir);
  let file: StackFile;
  try {
    file = JSON.parse(await readFile(join(folder, STACK_FILE), 'utf8')) as StackFile;
  } catch {
    throw new NoRunningStack(`No local stack runs on ${folder}: start one with \`npm start\`.`);
  }
  if (!isAlive(file.pid)) {
    throw new NoRunningStack(
      `The local stack on ${folder} (pid ${file.pid}) is not running any more: start it with \`npm start\`.`,
    );
  }
  const key = (await readFile(join(folder, REPLY_KEY_FILE), 'utf8')).trim();
  const signingKey = await readFile(join(folder, ANCHOR_SIGNING_KEY_FILE), 'utf8').catch(() => undefined);
  const { pid, startedAt: _startedAt, ...info } = file;
  return {
    ...info,
    env: { ...info.env, REPLY_KEY: key, ...(signingKey ? { ANCHOR_SIGNING_KEY: signingKey } : {}) },
    pid,
  };
}
