/**
 * Which backend a command talks to, and the runtime environment contract for this process.
 *
 * Local (the default): the stack `npm start` runs. It writes `<data dir>/stack.json` while it runs
 * (data dir: `--data-dir`, else ISMS_DATA_DIR, else `.local-data`). The CLI reads it and sets the
 * contract on process.env: endpoints, TABLE_NAME, buckets, dummy credentials, region. The Step
 * Functions endpoint and STATE_MACHINE_ARN are there once the local workflow runtime runs
 * (`endpoints.sfn` or `env.AWS_ENDPOINT_URL_SFN`; `env.STATE_MACHINE_ARN` or `stateMachineArn`).
 * Names may be overridden from the environment (TABLE_NAME, RAW_MAIL_BUCKET, EVIDENCE_BUCKET,
 * STATE_MACHINE_ARN, AWS_ENDPOINT_URL_SFN), e.g. to point the CLI at another table of the same
 * stack; region, credentials and the emulators' endpoints always come from stack.json, because
 * the emulators only answer to those.
 *
 * AWS (`--backend aws` or ISMS_BACKEND=aws): the deployed stack. Names come from the environment,
 * as the stack outputs them:
 *
 * | variable          | stack output       | used by                              |
 * | ----------------- | ------------------ | ------------------------------------ |
 * | TABLE_NAME        | TableName          | every command that reads or writes   |
 * | EVENTS_TABLE_NAME | EventsTableName    | every command that reads or writes events (default: TABLE_NAME + `-events`) |
 * | ANCHOR_SIGNING_KEY_ID | AnchorSigningKeyArn | evidence key (reads the public key only) |
 * | RAW_MAIL_BUCKET   | RawMailBucketName  | status                               |
 * | EVIDENCE_BUCKET   | EvidenceBucketName | status                               |
 * | STATE_MACHINE_ARN | StateMachineArn    | status, cycle start                  |
 * | ISMS_PROGRAMME_ID | (organisation.id)  | cycle start and list, when no --programme |
 *
 * Credentials and region come from the SDK's usual chain (AWS_PROFILE, AWS_REGION, SSO, ...).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { isReplyKeyring } from '#shared/mail/reply-keyring.ts';
import { ProgrammeId } from '#shared/model/common.ts';
import { UsageError } from './output.ts';

export const DEFAULT_DATA_DIR = '.local-data';
export const STACK_FILE = 'stack.json';
export const CLI_STATE_FILE = 'cli.json';
const REPLY_KEY_FILE = 'reply-key.hex';

export type Env = Readonly<Record<string, string | undefined>>;
export type BackendKind = 'local' | 'aws';

/** No local stack runs on the data folder. */
export class NoLocalStack extends Error {
  override name = 'NoLocalStack' as const;
}

/** A setting the command needs is not configured (a variable, or a part of the local stack not running). */
export class MissingSetting extends Error {
  override name = 'MissingSetting' as const;
}

/** stack.json exists but is not what `npm start` writes. */
export class UnreadableStackFile extends Error {
  override name = 'UnreadableStackFile' as const;
}

/** Options every command that talks to a backend accepts. */
export const backendOptions = {
  backend: { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const BACKEND_HELP = [
  'Backend: the local stack (`npm start`) by default, found through <data dir>/stack.json',
  '  (--data-dir or ISMS_DATA_DIR, default .local-data); --backend aws or ISMS_BACKEND=aws for the',
  '  deployed stack, with TABLE_NAME, EVENTS_TABLE_NAME, RAW_MAIL_BUCKET, EVIDENCE_BUCKET,',
  '  STATE_MACHINE_ARN (and ANCHOR_SIGNING_KEY_ID) from the stack outputs and the usual AWS credentials.',
].join('\n');

/** The runtime contract variables the CLI sets or reads. */
export const CONTRACT_VARIABLES = [
  'TABLE_NAME',
  'EVENTS_TABLE_NAME',
  'ANCHOR_SIGNING_KEY_ID',
  'RAW_MAIL_BUCKET',
  'EVIDENCE_BUCKET',
  'STATE_MACHINE_ARN',
  'MAIL_FROM',
  'SES_CONFIGURATION_SET',
  'INBOUND_DOMAIN',
  'REPLY_KEY',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SES',
  'AWS_ENDPOINT_URL_SFN',
  'ISMS_S3_FORCE_PATH_STYLE',
] as const;
export type ContractVariable = (typeof CONTRACT_VARIABLES)[number];

/** Locally, these may be overridden from the environment; the rest is the emulators' own. */
export const LOCAL_OVERRIDES: readonly ContractVariable[] = [
  'TABLE_NAME',
  'EVENTS_TABLE_NAME',
  'RAW_MAIL_BUCKET',
  'EVIDENCE_BUCKET',
  'STATE_MACHINE_ARN',
  'AWS_ENDPOINT_URL_SFN',
];

export interface Backend {
  readonly kind: BackendKind;
  /** The contract in force for this process (also set on process.env). Holds REPLY_KEY: never print it. */
  readonly env: Readonly<Partial<Record<ContractVariable, string>>>;
  /** The local data folder (local only). */
  readonly dataDir?: string;
  /** One line saying what the CLI talks to, e.g. `local stack on /x/.local-data (pid 4242)`. */
  readonly description: string;
}

const Endpoint = z.url({ error: 'expected an endpoint URL such as http://127.0.0.1:8000' });

/** What the CLI needs from stack.json; other fields are allowed and ignored. */
const StackFileSchema = z.looseObject({
  pid: z.number().int().positive(),
  region: z.string().min(1),
  tableName: z.string().min(1),
  buckets: z.looseObject({ rawMail: z.string().min(1), evidence: z.string().min(1) }),
  endpoints: z.looseObject({
    dynamodb: Endpoint,
    s3: Endpoint,
    ses: Endpoint,
    sfn: z.optional(Endpoint),
  }),
  stateMachineArn: z.optional(z.string().min(1)),
  env: z.record(z.string(), z.string()).default({}),
});
export type StackFile = z.infer<typeof StackFileSchema>;

function option(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} needs a value.`);
  return value.trim();
}

function chooseKind(values: Record<string, string | boolean | undefined>, env: Env): BackendKind {
  const flag = option(values, 'backend');
  const [source, raw] = flag !== undefined ? ['--backend', flag] : ['ISMS_BACKEND', env.ISMS_BACKEND?.trim()];
  if (raw === undefined || raw === '') return 'local';
  if (raw === 'local' || raw === 'aws') return raw;
  throw new UsageError(`${source} must be local or aws, not "${raw}".`);
}

/** The data folder: --data-dir, ISMS_DATA_DIR, or .local-data, as an absolute path. */
export function dataDirOf(values: Record<string, string | boolean | undefined>, env: Env): string {
  return resolve(option(values, 'data-dir') ?? (env.ISMS_DATA_DIR?.trim() || DEFAULT_DATA_DIR));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const notRunning = (dataDir: string, detail: string) =>
  new NoLocalStack(`no local stack is running: start it with \`npm start\` (${detail} in ${dataDir})`);

/** Reads and checks `<dataDir>/stack.json`; NoLocalStack if there is none or its process is gone. */
export async function readStackFile(dataDir: string): Promise<StackFile> {
  const path = join(dataDir, STACK_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notRunning(dataDir, `no ${STACK_FILE}`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UnreadableStackFile(
      `${path} is not JSON; stop the local stack, delete the file and run \`npm start\``,
    );
  }
  const parsed = StackFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new UnreadableStackFile(
      `${path} is not a stack file written by \`npm start\` (${issues.join('; ')}); restart the local stack`,
    );
  }
  if (!isAlive(parsed.data.pid)) {
    throw notRunning(dataDir, `the stack with pid ${parsed.data.pid} has stopped; ${STACK_FILE} is stale`);
  }
  return parsed.data;
}

async function readReplyKey(dataDir: string): Promise<string | undefined> {
  try {
    const key = (await readFile(join(dataDir, REPLY_KEY_FILE), 'utf8')).trim();
    return isReplyKeyring(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The contract of a local stack, from its stack file and the allowed overrides. */
export function localContract(
  stack: StackFile,
  overrides: Env,
  replyKey?: string,
): Partial<Record<ContractVariable, string>> {
  const fromStack: Partial<Record<ContractVariable, string>> = {
    ...pickContract(stack.env),
    TABLE_NAME: stack.env.TABLE_NAME ?? stack.tableName,
    RAW_MAIL_BUCKET: stack.env.RAW_MAIL_BUCKET ?? stack.buckets.rawMail,
    EVIDENCE_BUCKET: stack.env.EVIDENCE_BUCKET ?? stack.buckets.evidence,
    AWS_REGION: stack.env.AWS_REGION ?? stack.region,
    AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
    AWS_ENDPOINT_URL_SES: stack.endpoints.ses,
    ISMS_S3_FORCE_PATH_STYLE: 'true',
  };
  const sfn = stack.endpoints.sfn ?? stack.env.AWS_ENDPOINT_URL_SFN;
  if (sfn !== undefined) fromStack.AWS_ENDPOINT_URL_SFN = sfn;
  const arn = stack.env.STATE_MACHINE_ARN ?? stack.stateMachineArn;
  if (arn !== undefined) fromStack.STATE_MACHINE_ARN = arn;
  if (replyKey !== undefined) fromStack.REPLY_KEY = replyKey;
  // Dummy credentials: the emulators accept only the ones the stack was started with.
  fromStack.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  fromStack.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  for (const name of LOCAL_OVERRIDES) {
    const value = overrides[name]?.trim();
    if (value) fromStack[name] = value;
  }
  // Locally the events table is found by its name (TABLE_NAME + `-events`, created with the table),
  // so a TABLE_NAME override takes its events table along; EVENTS_TABLE_NAME only if given itself.
  return fromStack;
}

function pickContract(env: Env): Partial<Record<ContractVariable, string>> {
  const out: Partial<Record<ContractVariable, string>> = {};
  for (const name of CONTRACT_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/**
 * Chooses the backend from the options and the environment, and sets the contract on process.env
 * (locally every contract variable is set or cleared, so nothing from another stack lingers).
 */
export async function resolveBackend(
  values: Record<string, string | boolean | undefined>,
  env: Env = process.env,
): Promise<Backend> {
  const kind = chooseKind(values, env);
  if (kind === 'aws') {
    const contract = pickContract(env);
    for (const [name, value] of Object.entries(contract)) process.env[name] = value;
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    return {
      kind,
      env: contract,
      description: `AWS${region ? ` ${region}` : ''}${contract.TABLE_NAME ? `, table ${contract.TABLE_NAME}` : ''}`,
    };
  }
  const dataDir = dataDirOf(values, env);
  const stack = await readStackFile(dataDir);
  const contract = localContract(stack, env, await readReplyKey(dataDir));
  for (const name of CONTRACT_VARIABLES) {
    const value = contract[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return { kind, env: contract, dataDir, description: `local stack on ${dataDir} (pid ${stack.pid})` };
}

const AWS_HINTS: Partial<Record<ContractVariable, string>> = {
  TABLE_NAME: 'the stack output TableName',
  EVENTS_TABLE_NAME: 'the stack output EventsTableName',
  ANCHOR_SIGNING_KEY_ID: 'the stack output AnchorSigningKeyArn',
  RAW_MAIL_BUCKET: 'the stack output RawMailBucketName',
  EVIDENCE_BUCKET: 'the stack output EvidenceBucketName',
  STATE_MACHINE_ARN: 'the stack output StateMachineArn',
};

/** A contract value the command needs, or MissingSetting saying how to provide it. */
export function requireSetting(backend: Backend, name: ContractVariable): string {
  const value = backend.env[name];
  if (value) return value;
  if (backend.kind === 'aws') {
    throw new MissingSetting(
      `${name} is not set: set it to ${AWS_HINTS[name] ?? 'its value'} of the deployed stack`,
    );
  }
  if (name === 'STATE_MACHINE_ARN' || name === 'AWS_ENDPOINT_URL_SFN') {
    throw new MissingSetting(
      `the local workflow runtime is not running: ${join(backend.dataDir ?? '', STACK_FILE)} names no ` +
        `${name === 'STATE_MACHINE_ARN' ? 'state machine' : 'Step Functions endpoint'}; start the local stack with the workflow runtime (\`npm start\`)`,
    );
  }
  throw new MissingSetting(`${name} is not set for the local stack; restart it with \`npm start\``);
}

// ---------------------------------------------------------------------------------------------
// Which programme a command is about

const CliState = z.looseObject({ programmeId: ProgrammeId, appliedAt: z.optional(z.string()) });

/** Remembers the programme applied last (local only: `<data dir>/cli.json`). */
export async function rememberProgramme(backend: Backend, programmeId: string, at: Date): Promise<void> {
  if (backend.kind !== 'local' || backend.dataDir === undefined) return;
  await mkdir(backend.dataDir, { recursive: true });
  const state = { programmeId, appliedAt: at.toISOString() };
  await writeFile(join(backend.dataDir, CLI_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

async function rememberedProgramme(dataDir: string): Promise<string | undefined> {
  try {
    const parsed = CliState.safeParse(JSON.parse(await readFile(join(dataDir, CLI_STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data.programmeId : undefined;
  } catch {
    return undefined;
  }
}

/** The programme id: --programme, else ISMS_PROGRAMME_ID, else (locally) the one applied last. */
export async function resolveProgrammeId(
  backend: Backend,
  values: Record<string, string | boolean | undefined>,
  env: Env = process.env,
): Promise<string> {
  const flag = option(values, 'programme');
  const [source, given] =
    flag !== undefined ? ['--programme', flag] : ['ISMS_PROGRAMME_ID', env.ISMS_PROGRAMME_ID?.trim()];
  if (given) {
    const parsed = ProgrammeId.safeParse(given);
    if (!parsed.success) {
      throw new UsageError(
        `${source} "${given}" is not a programme id; expected the organisation id of the programme, e.g. example-ltd`,
      );
    }
    return parsed.data;
  }
  if (backend.kind === 'local' && backend.dataDir !== undefined) {
    const remembered = await rememberedProgramme(backend.dataDir);
    if (remembered) return remembered;
    throw new UsageError(
      'No programme has been applied to this local stack yet: run `isms-review programme apply <file>`, or give --programme <id>.',
    );
  }
  throw new UsageError(
    'Give the programme: --programme <id> or ISMS_PROGRAMME_ID (the organisation id of the programme).',
  );
}
