import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '#infra/local/emulators/s3.ts';
import { freePort, waitUntilClosed } from '#infra/local/ports.ts';
import {
  LocalStackFailedToStart,
  NoRunningStack,
  readRunningStack,
  startLocalStack,
} from '#infra/local/stack.ts';
import { localStack } from '#test/support/local-stack.ts';
import { BadStartOption, DEFAULT_PORTS, DEFAULT_WEB_PORT, parseStartSettings } from '#infra/local/start.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'isms-stack-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start settings', () => {
  it('refuses a bad port, an unknown flag and a flag without value, naming them', () => {
    expect(() => parseStartSettings(['--port-smtp', 'abc'], {})).toThrow(/--port-smtp must be a port/);
    expect(() => parseStartSettings([], { ISMS_PORT_S3: '70000' })).toThrow(/ISMS_PORT_S3 must be a port/);
    expect(() => parseStartSettings([], { ISMS_PORT_WEB: 'web' })).toThrow(/ISMS_PORT_WEB must be a port/);
    expect(() => parseStartSettings(['--port-mail', '1'], {})).toThrow(BadStartOption);
    expect(() => parseStartSettings(['--data-dir'], {})).toThrow(/--data-dir needs a value/);
    expect(() => parseStartSettings(['stray'], {})).toThrow(/Unexpected argument "stray"/);
  });

  it('takes defaults, then variables, then flags', () => {
    expect(parseStartSettings([], {}).ports).toEqual(DEFAULT_PORTS);
    const settings = parseStartSettings(['--port-ses=9005', '--data-dir', '/tmp/x'], {
      ISMS_PORT_SES: '7005',
      ISMS_PORT_DYNAMODB: '7000',
      ISMS_DATA_DIR: '/tmp/y',
    });
    expect(settings).toEqual({
      ports: { ...DEFAULT_PORTS, ses: 9005, dynamodb: 7000 },
      webPort: DEFAULT_WEB_PORT,
      dataDir: '/tmp/x',
    });
    expect(parseStartSettings([], { ISMS_PORT_WEB: '8181' }).webPort).toBe(8181);
    expect(parseStartSettings(['--port-web', '8282'], { ISMS_PORT_WEB: '8181' }).webPort).toBe(8282);
    expect(parseStartSettings([], { ISMS_DATA_DIR: '/tmp/y' }).dataDir).toBe('/tmp/y');
  });
});

describe('local stack lifecycle', () => {
  it('fails to start on a port in use, naming it, and leaves nothing running', async () => {
    const busy = await new Promise<Server>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    const port = (busy.address() as AddressInfo).port;
    const others = { dynamodb: await freePort(), s3: await freePort(), smtp: await freePort() };
    try {
      const failing = startLocalStack({ ports: { ...others, ses: port } });
      await expect(failing).rejects.toBeInstanceOf(LocalStackFailedToStart);
      await expect(failing).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port}`));
    } finally {
      busy.close();
    }
    for (const other of Object.values(others))
      expect(await waitUntilClosed(other, '127.0.0.1', 2000)).toBe(true);
  });

  it('does not take a DynamoDB already listening on the port for its own', async () => {
    const taken = Number(new URL(localStack().endpoints.dynamodb).port);
    const others = { ses: await freePort(), s3: await freePort(), smtp: await freePort() };
    await expect(startLocalStack({ ports: { ...others, dynamodb: taken } })).rejects.toThrow(
      new RegExp(`port ${taken} is already in use`),
    );
    for (const other of Object.values(others))
      expect(await waitUntilClosed(other, '127.0.0.1', 2000)).toBe(true);
  });

  it('names a data folder where no stack runs', async () => {
    await expect(readRunningStack(join(dataDir, 'nothing-here'))).rejects.toBeInstanceOf(NoRunningStack);
    const stale = join(dataDir, 'stale');
    await mkdir(stale);
    await writeFile(join(stale, 'stack.json'), JSON.stringify({ pid: 2 ** 22 + 1 }));
    await expect(readRunningStack(stale)).rejects.toThrow(/not running any more/);
  });

  it(
    'keeps data and reply key across restarts, publishes stack.json while running, and stops cleanly',
    { timeout: 60_000 },
    async () => {
      const first = await startLocalStack({ dataDir });
      const ports = [
        new URL(first.endpoints.dynamodb).port,
        new URL(first.endpoints.s3).port,
        new URL(first.endpoints.ses).port,
        String(first.smtp.port),
      ].map(Number);
      const found = await readRunningStack(dataDir);
      expect(found.pid).toBe(process.pid);
      expect(found.endpoints).toEqual(first.endpoints);
      expect(found.env).toEqual(first.env);
      const onDisk = await readFile(join(dataDir, 'stack.json'), 'utf8');
      expect(onDisk).not.toContain(first.env.REPLY_KEY);
      expect(first.env.REPLY_KEY).toMatch(/^[0-9a-f]{64}$/);

      const client = new DynamoDBClient({
        endpoint: first.endpoints.dynamodb,
        region: first.region,
        credentials: LOCAL_CREDENTIALS,
      });
      await client.send(
        new PutItemCommand({
          TableName: first.tableName,
          Item: { pk: { S: 'KEEP' }, sk: { S: 'ME' }, v: { S: 'kept' } },
        }),
      );
      client.destroy();
      await first.stop();

      expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
      expect(isRunning(first.dynamoDbPid)).toBe(false);
      for (const port of ports) expect(await waitUntilClosed(port, '127.0.0.1', 2000)).toBe(true);
      await expect(first.stop()).resolves.toBeUndefined();

      const second = await startLocalStack({ dataDir });
      try {
        expect(second.env.REPLY_KEY).toBe(first.env.REPLY_KEY);
        const again = new DynamoDBClient({
          endpoint: second.endpoints.dynamodb,
          region: second.region,
          credentials: LOCAL_CREDENTIALS,
        });
        const item = await again.send(
          new GetItemCommand({ TableName: second.tableName, Key: { pk: { S: 'KEEP' }, sk: { S: 'ME' } } }),
        );
        again.destroy();
        expect(item.Item?.v?.S).toBe('kept');
      } finally {
        await second.stop();
      }
      expect(isRunning(second.dynamoDbPid)).toBe(false);
    },
  );

  // Runs the command of the `start` script (tsx infra/local/start.ts). Not through npm or npx:
  // on Ctrl-C, npm re-raises SIGINT on itself after its child exits, so npm's own exit is
  // always "killed by SIGINT" whatever the program did.
  it(
    '`npm start` prints where everything is and exits 0 on Ctrl-C, leaving no port open',
    { timeout: 60_000 },
    async () => {
      const ports = {
        dynamodb: await freePort(),
        ses: await freePort(),
        s3: await freePort(),
        smtp: await freePort(),
      };
      const startDir = join(dataDir, 'npm-start');
      const child = spawn(
        join('node_modules', '.bin', 'tsx'),
        [
          'infra/local/start.ts',
          '--port-dynamodb',
          String(ports.dynamodb),
          '--port-ses',
          String(ports.ses),
          '--port-s3',
          String(ports.s3),
          `--port-smtp=${ports.smtp}`,
          '--data-dir',
          startDir,
        ],
        { cwd: process.cwd(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const exited = new Promise<string>((resolve) =>
        child.once('exit', (code, signal) => resolve(`code ${code}, signal ${signal}`)),
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const check = (): void => {
            if (output.includes('Press Ctrl-C to stop.')) resolve();
          };
          child.stdout.on('data', check);
          void exited.then((how) => reject(new Error(`npm start exited early (${how}):\n${output}`)));
        });
        expect(output).toContain(`Mailbox (sent mail)   http://127.0.0.1:${ports.ses}/`);
        expect(output).toContain(`Inbound SMTP          127.0.0.1:${ports.smtp}`);
        expect(output).toContain(`DynamoDB              http://127.0.0.1:${ports.dynamodb}`);
        expect(output).toContain(`S3 (path-style)       http://127.0.0.1:${ports.s3}`);
        expect(output).toContain(`Data folder           ${startDir}`);
        expect(output).not.toMatch(/REPLY_KEY=/);
        expect(existsSync(join(startDir, 'stack.json'))).toBe(true);
        // Ctrl-C in a terminal signals the whole foreground process group.
        process.kill(-(child.pid as number), 'SIGINT');
        expect(await exited).toBe('code 0, signal null');
      } finally {
        if (child.exitCode === null && child.signalCode === null)
          process.kill(-(child.pid as number), 'SIGKILL');
      }
      expect(output).toContain('Stopped.');
      expect(existsSync(join(startDir, 'stack.json'))).toBe(false);
      for (const port of Object.values(ports))
        expect(await waitUntilClosed(port, '127.0.0.1', 2000)).toBe(true);
    },
  );

  it(
    'stops the DynamoDB Local a killed stack left running on its data folder, at the next start',
    { timeout: 60_000 },
    async () => {
      const orphanDir = join(dataDir, 'orphan');
      const child = spawn(
        join('node_modules', '.bin', 'tsx'),
        ['infra/local/start.ts', '--data-dir', orphanDir],
        {
          cwd: process.cwd(),
          env: {
            ...process.env,
            ISMS_PORT_DYNAMODB: '0',
            ISMS_PORT_SES: '0',
            ISMS_PORT_S3: '0',
            ISMS_PORT_SMTP: '0',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const deadline = Date.now() + 45_000;
      while (!output.includes('Press Ctrl-C to stop.') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(output).toContain('Press Ctrl-C to stop.');
      const orphan = Number((await readFile(join(orphanDir, 'dynamodb.pid'), 'utf8')).trim());
      // kill -9 of the stack's Node process alone (not its process group): its JVM lives on.
      const owner = (JSON.parse(await readFile(join(orphanDir, 'stack.json'), 'utf8')) as { pid: number })
        .pid;
      process.kill(owner, 'SIGKILL');
      child.kill('SIGKILL');
      for (let waited = 0; waited < 5000 && isRunning(owner); waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(isRunning(orphan)).toBe(true);

      const lines: string[] = [];
      const again = await startLocalStack({ dataDir: orphanDir, log: (line) => lines.push(line) });
      try {
        expect(isRunning(orphan)).toBe(false);
        expect(lines).toContain(
          `stopping DynamoDB Local (pid ${orphan}) left running by a stack that was killed`,
        );
        expect(again.dynamoDbPid).not.toBe(orphan);
      } finally {
        await again.stop();
      }
    },
  );
});
