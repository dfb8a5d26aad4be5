/**
 * `npm run demo`: one whole review cycle on an ephemeral local stack, in accelerated time.
 *
 * It starts the local stack in memory on free ports (DynamoDB Local, local SES, local S3, the inbound
 * SMTP server handing every message to the same ingest code as the SES receipt rule), applies
 * programme.example.yaml, runs the synthesized state machine on the local Step Functions runtime,
 * and fires the quarterly schedule through the schedule's own target (the start-cycle handler).
 * Simulated people read what the system sends them and answer by real SMTP, like mail clients would:
 *
 *   risk-owner, ciso and alice  answer their input requests at once (alice quotes the request below)
 *   auditor                     answers late: after the first reminder
 *   customer-lead               never answers (reminders, escalation, NOT PROVIDED)
 *   alice (ISMS manager)        replies to the minutes request with the minutes: two actions
 *   ciso                        replies DONE to the first reminder about the action
 *   cto                         ignores the action until it is escalated to top management
 *   ceo (chair)                 replies to that escalation: RESCHEDULE with a new date
 *   cto                         replies DONE to the chair's decision
 *
 * Time moves only while the workflow is idle and no reply is in flight, so the story is the same
 * however fast the machine is. Everything worth looking at is written to demo-output/; the last line
 * of output is one JSON object with the cycle id, its final status and the email counts.
 *
 * runCycle() is the same story without the command around it: `npm run bench` runs it to count what a
 * real cycle costs (state transitions, Lambda invocations and their duration).
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { exportEvidence } from '#shared/adapters/evidence-source.ts';
import { createAnchorStore } from '#shared/adapters/s3-anchor-store.ts';
import { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import { canonicalHash, canonicalJson } from '#shared/model/canonical-json.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { formatVerification, verifyBundle } from '#shared/evidence/verify.ts';
import { renderInputAnswer } from '#shared/mail/reply-format.ts';
import type { OutboxRecord } from '#shared/mail/outbox.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { personById, programmeCatalogue } from '#shared/programme/queries.ts';
import { writeFrozenPackage } from '#shared/package/render.ts';
import { nextOccurrences } from '#shared/programme/cron.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { InboundMail } from '#infra/local/emulators/smtp.ts';
import { startLocalStack, type LocalStack } from '#infra/local/stack.ts';
import type { ExecutionMetrics, LambdaInvocationFigures } from '#infra/local/stepfunctions/runtime.ts';
import { startLocalWorkflow, type LocalWorkflow } from '#infra/local/workflow.ts';

// Quiet handler logs (warnings and errors still show) and the SDK's Node 20 notice: the demo prints its own story.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export class DemoFailed extends Error {
  override name = 'DemoFailed' as const;
}

const OUTPUT_DIR = 'demo-output';
const PROGRAMME_FILE = 'programme.example.yaml';
const DAY_MS = 86_400_000;
/** How far simulated time jumps each time the workflow is idle. */
const STEP_MS = 3 * 3_600_000;
/** A bound on the whole run, in real time. */
const TIMEOUT_MS = 110_000;

/** The email counts of the final JSON line, by outbox key. */
const EMAIL_KINDS = {
  inputRequests: (key: string) => key.startsWith('input-request:'),
  reminders: (key: string) => /^input:[^:]+:reminder-/.test(key),
  escalations: (key: string) => /^(input|action):.+:escalate-/.test(key),
  managementDecisions: (key: string) => /^action:[^:]+:(reschedule|reassign|accept-risk):/.test(key),
  package: (key: string) => /^package:v\d+$/.test(key),
  minutes: (key: string) => /^minutes:v\d+$/.test(key),
  actionReminders: (key: string) => /^action:.+:(remind|overdue-notice)/.test(key),
} as const;
type EmailCounts = Record<keyof typeof EMAIL_KINDS, number>;

/** Who answers their input request at once, who only after the first reminder (the rest never). */
const ANSWER_AT_ONCE = new Set(['risk-owner', 'ciso', 'alice']);
const LATE_OWNER = 'auditor';

const simDate = (at: Date): string => at.toISOString().slice(0, 16).replace('T', ' ');

/** What one simulated person does with one email. */
interface Received {
  readonly record: OutboxRecord;
  readonly mail: ParsedMail;
  readonly raw: Buffer;
}

class Demo {
  private readonly seen = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private replyCount = 0;
  private readonly problems: string[] = [];
  private readonly mailer;

  constructor(
    private readonly programme: Programme,
    private readonly stack: LocalStack,
    private readonly workflow: LocalWorkflow,
    private readonly repo: DynamoDbRepository,
    private readonly outbox: DynamoOutboxStore,
    private readonly evidence: S3BlobStore,
    readonly cycleId: string,
    private readonly dir: string,
    private readonly log: (line: string) => void,
  ) {
    this.mailer = nodemailer.createTransport({
      host: stack.smtp.host,
      port: stack.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
  }

  get clock(): LocalWorkflow['clock'] {
    return this.workflow.clock;
  }

  private now(): Date {
    return this.workflow.clock.now();
  }

  say(line: string): void {
    this.log(`[${simDate(this.now())}] ${line}`);
  }

  /** Reads the cycle's sent mail and lets each recipient act on what is new. Returns how many were new. */
  async readMail(): Promise<number> {
    const sent = await this.outbox.listSent(this.cycleId);
    let fresh = 0;
    for (const record of sent) {
      if (this.seen.has(record.key)) continue;
      this.seen.add(record.key);
      fresh += 1;
      const raw = await this.evidence.get(record.rawKey!);
      await writeFile(
        join(this.dir, 'mail', `${String(this.seen.size).padStart(3, '0')}-${fileSafe(record.key)}.eml`),
        raw,
      );
      const mail = await simpleParser(raw);
      this.say(`sent  ${record.key.padEnd(44)} to ${record.recipients.join(', ')}`);
      this.react({ record, mail, raw });
    }
    return fresh;
  }

  private react(received: Received): void {
    const { key } = received.record;
    const request = /^input-request:(.+)$/.exec(key);
    if (request && ANSWER_AT_ONCE.has(request[1]!)) {
      this.track(this.answerInputs(request[1]!, received));
      return;
    }
    if (key === `input:${LATE_OWNER}:reminder-1`) {
      this.track(this.answerInputs(LATE_OWNER, received));
      return;
    }
    if (key === 'minutes-request') {
      this.track(this.sendMinutes(received));
      return;
    }
    const action = /^action:([^:]+):(?:.+:)?([^:]+)$/.exec(key);
    if (action) {
      const [, actionId, step] = action as unknown as [string, string, string];
      this.track(this.actOn(actionId, step, received));
      return;
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.problem((error as Error).message))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  problem(text: string): void {
    this.problems.push(text);
    console.error(`problem: ${text}`);
  }

  get failures(): readonly string[] {
    return this.problems;
  }

  /** A reply the way a mail client sends it: to the Reply-To address, threaded, the request quoted. */
  private async reply(fromId: string, received: Received, body: string, quote = true): Promise<void> {
    const person = personById(this.programme, fromId);
    const to = received.mail.replyTo?.value[0]?.address;
    if (!to) throw new DemoFailed(`${received.record.key} has no Reply-To address to answer`);
    const quoted = quote
      ? `\n\nOn ${received.mail.date?.toUTCString() ?? 'an earlier day'}, ${received.mail.from?.text ?? 'the ISMS review'} wrote:\n` +
        (received.mail.text ?? '')
          .split('\n')
          .map((line) => `> ${line}`)
          .join('\n')
      : '';
    const message = {
      from: { name: person.name, address: person.email },
      to,
      subject: `Re: ${received.mail.subject ?? ''}`,
      text: `${body}${quoted}\n`,
      ...(received.mail.messageId
        ? { inReplyTo: received.mail.messageId, references: [received.mail.messageId] }
        : {}),
    };
    const raw = await new Promise<Buffer>((resolve, reject) => {
      nodemailer
        .createTransport({ streamTransport: true, buffer: true })
        .sendMail(message, (error, info) => (error ? reject(error) : resolve(info.message as Buffer)));
    });
    this.replyCount += 1;
    await writeFile(
      join(this.dir, 'replies', `${String(this.replyCount).padStart(3, '0')}-${fromId}.eml`),
      raw,
    );
    await this.mailer.sendMail({ envelope: { from: person.email, to: [to] }, raw });
    this.say(`reply ${`from ${fromId}`.padEnd(44)} to ${received.record.key}`);
  }

  private async answerInputs(ownerId: string, received: Received): Promise<void> {
    const requests = (await this.repo.listInputRequests(this.cycleId)).filter(
      (request) => request.ownerId === ownerId && request.status !== 'SUBMITTED',
    );
    const titles = new Map(programmeCatalogue(this.programme).map((input) => [input.key, input.title]));
    const blocks = requests.map((request) =>
      renderInputAnswer(
        request.inputKey === 'g' && ownerId === 'alice'
          ? {
              key: request.inputKey,
              kind: 'nothing_to_report',
              period: request.periodCovered,
              nothingToReport: 'No opportunities for improvement were raised in the period.',
              metrics: [],
            }
          : {
              key: request.inputKey,
              kind: 'report',
              period: request.periodCovered,
              summary: `${titles.get(request.inputKey) ?? request.inputKey}: reviewed for the period; details in the register.`,
              metrics: [{ name: 'Open items', value: 2 + request.inputKey.length, unit: 'count' }],
              ...(request.inputKey === 'c'
                ? { decisionNeeded: 'Approve budget for a second supplier assessment.' }
                : {}),
            },
        titles.get(request.inputKey),
      ),
    );
    await this.reply(
      ownerId,
      received,
      ['Hello, here is my input.', '', ...blocks].join('\n'),
      ownerId === 'alice',
    );
  }

  private async sendMinutes(received: Received): Promise<void> {
    const cycle = (await this.repo.getCycle(this.cycleId))!;
    const meeting = new Date(cycle.plannedMeetingAt);
    const due = (days: number) => new Date(meeting.getTime() + days * DAY_MS).toISOString().slice(0, 10);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: this.programme.organisation.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(meeting);
    const keys = programmeCatalogue(this.programme).map((input) => input.key);
    const minutes = [
      'meeting:',
      `  date: ${cycle.plannedMeetingAt.slice(0, 10)}`,
      `  time: '${local}'`,
      'attendees:',
      '  - { person: ceo, status: present }',
      '  - { person: cfo, status: present }',
      '  - { person: cto, status: present }',
      '  - { person: alice, status: present }',
      'inputsConsidered:',
      ...keys.map((key) =>
        key === 'e'
          ? '  e: not provided; customer feedback to be presented at the next review'
          : `  ${key}: considered, nothing to report`,
      ),
      'decisions:',
      '  - { ref: D1, category: risk_treatment, text: Fund a second supplier assessment this quarter, input: c }',
      '  - { ref: D2, category: processes_and_controls, text: Customer feedback is an input owned by Customer Success and must be provided, input: e }',
      'actions:',
      `  - { title: Complete the second supplier assessment, owner: ciso, due: ${due(14)}, decision: D1 }`,
      `  - { title: Set up the customer feedback report for the ISMS review, owner: cto, due: ${due(5)}, decision: D2 }`,
      'assessment:',
      '  suitability: { verdict: yes, rationale: The scope still matches the business and its locations. }',
      '  adequacy: { verdict: partly, rationale: Customer feedback was not provided for this review. }',
      '  effectiveness: { verdict: yes, rationale: Security objectives for the quarter were met. }',
      '  alignment: { verdict: yes, rationale: The ISMS supports the growth plan agreed by the board. }',
    ].join('\n');
    await writeFile(join(this.dir, 'minutes-submitted.yaml'), `${minutes}\n`);
    await this.reply('alice', received, minutes, false);
  }

  /** The latest email about each action that its owner can answer (a reply address for the owner). */
  private readonly answerable = new Map<string, Received>();

  private async actOn(actionId: string, step: string, received: Received): Promise<void> {
    const action = await this.repo.getAction(actionId);
    if (!action || ['done', 'verified', 'cancelled'].includes(action.status)) return;
    const owner = action.ownerId;
    const recipient = personById(this.programme, owner).email.toLowerCase();
    if (!received.record.recipients.includes(recipient)) return;
    // The escalation to top management is answered by top management, not by the owner it copies.
    if (received.record.purpose === 'action' && received.mail.replyTo?.value[0]?.address) {
      this.answerable.set(actionId, received);
    }
    if (owner === 'cto' && step === 'escalate-top') {
      const newDate = new Date((received.mail.date?.getTime() ?? Date.now()) + 7 * DAY_MS);
      await this.reply(
        'ceo',
        received,
        `RESCHEDULE ${newDate.toISOString().slice(0, 10)} Tomasz has the data now; one more week, no later.`,
      );
      return;
    }
    const answersNow =
      (owner === 'ciso' && step.startsWith('remind')) ||
      (owner === 'cto' && received.record.key.includes(':reschedule:'));
    const answerTo = this.answerable.get(actionId);
    if (!answersNow || !answerTo) return;
    const evidence =
      owner === 'ciso'
        ? 'Supplier assessment report SA-2027-02 filed in the ISMS register.'
        : 'Customer feedback report set up; first issue sent to the ISMS manager.';
    await this.reply(owner, answerTo, `DONE ${evidence}`);
  }

  /** Moves simulated time on while the workflow sleeps and nobody has anything left to do. */
  async run(): Promise<Cycle> {
    const deadline = Date.now() + TIMEOUT_MS;
    let phase = '';
    for (;;) {
      const sleeping = this.workflow.clock.sleeping > 0;
      const fresh = await this.readMail();
      const cycle = await this.repo.getCycle(this.cycleId);
      if (cycle && cycle.phase !== phase) {
        phase = cycle.phase;
        this.say(`phase ${phase}`);
      }
      if (cycle?.phase === 'FAILED')
        throw new DemoFailed(`the cycle failed: ${JSON.stringify(cycle.failure)}`);
      if (cycle?.phase === 'CLOSED') {
        await Promise.all(this.inFlight);
        await this.readMail();
        return cycle;
      }
      if (Date.now() > deadline)
        throw new DemoFailed(`the cycle did not close within ${TIMEOUT_MS / 1000} s (phase ${phase})`);
      if (sleeping && fresh === 0 && !this.busy && this.workflow.clock.sleeping > 0) {
        this.workflow.clock.advance(STEP_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.mailer.close();
  }
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export function countEmails(keys: readonly string[]): EmailCounts {
  return Object.fromEntries(
    Object.entries(EMAIL_KINDS).map(([kind, matches]) => [kind, keys.filter(matches).length]),
  ) as EmailCounts;
}

async function writeResults(
  demo: Demo,
  deps: { repo: DynamoDbRepository; evidence: S3BlobStore; dir: string },
  cycle: Cycle,
) {
  const { repo, evidence, dir } = deps;
  const files: string[] = [];
  const write = async (name: string, body: string | Buffer) => {
    await writeFile(join(dir, name), body);
    files.push(name);
  };
  // The package as distributed: the newest frozen version, with its manifest and charts.
  const frozen = await writeFrozenPackage({
    blobs: evidence,
    cycleId: cycle.id,
    dir: join(dir, 'package'),
  });
  for (const name of ['package.html', 'package.pdf', 'package.txt']) {
    await copyFile(join(dir, 'package', name), join(dir, name));
    files.push(name);
  }
  if (frozen.contentHash !== cycle.packageHash) {
    throw new DemoFailed(
      `the package on file (${frozen.contentHash}) is not the one recorded (${cycle.packageHash})`,
    );
  }
  demo.say(`package v${frozen.version}, content SHA-256 ${frozen.contentHash}`);
  const minutes = await repo.getMinutes(cycle.id);
  if (minutes) {
    await write('minutes.yaml', `${minutes.sourceText}\n`);
    await write('minutes.json', `${JSON.stringify(minutes, null, 2)}\n`);
  }
  const actions = await repo.listActionsOfCycle(cycle.id);
  await write('actions.json', `${JSON.stringify(actions, null, 2)}\n`);
  const events = await repo.listEvents(cycle.id);
  await write('events.jsonl', events.map((event) => canonicalJson(event)).join('\n') + '\n');
  const opened = events.filter((event) => event.type === 'cycle.opened').length;
  if (opened !== 1) throw new DemoFailed(`the cycle was opened ${opened} times; expected once`);
  const chain = verifyChain(events);
  if (!chain.ok) throw new DemoFailed(`the cycle's event chain does not verify: ${JSON.stringify(chain)}`);
  demo.say(`event log: ${events.length} events, chain verified`);

  // The auditor's bundle, checked as `npx isms-review evidence verify` checks it (anchors included).
  const bundle = await exportEvidence({
    cycleId: cycle.id,
    out: join(dir, `evidence-${cycle.id}.zip`),
    env: process.env,
    clock: demo.clock,
  });
  const anchors = createAnchorStore({ env: process.env });
  const verified = verifyBundle(await readFile(bundle.path), {
    kind: 'stored',
    anchors: await anchors.list(cycle.id),
    location: anchors.location,
  });
  for (const line of formatVerification(verified)) demo.say(`evidence: ${line}`);
  if (!verified.ok) throw new DemoFailed('the evidence bundle does not verify');
  files.push(`evidence-${cycle.id}.zip`);
  return files;
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
  readonly emails: EmailCounts;
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
    const { ingestFromSmtp, ingestDeps } = await import('#functions/ingest-email.ts');
    repliesReceived += 1;
    const outcome = await timed(outsideWorkflow, 'functions/ingest-email.ts', async () =>
      ingestFromSmtp(await ingestDeps(), message),
    );
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
    const files = options.writeResults ? await writeResults(demo, { repo, evidence, dir }, cycle) : [];
    const sent = await outbox.listSent(cycle.id);
    const sentKeys = sent.map((record) => record.key);
    const emails = countEmails(sentKeys);
    for (const [kind, count] of Object.entries(emails)) {
      if (count < 1) throw new DemoFailed(`no ${kind} email was sent`);
    }
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

export async function runDemo(): Promise<Record<string, unknown>> {
  const run = await runCycle({ outputDir: OUTPUT_DIR, writeResults: true });
  console.log(
    `Wrote ${OUTPUT_DIR}/: mail/ (every email sent, .eml), replies/ (every reply, .eml), ${run.files.join(', ')}`,
  );
  const summary = {
    cycleId: run.cycle.id,
    status: run.cycle.phase,
    emails: run.emails,
    outputDir: OUTPUT_DIR,
  };
  await writeFile(join(OUTPUT_DIR, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

// `npm run demo` (tsx demo/run.ts); importing this module runs nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  runDemo().then(
    (summary) => {
      console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      console.log(JSON.stringify(summary));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      process.exit(1);
    },
  );
}
