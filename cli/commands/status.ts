import { tableDesign, type TableDesign } from '#shared/store/table-design.ts';
import {
  BACKEND_HELP,
  backendOptions,
  requireSetting,
  resolveBackend,
  type Backend,
  type ContractVariable,
} from '../backend.ts';
import { s3Client, dynamoDbClient, sesClient, sfnClient } from '../clients.ts';
import { ExitCode, rootCause, UsageError } from '../output.ts';
import type { Command } from './types.ts';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** Why it passed or failed, in words. */
  readonly detail: string;
}

/** An error as a short reason: `connection refused (ECONNREFUSED) at http://127.0.0.1:8000`. */
export function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = rootCause(error);
  const code = (inner as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): nothing listens there';
  if (inner.name === 'TimeoutError' || code === 'ETIMEDOUT')
    return `no answer in time (${inner.message || 'timeout'})`;
  const message = inner.message || code || inner.name;
  return inner.name && inner.name !== 'Error' ? `${inner.name}: ${message}` : message;
}

async function attempt(name: string, check: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await check() };
  } catch (error) {
    return { name, ok: false, detail: reason(error) };
  }
}

interface DescribedKey {
  AttributeName?: string | undefined;
  KeyType?: string | undefined;
}

function keyProblem(
  what: string,
  found: DescribedKey[] | undefined,
  hash: string,
  range: string,
): string | undefined {
  const get = (type: string) => found?.find((key) => key.KeyType === type)?.AttributeName;
  if (get('HASH') !== hash || get('RANGE') !== range) {
    return `${what} has keys ${get('HASH') ?? '?'}/${get('RANGE') ?? '?'}, expected ${hash}/${range}`;
  }
  return undefined;
}

interface DescribedTable {
  TableStatus?: string | undefined;
  KeySchema?: DescribedKey[] | undefined;
  GlobalSecondaryIndexes?:
    | {
        IndexName?: string | undefined;
        IndexStatus?: string | undefined;
        KeySchema?: DescribedKey[] | undefined;
      }[]
    | undefined;
}

/** What is wrong with a described table against the design; empty when it matches and is ACTIVE. */
export function tableProblems(
  table: DescribedTable | undefined,
  design: TableDesign = tableDesign,
): string[] {
  if (!table) return ['DescribeTable returned no table'];
  const problems: string[] = [];
  if (table.TableStatus !== 'ACTIVE')
    problems.push(`table is ${table.TableStatus ?? 'in an unknown state'}, not ACTIVE`);
  const own = keyProblem('table', table.KeySchema, design.partitionKey.name, design.sortKey.name);
  if (own) problems.push(own);
  for (const index of design.globalSecondaryIndexes) {
    const found = table.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.indexName);
    if (!found) {
      problems.push(`index ${index.indexName} is missing`);
      continue;
    }
    if (found.IndexStatus !== 'ACTIVE')
      problems.push(`index ${index.indexName} is ${found.IndexStatus ?? 'unknown'}`);
    const keys = keyProblem(
      `index ${index.indexName}`,
      found.KeySchema,
      index.partitionKey.name,
      index.sortKey.name,
    );
    if (keys) problems.push(keys);
  }
  return problems;
}

/** A check whose setting is missing fails with the reason instead of calling anything. */
const setting = (backend: Backend, name: ContractVariable): string => requireSetting(backend, name);

export async function runChecks(backend: Backend): Promise<Check[]> {
  const table = attempt(`table ${backend.env.TABLE_NAME ?? '(TABLE_NAME)'}`, async () => {
    const tableName = setting(backend, 'TABLE_NAME');
    const client = await dynamoDbClient(backend, { quick: true });
    try {
      const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      const problems = tableProblems(Table);
      if (problems.length > 0) throw new Error(problems.join('; '));
      return `ACTIVE with indexes ${tableDesign.globalSecondaryIndexes.map((index) => index.indexName).join(', ')}`;
    } finally {
      client.destroy();
    }
  });

  const bucket = (variable: 'RAW_MAIL_BUCKET' | 'EVIDENCE_BUCKET', role: string) =>
    attempt(`${role} bucket ${backend.env[variable] ?? `(${variable})`}`, async () => {
      const name = setting(backend, variable);
      const client = await s3Client(backend, { quick: true });
      try {
        const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
        await client.send(new HeadBucketCommand({ Bucket: name }));
        return 'exists';
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) throw new Error(`bucket ${name} does not exist`, { cause: error });
        if (status === 403) throw new Error(`no access to bucket ${name} (403)`, { cause: error });
        throw error;
      } finally {
        client.destroy();
      }
    });

  const mail = attempt('mail (SES)', async () => {
    if (backend.kind === 'local') {
      const endpoint = setting(backend, 'AWS_ENDPOINT_URL_SES');
      const response = await fetch(new URL('/health-check', endpoint), {
        signal: AbortSignal.timeout(3_000),
      });
      if (!response.ok) throw new Error(`the local SES at ${endpoint} answered HTTP ${response.status}`);
      return `local SES answers at ${endpoint}`;
    }
    const client = await sesClient(backend, { quick: true });
    try {
      const { GetSendQuotaCommand } = await import('@aws-sdk/client-ses');
      const quota = await client.send(new GetSendQuotaCommand({}));
      return `sending quota ${quota.Max24HourSend ?? '?'} per 24 h, ${quota.SentLast24Hours ?? 0} sent in the last 24 h`;
    } finally {
      client.destroy();
    }
  });

  const workflow = attempt('state machine', async () => {
    if (backend.kind === 'local') {
      const endpoint = setting(backend, 'AWS_ENDPOINT_URL_SFN');
      const client = await sfnClient(backend, { quick: true });
      try {
        const { ListExecutionsCommand } = await import('@aws-sdk/client-sfn');
        const arn = backend.env.STATE_MACHINE_ARN;
        const listed = await client.send(
          new ListExecutionsCommand({ ...(arn ? { stateMachineArn: arn } : {}), maxResults: 1 }),
        );
        const seen = listed.executions?.length ? ', has executions' : ', no executions yet';
        return `local workflow runtime answers at ${endpoint}${seen}`;
      } finally {
        client.destroy();
      }
    }
    const arn = setting(backend, 'STATE_MACHINE_ARN');
    const client = await sfnClient(backend, { quick: true });
    try {
      const { DescribeStateMachineCommand } = await import('@aws-sdk/client-sfn');
      const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      if (described.status && described.status !== 'ACTIVE')
        throw new Error(`state machine is ${described.status}`);
      return `${described.name ?? arn} is ${described.status ?? 'reachable'}`;
    } finally {
      client.destroy();
    }
  });

  return Promise.all([
    table,
    bucket('RAW_MAIL_BUCKET', 'raw mail'),
    bucket('EVIDENCE_BUCKET', 'evidence'),
    mail,
    workflow,
  ]);
}

export function formatChecks(checks: readonly Check[]): string[] {
  const width = Math.max(...checks.map((check) => check.name.length));
  return checks.map((check) => `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail}`);
}

export const status: Command = {
  words: ['status'],
  usage: 'status',
  summary: 'Check that the backend is reachable and ready: table, buckets, mail, state machine.',
  help: [
    'Prints one line per check, ok or FAIL with the reason. Exit 0 only when every check passes.',
    'Local: the table is ACTIVE with its designed indexes, both buckets exist, the local SES answers,',
    'and the local workflow runtime answers ListExecutions. AWS: the same, with SES GetSendQuota and',
    'DescribeStateMachine.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions },
  async run({ positionals, values, out, env }) {
    if (positionals.length > 0)
      throw new UsageError(`status takes no arguments, not "${positionals.join(' ')}".`);
    let backend: Backend;
    try {
      backend = await resolveBackend(values, env);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const checks: Check[] = [{ name: 'backend', ok: false, detail: reason(error) }];
      for (const line of formatChecks(checks)) out.say(line);
      out.result({ ok: false, backend: null, checks });
      return ExitCode.failed;
    }
    out.say(`Backend: ${backend.description}`);
    const checks = await runChecks(backend);
    for (const line of formatChecks(checks)) out.say(line);
    const ok = checks.every((check) => check.ok);
    out.say(ok ? 'Ready.' : `${checks.filter((check) => !check.ok).length} check(s) failed.`);
    out.result({ ok, backend: { kind: backend.kind, description: backend.description }, checks });
    return ok ? ExitCode.ok : ExitCode.failed;
  },
};
