/**
 * `npm start`: runs the local stack until Ctrl-C, keeping its data under `.local-data/`.
 *
 *   npm start -- --port-dynamodb 8001 --data-dir /tmp/isms
 *
 * Ports: flags `--port-dynamodb`, `--port-ses`, `--port-s3`, `--port-smtp`, or the variables
 * ISMS_PORT_DYNAMODB, ISMS_PORT_SES, ISMS_PORT_S3, ISMS_PORT_SMTP (flags win; 0 = any free
 * port); the web app (served by infra/local/app.ts) on `--port-web` or ISMS_PORT_WEB (default 8080).
 * Data folder: `--data-dir` or ISMS_DATA_DIR (default `.local-data`).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { OnInbound } from './emulators/smtp.ts';
import { FileSigner } from '#shared/adapters/file-signer.ts';
import { anchorKeyOf, formatFingerprint } from '#shared/evidence/signer.ts';
import { startLocalStack, type LocalStack, type ServiceName } from './stack.ts';

export const DEFAULT_PORTS: Record<ServiceName, number> = { dynamodb: 8000, ses: 8005, s3: 4569, smtp: 2525 };
export const DEFAULT_DATA_DIR = '.local-data';
export const DEFAULT_WEB_PORT = 8080;

export class BadStartOption extends Error {
  override name = 'BadStartOption' as const;
}

const port = z.coerce.number().int().min(0).max(65535);

export interface StartSettings {
  ports: Record<ServiceName, number>;
  /** The web app's port (infra/local/app.ts serves it; 0 = any free port). */
  webPort: number;
  dataDir: string;
}

/** Reads flags and environment; throws BadStartOption naming the offending flag or variable. */
export function parseStartSettings(argv: readonly string[], env: NodeJS.ProcessEnv): StartSettings {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new BadStartOption(`Unexpected argument "${arg}". ${usage}`);
    const name = match[1] as string;
    if (!KNOWN_FLAGS.includes(name)) throw new BadStartOption(`Unknown option --${name}. ${usage}`);
    let value = match[2];
    if (value === undefined) {
      value = argv[index + 1];
      index += 1;
      if (value === undefined || value.startsWith('--'))
        throw new BadStartOption(`--${name} needs a value. ${usage}`);
    }
    flags.set(name, value);
  }
  const ports = { ...DEFAULT_PORTS };
  for (const service of Object.keys(DEFAULT_PORTS) as ServiceName[]) {
    const flag = `port-${service}`;
    const variable = `ISMS_PORT_${service.toUpperCase()}`;
    const [source, raw] = flags.has(flag) ? [`--${flag}`, flags.get(flag)] : [variable, env[variable]];
    if (raw === undefined || raw === '') continue;
    const parsed = port.safeParse(raw);
    if (!parsed.success)
      throw new BadStartOption(`${source} must be a port number from 0 to 65535, not "${raw}".`);
    ports[service] = parsed.data;
  }
  let webPort = DEFAULT_WEB_PORT;
  const [webSource, webRaw] = flags.has('port-web')
    ? ['--port-web', flags.get('port-web')]
    : ['ISMS_PORT_WEB', env.ISMS_PORT_WEB];
  if (webRaw !== undefined && webRaw !== '') {
    const parsed = port.safeParse(webRaw);
    if (!parsed.success)
      throw new BadStartOption(`${webSource} must be a port number from 0 to 65535, not "${webRaw}".`);
    webPort = parsed.data;
  }
  const dataDir = resolve(flags.get('data-dir') ?? (env.ISMS_DATA_DIR || DEFAULT_DATA_DIR));
  return { ports, webPort, dataDir };
}

const KNOWN_FLAGS = ['port-dynamodb', 'port-ses', 'port-s3', 'port-smtp', 'port-web', 'data-dir'];
const usage =
  'Options: --port-dynamodb N --port-ses N --port-s3 N --port-smtp N --port-web N --data-dir PATH';

export interface RunOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** The ingest handler for inbound mail; absent: messages are stored and logged only. */
  onInbound?: OnInbound;
  print?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM and exit the process (true when run as `npm start`). */
  handleSignals?: boolean;
}

/** Starts the stack, prints where everything is, and (by default) runs until Ctrl-C. */
export async function runLocalStack(options: RunOptions = {}): Promise<LocalStack> {
  const print = options.print ?? ((line: string) => console.log(line));
  const settings = parseStartSettings(options.argv ?? process.argv.slice(2), options.env ?? process.env);
  const started = Date.now();
  const stack = await startLocalStack({
    ports: settings.ports,
    dataDir: settings.dataDir,
    ...(options.onInbound === undefined ? {} : { onInbound: options.onInbound }),
    log: print,
  });
  const { env } = stack;
  print('');
  print(`isms-review local stack is running (started in ${Date.now() - started} ms)`);
  print(`  Mailbox (sent mail)   ${stack.mailboxUrl}`);
  print(`  Inbound SMTP          ${stack.smtp.host}:${stack.smtp.port} (no auth, no TLS; send replies here)`);
  print(`  DynamoDB              ${stack.endpoints.dynamodb} (table ${stack.tableName})`);
  print(
    `  S3 (path-style)       ${stack.endpoints.s3} (buckets ${stack.buckets.rawMail}, ${stack.buckets.evidence})`,
  );
  print(`  SES API               ${stack.endpoints.ses}`);
  print(`  Data folder           ${settings.dataDir}`);
  if (env.ANCHOR_SIGNING_KEY) {
    const key = await anchorKeyOf(new FileSigner(env.ANCHOR_SIGNING_KEY));
    print(`  Anchoring key         ${formatFingerprint(key.fingerprint)} (isms-review evidence key)`);
  }
  print('  Environment for handlers and the CLI (REPLY_KEY and ANCHOR_SIGNING_KEY are in the data folder):');
  for (const [name, value] of Object.entries(env)) {
    if (name !== 'REPLY_KEY' && name !== 'ANCHOR_SIGNING_KEY') print(`    ${name}=${value}`);
  }
  print('Press Ctrl-C to stop.');

  if (options.handleSignals ?? true) {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      print(`${signal}: stopping the local stack...`);
      stack.stop().then(
        () => {
          print('Stopped.');
          process.exit(0);
        },
        (error: unknown) => {
          print(`Stopping failed: ${(error as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  }
  return stack;
}

const runDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (runDirectly) {
  runLocalStack().catch((error: unknown) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(message);
    process.exit(error instanceof BadStartOption ? 2 : 1);
  });
}
