/**
 * One review cycle entirely in memory, for fast tests of the use cases (shared/cycle, shared/ingest,
 * shared/minutes, shared/actions) on a machine without Java or emulators: the in-memory review store
 * (test/support/memory-store/), the in-memory outbox store and buckets, a FixedClock the test moves,
 * a workflow that records every resume, and a mailer that records every message it is asked to send
 * and answers as SES does, with a message id. Everything else (the notifier, the package store, the
 * ingest settings, the evidence key's fingerprint) is built by the wiring the functions use
 * (shared/wiring/), on those parts, from an environment object of this world's own: process.env is
 * never read or written.
 *
 * By default the programme is programme.example.yaml, applied as version 1, and a quarterly cycle is
 * opened on OPENED with its meeting at MEETING and its inputs requested, as cycle-world.ts does on the
 * emulators. `open: false` stops after applying the programme, for tests that build their own cycle.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { simpleParser, type AddressObject } from 'mailparser';
import { FixedClock } from '#shared/clock.ts';
import type { CycleDeps } from '#shared/cycle/ports.ts';
import { openCycle, requestInputs } from '#shared/cycle/service.ts';
import { ingest, type IngestDeps, type IngestRequest, type IngestResult } from '#shared/ingest/pipeline.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { MemoryOutboxStore } from '#shared/mail/memory-outbox-store.ts';
import { Outbox, type Mailer, type SendOptions } from '#shared/mail/outbox.ts';
import { singleKeyring, type ReplyKeyring } from '#shared/mail/reply-keyring.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import type { CycleType } from '#shared/model/cycle.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { Person, Programme } from '#shared/programme/schema.ts';
import { MemoryBlobStore } from '#shared/store/blob-store.ts';
import type { WorkflowPort } from '#shared/store/workflow.ts';
import { cycleDeps } from '#shared/wiring/cycle.ts';
import { ingestDeps } from '#shared/wiring/ingest.ts';
import { Wiring } from '#shared/wiring/wiring.ts';
import {
  memoryRepository,
  type MemoryRepositoryOptions,
  type MemoryReviewRepository,
} from './memory-store.ts';

export const OPENED = new Date('2027-03-01T09:00:00.000Z');
export const MEETING = '2027-03-29T09:00:00.000Z';
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** What SES says of a message that passed every check. */
export const PASS: SesVerdicts = {
  spamVerdict: { status: 'PASS' },
  virusVerdict: { status: 'PASS' },
  spfVerdict: { status: 'PASS' },
  dkimVerdict: { status: 'PASS' },
  dmarcVerdict: { status: 'PASS' },
};

const EXAMPLE_PROGRAMME = fileURLToPath(new URL('../../programme.example.yaml', import.meta.url));

/** The anchoring key of every memory world (package and minutes emails name its fingerprint). */
const WORLD_ANCHOR_KEY = String(
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
);

/** One message the mailer was asked to send, as its recipients would read it. */
export interface RecordedMail {
  /** The id the mailer answered with (SES's message id). */
  readonly sesMessageId: string;
  /** The Message-ID header, with angle brackets. */
  readonly messageId: string;
  readonly raw: Buffer;
  readonly options: SendOptions;
  /** Bare addresses, lower case. */
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly replyTo: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Every header, names lower case (the first value of a repeated header). */
  readonly headers: ReadonlyMap<string, string>;
  readonly attachments: readonly { filename?: string; contentType: string; content: Buffer }[];
}

/** The SES of this world: records every message and answers with a message id as SES does. */
export class RecordingMailer implements Mailer {
  readonly sent: RecordedMail[] = [];
  /** What the coming sends do, in order: undefined sends, an error is thrown and nothing is sent. */
  readonly #plan: (Error | undefined)[] = [];

  /** After `after` more messages are sent, the next send throws `error` (an SES outage) and sends nothing. */
  failNext(error: Error, options: { after?: number } = {}): void {
    this.#plan.push(...Array.from({ length: options.after ?? 0 }, () => undefined), error);
  }

  async sendRaw(raw: Buffer, options: SendOptions = {}): Promise<{ messageId: string }> {
    const failure = this.#plan.shift();
    if (failure) throw failure;
    const parsed = await simpleParser(raw);
    const addresses = (field: AddressObject | AddressObject[] | undefined): string[] =>
      (Array.isArray(field) ? field : field ? [field] : [])
        .flatMap((group) => group.value)
        .flatMap((entry) => (entry.address ? [entry.address.toLowerCase()] : []));
    const headers = new Map<string, string>();
    for (const line of parsed.headerLines) {
      if (!headers.has(line.key)) headers.set(line.key, line.line.slice(line.line.indexOf(':') + 1).trim());
    }
    // SES message ids look like 0100018e5f0c8a7b-1f2e3d4c-5b6a-4789-9a0b-1c2d3e4f5a6b-000000.
    const hex = randomBytes(24).toString('hex');
    const sesMessageId = `0100${hex.slice(0, 12)}-${hex.slice(12, 20)}-${hex.slice(20, 24)}-${hex.slice(24, 28)}-${hex.slice(28, 32)}-${hex.slice(32, 44)}-000000`;
    this.sent.push({
      sesMessageId,
      messageId: parsed.messageId ?? '',
      raw: Buffer.from(raw),
      options: structuredClone(options),
      from: addresses(parsed.from)[0] ?? '',
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      replyTo: addresses(parsed.replyTo),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : '',
      headers,
      attachments: parsed.attachments.map((a) => ({
        ...(a.filename ? { filename: a.filename } : {}),
        contentType: a.contentType,
        content: a.content,
      })),
    });
    return { messageId: sesMessageId };
  }
}

/** The workflow of this world: records every resume (SendTaskSuccess) it is asked for. */
export class RecordingWorkflow implements WorkflowPort {
  readonly calls: { taskToken: string; output: Record<string, unknown> }[] = [];
  async sendTaskSuccess(taskToken: string, output: Record<string, unknown>): Promise<void> {
    this.calls.push({ taskToken, output: structuredClone(output) });
  }
}

export interface MemoryWorldOptions {
  /** Default programme.example.yaml. */
  readonly programme?: Programme;
  /** When the world starts (and the cycle opens); default OPENED. */
  readonly openedAt?: Date;
  /** The planned meeting of the cycle opened; default MEETING. */
  readonly meetingAt?: string;
  readonly type?: CycleType;
  /** False: only the programme is applied, no cycle is opened. Default true. */
  readonly open?: boolean;
  /** Options of the in-memory store, e.g. a beforeTransaction hook that counts or fails writes. */
  readonly repository?: MemoryRepositoryOptions;
}

export interface MemoryWorld {
  /** The cycle's dependencies as the wiring builds them (the witnessing notifier). */
  readonly deps: CycleDeps;
  /** The ingest's dependencies on the same parts (its own notifier, as the ingest function has). */
  readonly ingestDeps: IngestDeps;
  readonly wiring: Wiring;
  readonly repo: MemoryReviewRepository;
  readonly clock: FixedClock;
  readonly workflow: RecordingWorkflow;
  readonly mailer: RecordingMailer;
  readonly outbox: Outbox;
  readonly outboxStore: MemoryOutboxStore;
  readonly evidence: MemoryBlobStore;
  readonly rawMail: MemoryBlobStore;
  readonly replyKey: ReplyKeyring;
  readonly programme: Programme;
  /** The id the cycle has (or would have, with `open: false`). */
  readonly cycleId: string;
  readonly anchorKeyPem: string;
  /** A person of the programme by id. */
  person(id: string): Person;
  /** The messages the mailer sent to `personId` (To or Cc), oldest first. */
  mailsTo(personId: string): RecordedMail[];
  /** The one message to `personId` whose subject includes `subject` (and whose text `about`). */
  oneMail(personId: string, subject: string, about?: string): RecordedMail;
  /** The message the outbox sent under `key` in the cycle (`input-request:alice`, `package:v1`). */
  sentUnder(key: string, cycleId?: string): Promise<RecordedMail>;
  /** A plain-text reply from `personId` to `mail`'s reply address, as the pipeline's input. */
  replyTo(mail: RecordedMail, personId: string, body: string, options?: ReplyOptions): IngestRequest;
  /** Runs `request` through the inbound mail pipeline, its raw message kept in the raw mail bucket first. */
  deliver(request: IngestRequest): Promise<IngestResult>;
}

export interface ReplyOptions {
  readonly messageId?: string;
  readonly verdicts?: SesVerdicts;
  /** Default the reply address of `mail`. */
  readonly to?: string;
  /** Default the person's address; a forger writes someone else's. */
  readonly from?: string;
}

let replies = 0;

/** programme.example.yaml as checked on `at`: parsed once per day asked, a copy for each world. */
const examples = new Map<string, Programme>();
function exampleProgramme(at: Date): Programme {
  const day = at.toISOString().slice(0, 10);
  let parsed = examples.get(day);
  if (!parsed) {
    parsed = loadProgrammeFile(EXAMPLE_PROGRAMME, { clock: new FixedClock(at) });
    examples.set(day, parsed);
  }
  return structuredClone(parsed);
}

export async function memoryWorld(options: MemoryWorldOptions = {}): Promise<MemoryWorld> {
  const openedAt = options.openedAt ?? OPENED;
  const clock = new FixedClock(openedAt);
  const programme = options.programme ?? exampleProgramme(openedAt);
  const repo = memoryRepository(options.repository);
  const document = JSON.parse(JSON.stringify(programme)) as Record<string, unknown>;
  await repo.saveProgrammeVersion({
    programmeId: programme.organisation.id,
    version: 1,
    hash: canonicalHash(document),
    savedAt: new Date(openedAt.getTime() - 28 * DAY).toISOString(),
    savedBy: programme.roles.ismsManager,
    document,
  });

  const evidence = new MemoryBlobStore();
  const rawMail = new MemoryBlobStore();
  // The tokens, links and `mail.sent` events the outbox writes with its records go to the repository.
  const outboxStore = new MemoryOutboxStore({ records: repo });
  const mailer = new RecordingMailer();
  const workflow = new RecordingWorkflow();
  const replyKey = singleKeyring(Buffer.alloc(32, 7));
  // The outbox part builds its store on DynamoDB itself; the store is not a part of its own, so the
  // outbox is given here, on the same mailer, bucket and clock the wiring holds.
  const outbox = new Outbox({ store: outboxStore, mailer, blobs: evidence, clock });
  const wiring = new Wiring({
    env: {
      INBOUND_DOMAIN: programme.mail.inboundDomain,
      MAIL_FROM: programme.mail.fromAddress,
      ANCHOR_SIGNING_KEY: WORLD_ANCHOR_KEY,
    },
    overrides: { repo, clock, workflow, evidence, rawMail, mailer, outbox, replyKey },
  });
  const deps = await cycleDeps(wiring);
  const ingestParts = await ingestDeps(wiring);

  const type = options.type ?? 'quarterly';
  const cycleId = cycleIdFor(type, openedAt);
  if (options.open ?? true) {
    await openCycle(deps, {
      executionName: cycleId,
      request: { programmeId: programme.organisation.id, type, meetingAt: options.meetingAt ?? MEETING },
    });
    await requestInputs(deps, cycleId);
  }

  const person = (id: string): Person => {
    const found = programme.people.find((p) => p.id === id);
    if (!found) throw new Error(`no person ${id} in the programme of this world`);
    return found;
  };
  const mailsTo = (personId: string) => {
    const address = person(personId).email.toLowerCase();
    return mailer.sent.filter((m) => m.to.includes(address) || m.cc.includes(address));
  };
  return {
    deps,
    ingestDeps: ingestParts,
    wiring,
    repo,
    clock,
    workflow,
    mailer,
    outbox,
    outboxStore,
    evidence,
    rawMail,
    replyKey,
    programme,
    cycleId,
    anchorKeyPem: WORLD_ANCHOR_KEY,
    person,
    mailsTo,
    oneMail(personId, subject, about) {
      const found = mailsTo(personId).filter(
        (m) => m.subject.includes(subject) && (about === undefined || m.text.includes(about)),
      );
      if (found.length !== 1) {
        throw new Error(
          `expected one mail to ${personId} with "${subject}", found ${found.length} among ${JSON.stringify(
            mailsTo(personId).map((m) => m.subject),
          )}`,
        );
      }
      return found[0]!;
    },
    async sentUnder(key, inCycle = cycleId) {
      const record = await outboxStore.get(inCycle, key);
      const mail = mailer.sent.find((m) => record?.sesMessageId && m.sesMessageId === record.sesMessageId);
      if (!mail || record?.status !== 'SENT') throw new Error(`nothing was sent under ${key} in ${inCycle}`);
      return mail;
    },
    replyTo(mail, personId, body, reply = {}) {
      const to = reply.to ?? mail.replyTo[0];
      if (!to) throw new Error(`mail "${mail.subject}" has no reply address`);
      replies += 1;
      const sender = person(personId);
      const raw = Buffer.from(
        [
          `From: ${sender.name} <${reply.from ?? sender.email}>`,
          `To: ${to}`,
          `Subject: Re: ${mail.subject}`,
          `Message-ID: ${reply.messageId ?? `<reply-${replies}@mail.example.net>`}`,
          `In-Reply-To: ${mail.messageId}`,
          `Date: ${clock.now().toUTCString()}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: 8bit',
          '',
          body,
          '',
        ].join('\r\n'),
        'utf8',
      );
      return {
        raw,
        rawS3Key: `inbound/reply-${replies}`,
        sesVerdicts: reply.verdicts ?? PASS,
        receivedAt: clock.now().toISOString(),
      };
    },
    async deliver(request) {
      // What the SES receipt rule does before it invokes the function: the raw message in the bucket.
      await rawMail.putIfAbsent(request.rawS3Key, request.raw, 'message/rfc822');
      return ingest(ingestParts, request);
    },
  };
}
