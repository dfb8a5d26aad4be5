/**
 * DynamoDB requests per operation at three history sizes, the package build time, and ingest
 * throughput through the local SMTP path, all against the real local stack (DynamoDB Local, local
 * SES, local S3, SMTP server).
 *
 * The operations are the phase entry points the state machine's functions call
 * (shared/cycle/service.ts) and the ingest the SES receipt rule calls, with the dependencies built
 * from the environment exactly as in a Lambda function (shared/wiring/). Every DynamoDB client those
 * build is counted by the request counter's middleware.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ingestFromSmtp, ingestInbound } from '#infra/local/ingest.ts';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { onDynamoClientCreated } from '#shared/adapters/dynamodb.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { RequestCounter, type RequestCounts } from '#shared/adapters/request-counter.ts';
import { CLOCK_ENV_VAR } from '#shared/clock.ts';
import {
  checkInputs,
  compilePackage,
  distributePackage,
  followUpActions,
  openCycle,
  requestInputs,
} from '#shared/cycle/service.ts';
import type { IngestResult } from '#shared/ingest/pipeline.ts';
import { inputLadder } from '#shared/cycle/input-policy.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { personById } from '#shared/programme/queries.ts';
import { cycleDeps } from '#shared/wiring/cycle.ts';
import { ingestDeps } from '#shared/wiring/ingest.ts';
import { resetWiring } from '#shared/wiring/wiring.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { createTable } from '#infra/local/resources.ts';
import { LOCAL_CREDENTIALS } from '#infra/local/emulators/s3.ts';
import { startLocalStack, type LocalStack } from '#infra/local/stack.ts';
import {
  deliverAll,
  replyAddress,
  replyAddressesOf,
  replyBurst,
  replyMessage,
} from '#test/support/replies.ts';
import {
  HISTORY_SIZES,
  OPEN_OVERDUE_ACTIONS,
  saveProgramme,
  seedHistory,
  type HistorySize,
} from './history.ts';

const DAY = 86_400_000;

export type OperationName =
  | 'openCycle'
  | 'requestInputs'
  | 'ingestReply'
  | 'checkInputsFollowUp'
  | 'checkInputs'
  | 'compilePackage'
  | 'distributePackage'
  | 'escalationSweep'
  | 'escalationSweepIdle';

/**
 * The request targets per operation: ingest of one reply at most 8 requests; asking for inputs at
 * most 2 per owner asked plus a constant; the input check 4 when reminders are due (the cycle with
 * its requests and steps in one query, the reminders claimed in one write and recorded as sent in
 * one more, up to 20 messages, and recorded on the requests in one) and 3 at the deadline (every
 * missing input marked in one write, the phase moved in one more); an escalation sweep at most 4 per
 * action it finds due.
 */
export const REQUEST_TARGETS = {
  ingestReply: { perUnit: 0, constant: 8, unit: 'reply' },
  requestInputs: { perUnit: 2, constant: 6, unit: 'owner asked' },
  checkInputsFollowUp: { perUnit: 0, constant: 4, unit: 'check' },
  checkInputs: { perUnit: 0, constant: 3, unit: 'check' },
  escalationSweep: { perUnit: 4, constant: 0, unit: 'due action' },
} as const;

export interface TargetFigure {
  readonly operation: keyof typeof REQUEST_TARGETS;
  readonly units: number;
  /** The most requests allowed for `units` (per unit times units, plus the constant). */
  readonly allowed: number;
  /** The requests counted at the largest history size (they must also be flat across sizes). */
  readonly requests: number;
  /** Requests at each history size, smallest first. */
  readonly bySize: readonly number[];
  readonly flat: boolean;
  readonly met: boolean;
}

export interface OperationFigure {
  readonly requests: number;
  readonly attempts: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly byCommand: Readonly<Record<string, number>>;
  readonly ms: number;
}

export interface SizeFigures {
  readonly size: HistorySize;
  readonly seededItems: number;
  readonly operations: Readonly<Record<OperationName, OperationFigure>>;
  /** Emails the cycle's operations sent (outbox records). */
  readonly emailsSent: number;
  /** Owners the new cycle asked for inputs (requestInputs' unit). */
  readonly ownersAsked: number;
  /** Actions the escalation sweep finds due (its unit): the open, overdue actions seeded. */
  readonly sweepActionsDue: number;
}

/** Each request target against what `sizes` counted: met when within the target at every size and flat. */
export function targetsOf(sizes: readonly SizeFigures[]): TargetFigure[] {
  return (Object.keys(REQUEST_TARGETS) as (keyof typeof REQUEST_TARGETS)[]).map((operation) => {
    const target = REQUEST_TARGETS[operation];
    const last = sizes.at(-1)!;
    const units =
      operation === 'requestInputs'
        ? last.ownersAsked
        : operation === 'escalationSweep'
          ? last.sweepActionsDue
          : 1;
    const allowed = target.perUnit * units + target.constant;
    const bySize = sizes.map((s) => s.operations[operation].requests);
    const flat = bySize.every((n) => n === bySize[0]);
    return {
      operation,
      units,
      allowed,
      requests: bySize.at(-1)!,
      bySize,
      flat,
      met: flat && bySize.every((n) => n <= allowed),
    };
  });
}

export interface IngestFigures {
  readonly messages: number;
  readonly distinctMessageIds: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  /** Distinct messages the ingest never handled (after MTA-like resends of 4xx): must be 0. */
  readonly lost: number;
  /** Temporary failures (4xx) the sender resent. */
  readonly temporaryFailures: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** DynamoDB commands the ingest sent per message delivered (duplicates and conflict retries included). */
  readonly dynamodbRequestsPerMessage: number;
  /** Those commands by name, in all. */
  readonly dynamodbByCommand: Readonly<Record<string, number>>;
}

export class BenchStepFailed extends Error {
  override name = 'BenchStepFailed' as const;
}

/** The bench's local stack: every message the SMTP server stores goes through the real ingest. */
export interface BenchStack {
  readonly stack: LocalStack;
  readonly inbound: { results: IngestResult[]; failures: string[] };
}

export async function startBenchStack(): Promise<BenchStack> {
  const inbound = { results: [] as IngestResult[], failures: [] as string[] };
  const stack = await startLocalStack({
    onInbound: async (mail) => {
      try {
        inbound.results.push(await ingestInbound(mail));
      } catch (error) {
        inbound.failures.push((error as Error).message);
        throw error;
      }
    },
  });
  return { stack, inbound };
}

/** Publishes simulated time to every clock built from the environment (shared/clock.ts). */
function setClock(at: Date): void {
  process.env[CLOCK_ENV_VAR] = JSON.stringify({
    speed: 1,
    realAnchorMs: Date.now(),
    simulatedAnchorMs: at.getTime(),
  });
}

/** Points the handlers' environment at a new table and forgets dependencies built for the last one. */
async function useFreshTable(bench: BenchStack, programme: Programme, label: string) {
  const client = new DynamoDBClient({
    endpoint: bench.stack.endpoints.dynamodb,
    region: bench.stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = `bench-${label}-${randomUUID().slice(0, 8)}`;
  await createTable(client, tableName);
  Object.assign(process.env, bench.stack.env, {
    TABLE_NAME: tableName,
    PROGRAMME_ID: programme.organisation.id,
    MAIL_FROM: programme.mail.fromAddress,
    INBOUND_DOMAIN: programme.mail.inboundDomain,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  resetWiring();
  return { client, tableName, repo: new DynamoDbRepository({ client, tableName }) };
}

function figureOf(counts: RequestCounts, ms: number): OperationFigure {
  return {
    requests: counts.totalCommands,
    attempts: counts.totalAttempts,
    readUnits: round2(counts.readUnits),
    writeUnits: round2(counts.writeUnits),
    byCommand: counts.commands,
    ms: Math.round(ms),
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** A reply address for `recipientId`, its token stored as the notifier stores it. */
const replyAddressFor = (
  repo: DynamoDbRepository,
  programme: Programme,
  cycleId: string,
  recipientId: string,
  now: Date,
) => replyAddress({ repo, programme, cycleId, recipientId, now, replyKeyHex: process.env.REPLY_KEY ?? '' });

/** Runs the phases of one new cycle on `size` worth of history and counts what each one sends. */
export async function measureSize(
  bench: BenchStack,
  programme: Programme,
  size: HistorySize,
  counter: RequestCounter,
  start: Date,
): Promise<SizeFigures> {
  const { client, tableName, repo } = await useFreshTable(bench, programme, size.label);
  setClock(start);
  const programmeRef = await saveProgramme(repo, programme, new Date(start.getTime() - 400 * DAY));
  const seededItems = await seedHistory({ client, tableName, programme, programmeRef, size, now: start });
  const deps = await cycleDeps();
  const cycleId = cycleIdFor('quarterly', start);
  const operations = {} as Record<OperationName, OperationFigure>;
  const measure = async <T>(name: OperationName, work: () => Promise<T>): Promise<T> => {
    if (process.env.BENCH_TRACE_REQUESTS === 'true') process.stdout.write(`   ${name} (${size.label}):\n`);
    const began = performance.now();
    const { result, counts } = await counter.measure(work);
    operations[name] = figureOf(counts, performance.now() - began);
    return result;
  };

  await measure('openCycle', () =>
    openCycle(deps, {
      executionName: cycleId,
      request: {
        programmeId: programmeRef.programmeId,
        type: 'quarterly',
        scheduledTime: start.toISOString(),
        requestedBy: 'bench',
      },
    }),
  );
  const sentBefore = async () =>
    (await new DynamoOutboxStore({ client, tableName }).listSent(cycleId)).length;
  const mailBeforeRequests = await sentBefore();
  await measure('requestInputs', () => requestInputs(deps, cycleId));
  const ownersAsked = (await sentBefore()) - mailBeforeRequests;

  const requests = await repo.listInputRequests(cycleId);
  const asked = requests.find((r) => !r.automatic && r.ownerId !== undefined);
  if (!asked?.ownerId) throw new BenchStepFailed('the new cycle asked no input owner for anything');
  const replyAt = new Date(start.getTime() + 2 * DAY);
  setClock(replyAt);
  const to = await replyAddressFor(repo, programme, cycleId, asked.ownerId, replyAt);
  const from = personById(programme, asked.ownerId).email;
  const ingest = await ingestDeps();
  const result = await measure('ingestReply', () =>
    ingestFromSmtp(ingest, {
      bucket: bench.stack.buckets.rawMail,
      key: `inbound/bench-${randomUUID()}`,
      raw: replyMessage({
        from,
        to,
        request: asked,
        messageId: `${randomUUID()}@bench.example.com`,
        date: replyAt,
        figure: 4,
      }),
      envelope: { mailFrom: from, rcptTo: [to] },
      receivedAt: replyAt.toISOString(),
    }),
  );
  if (result.outcome !== 'accepted') {
    throw new BenchStepFailed(`the bench reply was not accepted: ${result.outcome} (${result.reason})`);
  }

  // The first reminder falls due: the check sends it to every owner with an input missing (those
  // whose business hours it is) and records it on their requests.
  const cycle = await repo.getCycle(cycleId);
  const [firstStep] = inputLadder(new Date(cycle!.openedAt), new Date(cycle!.inputsDueAt), {
    reminderEveryDays: programme.leadTimes.inputReminderEveryDays,
    remindersBeforeEscalation: programme.escalation.inputEscalation.remindersBeforeEscalation,
  });
  if (!firstStep) throw new BenchStepFailed('the programme sends no input reminder before the deadline');
  setClock(new Date(firstStep.dueAt.getTime() + 60_000));
  const mailBeforeReminders = await sentBefore();
  await measure('checkInputsFollowUp', () => checkInputs(deps, cycleId));
  if ((await sentBefore()) === mailBeforeReminders) {
    throw new BenchStepFailed(`the input check at ${firstStep.dueAt.toISOString()} sent no reminder`);
  }

  // The input deadline passes: the missing inputs are marked, then the package is built.
  setClock(new Date(Date.parse(cycle!.inputsDueAt) + 60_000));
  await measure('checkInputs', () => checkInputs(deps, cycleId));
  await measure('compilePackage', () => compilePackage(deps, cycleId));
  setClock(new Date(Date.parse(cycle!.packageSendAt) + 60_000));
  await measure('distributePackage', () => distributePackage(deps, cycleId));
  await measure('escalationSweep', () => followUpActions(deps, cycleId));
  // The next day's sweep, with nothing due: what most follow-up days cost.
  setClock(new Date(Date.parse(cycle!.packageSendAt) + DAY + 60_000));
  await measure('escalationSweepIdle', () => followUpActions(deps, cycleId));

  const emailsSent = (await new DynamoOutboxStore({ client, tableName }).listSent(cycleId)).length;
  client.destroy();
  return { size, seededItems, operations, emailsSent, ownersAsked, sweepActionsDue: OPEN_OVERDUE_ACTIONS };
}

export async function measureAllSizes(
  bench: BenchStack,
  programme: Programme,
  start: Date,
  log: (line: string) => void,
): Promise<SizeFigures[]> {
  const counter = new RequestCounter({
    consumedCapacity: true,
    ...(process.env.BENCH_TRACE_REQUESTS === 'true'
      ? { onCommand: (name, input) => log(`     ${describeCommand(name, input)}`) }
      : {}),
  });
  const stopCounting = onDynamoClientCreated((client) => counter.attach(client));
  try {
    const figures: SizeFigures[] = [];
    const only = process.env.BENCH_HISTORY?.split(',').map((label) => label.trim());
    for (const size of HISTORY_SIZES.filter((s) => !only || only.includes(s.label))) {
      log(`  history ${size.label}: ${size.cycles} earlier cycles, ${size.closedActions} closed actions`);
      figures.push(await measureSize(bench, programme, size, counter, start));
    }
    return figures;
  } finally {
    stopCounting();
  }
}

/** One line per command for BENCH_TRACE_REQUESTS: its name, the keys it names, and the caller in shared/. */
export function describeCommand(name: string, input: Readonly<Record<string, unknown>>): string {
  const keyOf = (item: unknown) => {
    const record = (item ?? {}) as Record<string, unknown>;
    return [record.pk, record.sk].filter((part) => part !== undefined).join(' ');
  };
  const parts: string[] = [];
  if (input.Key) parts.push(keyOf(input.Key));
  if (input.Item) parts.push(keyOf(input.Item));
  if (input.KeyConditionExpression) {
    parts.push(
      `${input.IndexName ? `${String(input.IndexName)}: ` : ''}${String(input.KeyConditionExpression)}`,
    );
    parts.push(JSON.stringify(input.ExpressionAttributeValues ?? {}));
  }
  if (Array.isArray(input.TransactItems)) {
    for (const item of input.TransactItems as Record<string, { Key?: unknown; Item?: unknown }>[]) {
      const [op, body] = Object.entries(item)[0] ?? ['?', {}];
      parts.push(`${op}(${keyOf(body?.Key ?? body?.Item)})`);
    }
  }
  if (input.RequestItems) parts.push(JSON.stringify(input.RequestItems).slice(0, 300));
  const caller = (new Error().stack ?? '')
    .split('\n')
    .filter((line) => line.includes('/shared/') && !line.includes('/shared/adapters/'))
    .slice(0, 2)
    .map((line) =>
      line
        .trim()
        .replace(/^at /, '')
        .replace(/\(?file:\/\/[^)]*\/shared\//, '(')
        .slice(0, 90),
    );
  return `${name} ${parts.join(' ').slice(0, 400)}  <- ${caller.join(' <- ')}`;
}

/**
 * Sends `count` replies (every fifth one a second delivery of an earlier Message-ID) through the
 * local SMTP server over a few parallel connections, and waits until the ingest has handled each
 * message the server accepted.
 */
export async function measureIngestThroughput(
  bench: BenchStack,
  programme: Programme,
  start: Date,
  count: number,
): Promise<IngestFigures> {
  const counter = new RequestCounter();
  const stopCounting = onDynamoClientCreated((client) => counter.attach(client));
  try {
    return await ingestBurst(bench, programme, start, count, counter);
  } finally {
    stopCounting();
  }
}

async function ingestBurst(
  bench: BenchStack,
  programme: Programme,
  start: Date,
  count: number,
  counter: RequestCounter,
): Promise<IngestFigures> {
  const { repo } = await useFreshTable(bench, programme, 'ingest');
  setClock(start);
  const programmeRef = await saveProgramme(repo, programme, new Date(start.getTime() - 400 * DAY));
  const deps = await cycleDeps();
  const cycleId = cycleIdFor('quarterly', start);
  await openCycle(deps, {
    executionName: cycleId,
    request: { programmeId: programmeRef.programmeId, type: 'quarterly', scheduledTime: start.toISOString() },
  });
  await requestInputs(deps, cycleId);
  const asked = (await repo.listInputRequests(cycleId)).filter((r) => !r.automatic && r.ownerId);
  const at = new Date(start.getTime() + DAY);
  setClock(at);
  const addresses = await replyAddressesOf({
    repo,
    programme,
    cycleId,
    requests: asked,
    now: at,
    replyKeyHex: process.env.REPLY_KEY ?? '',
  });
  const messages = replyBurst({
    programme,
    requests: asked,
    addresses,
    at,
    count,
    domain: 'bench.example.com',
  });

  bench.inbound.results.length = 0;
  bench.inbound.failures.length = 0;
  const began = performance.now();
  // The server answers 250 once the ingest has finished (OnInbound), so a delivered message is handled.
  const { result: delivery, counts } = await counter.measure(() =>
    deliverAll(bench.stack.smtp, messages, { connections: 4 }),
  );
  const seconds = (performance.now() - began) / 1000;
  const handled = new Set(bench.inbound.results.map((r) => r.messageId?.replace(/^<|>$/g, '')));
  const outcomes: Record<string, number> = {};
  for (const result of bench.inbound.results) outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
  return {
    messages: count,
    distinctMessageIds: new Set(messages.map((m) => m.messageId)).size,
    seconds: round2(seconds),
    messagesPerSecond: round2(count / seconds),
    lost: [...new Set(messages.map((m) => m.messageId))].filter((id) => !handled.has(id)).length,
    temporaryFailures: delivery.temporaryFailures,
    outcomes,
    dynamodbRequestsPerMessage: round2(counts.totalCommands / count),
    dynamodbByCommand: counts.commands,
  };
}
