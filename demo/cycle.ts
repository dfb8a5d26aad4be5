/**
 * runCycle(): one whole quarterly review cycle of programme.example.yaml on an ephemeral local stack,
 * with the simulated people of people.ts answering by SMTP (the story is told in demo/run.ts). The
 * demo script and `npm run bench` (to count what a real cycle costs: state transitions, Lambda
 * invocations and their duration) both run it.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import {
  countOutboundMail,
  type OutboundMailCounts,
  type OutboundMailKind,
} from '#shared/evidence/mail-kinds.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { nextOccurrences } from '#shared/programme/cron.ts';
import type { InboundMail } from '#infra/local/emulators/smtp.ts';
import { startLocalStack } from '#infra/local/stack.ts';
import type { ExecutionMetrics, LambdaInvocationFigures } from '#infra/local/stepfunctions/runtime.ts';
import { startLocalWorkflow, type LocalWorkflow } from '#infra/local/workflow.ts';
import { Demo, DemoFailed } from './people.ts';
import { writeResults } from './results.ts';
import { seedHistory } from './history.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';

export { DemoFailed };

// Quiet handler logs (warnings and errors still show) and the SDK's Node 20 notice: the demo prints its own story.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const PROGRAMME_FILE = 'programme.example.yaml';

/** The kinds of message the demo's story sends at least one of (mail-kinds.ts names every kind). */
const STORY_KINDS = [
  'inputRequests',
  'inputReminders',
  'inputEscalations',
  'approvalRequests',
  'package',
  'minutesRequests',
  'minutes',
  'actionReminders',
  'actionEscalations',
  'managementDecisions',
  'answers',
] as const satisfies readonly OutboundMailKind[];

/** The email counts of the final JSON line: every message sent, by kind, and their total. */
export function countEmails(keys: readonly string[]): OutboundMailCounts {
  return countOutboundMail(keys);
}

export interface CycleRunOptions {
  /** Where every email sent and every reply is written (.eml), emptied first. */
  readonly outputDir: string;
  /** Also write the package, the minutes, the event log and the verified evidence bundle. */
  readonly writeResults: boolean;
  /** Where the story goes, line by line; default the console. */
  readonly log?: (line: string) => void;
}

export interface CycleRun {
  readonly cycle: Cycle;
  /** Outbox keys of every email the cycle sent. */
  readonly sentKeys: readonly string[];
  /** Recipients of those emails, summed (what SES bills). */
  readonly sentRecipients: number;
  readonly emails: OutboundMailCounts;
  /** Replies the simulated people sent, each received by SMTP and ingested. */
  readonly repliesReceived: number;
  /** Files written besides mail/ and replies/ (with writeResults). */
  readonly files: readonly string[];
  /** What the cycle's execution used, counted by the local Step Functions runtime. */
  readonly execution: ExecutionMetrics;
  /** Invocations outside the state machine (schedule target, ingest of each reply), by handler file. */
  readonly outsideWorkflow: Readonly<Record<string, LambdaInvocationFigures>>;
}

/** Times one handler call made outside the state machine into `figures`, by its entry file. */
async function timed<T>(
  figures: Record<string, { invocations: number; durationMs: number }>,
  entry: string,
  call: () => Promise<T>,
): Promise<T> {
  const began = performance.now();
  try {
    return await call();
  } finally {
    const figure = (figures[entry] ??= { invocations: 0, durationMs: 0 });
    figure.invocations += 1;
    figure.durationMs += performance.now() - began;
  }
}

/** Runs one whole quarterly cycle of programme.example.yaml on an ephemeral local stack. */
export async function runCycle(options: CycleRunOptions): Promise<CycleRun> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = options.outputDir;
  const programme = loadProgrammeFile(PROGRAMME_FILE);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'mail'), { recursive: true });
  await mkdir(join(dir, 'replies'), { recursive: true });

  log('Starting an ephemeral local stack (DynamoDB Local, SES, S3, SMTP) ...');
  let workflow: LocalWorkflow | undefined;
  let demo: Demo | undefined;
  const outsideWorkflow: Record<string, { invocations: number; durationMs: number }> = {};
  let repliesReceived = 0;
  // Every reply goes through the same ingest as on AWS; the demo insists that each is accepted.
  const onInbound = async (message: InboundMail): Promise<void> => {
    const { ingestInbound } = await import('#infra/local/ingest.ts');
    repliesReceived += 1;
    const outcome = await timed(outsideWorkflow, 'functions/ingest-email.ts', () => ingestInbound(message));
    demo?.say(`in    ${outcome.outcome}: ${outcome.reason}`);
    if (outcome.outcome !== 'accepted') demo?.problem(`a reply was not accepted: ${outcome.reason}`);
  };
  const stack = await startLocalStack({ onInbound });
  try {
    const quarterly = programme.schedule.reviews.find((review) => review.type === 'quarterly')!;
    const fires = nextOccurrences(quarterly.cron, programme.organisation.timeZone, new Date(), 1)[0]!;
    log('Synthesizing the stack and starting the state machine on the local runtime ...');
    workflow = await startLocalWorkflow({ stack, programme, speed: 1, start: fires });
    const client = new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: stack.region,
    });
    const repo = new DynamoDbRepository({ client, tableName: stack.tableName });
    const outbox = new DynamoOutboxStore({ client, tableName: stack.tableName });
    const evidence = S3BlobStore.fromEnv('EVIDENCE_BUCKET', process.env);

    const saved = await repo.saveProgrammeVersion({
      programmeId: programme.organisation.id,
      version: 1,
      hash: canonicalHash(programme),
      savedAt: workflow.clock.now().toISOString(),
      savedBy: 'alice',
      document: programme as unknown as Record<string, unknown>,
    });
    log(`Applied ${PROGRAMME_FILE}: programme ${saved.programmeId} version ${saved.version}.`);
    // A year of earlier reviews (demo/history.ts), so that the package shows real trends.
    const history = await seedHistory(repo, programme, fires, snapshotRefOf(saved));
    log(`Seeded ${history.length} earlier reviews: ${history.join(', ')}.`);

    // The schedule fires: its target is the start-cycle function, which calls StartExecution.
    const { handler } = await import('#functions/start-cycle.ts');
    const event = { type: 'quarterly', scheduledTime: fires.toISOString(), requestedBy: 'schedule' };
    const fire = () =>
      timed(outsideWorkflow, 'functions/start-cycle.ts', async () => handler(event, {} as never));
    const started = (await fire()) as { cycleId: string };
    // At-least-once delivery: the same firing again names the same execution, so nothing new starts.
    await fire();
    demo = new Demo(programme, stack, workflow, repo, outbox, evidence, started.cycleId, dir, log);
    demo.say(`schedule fired (twice): cycle ${started.cycleId}`);

    const cycle = await demo.run();
    if (demo.failures.length > 0)
      throw new DemoFailed(`simulated people hit problems: ${demo.failures.join('; ')}`);
    const sent = await outbox.listSent(cycle.id);
    const sentKeys = sent.map((record) => record.key);
    const emails = countEmails(sentKeys);
    for (const kind of STORY_KINDS) {
      if (emails[kind] < 1) throw new DemoFailed(`no ${kind} email was sent`);
    }
    const files = options.writeResults
      ? await writeResults(demo, { repo, evidence, dir }, cycle, {
          sent: emails.total,
          received: repliesReceived,
        })
      : [];
    const execution = (await workflow.runtime.listExecutions()).find((e) => e.name === cycle.id);
    if (!execution) throw new DemoFailed(`no execution is named after the cycle ${cycle.id}`);
    await workflow.runtime.waitForExecution(execution.executionArn);
    return {
      cycle,
      sentKeys,
      sentRecipients: sent.reduce((sum, record) => sum + record.recipients.length, 0),
      emails,
      repliesReceived,
      files,
      execution: workflow.runtime.metrics(execution.executionArn),
      outsideWorkflow,
    };
  } finally {
    demo?.close();
    await workflow?.close();
    await stack.stop();
  }
}
