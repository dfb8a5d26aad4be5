/**
 * What the ingest tests on the local stack start from: a fresh table and evidence bucket, the small
 * programme with addresses unique to the test (the local mailbox is shared), one cycle with the
 * inputs asked, a parked task token, and the real outbox sending through the local SES.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { FixedClock } from '#shared/clock.ts';
import type { WorkflowPort } from '#shared/store/workflow.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import type { IngestDeps } from '#shared/ingest/pipeline.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { cycleNotifier, type NotifierOptions } from '#shared/notify/notifier.ts';
import { Outbox } from '#shared/mail/outbox.ts';
import { newReplyId, signReplyAddress } from '#shared/mail/reply-address.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { applyLocalEnv, freshBucket, freshTable } from '#test/support/local-stack.ts';
import { anAction, anInputRequest } from '#test/unit/model/builders.ts';
import { theCycle, theProgramme } from '#test/unit/minutes/support.ts';

export const NOW = new Date('2026-10-06T08:00:00.000Z');
export const KEY = Buffer.alloc(32, 7);
export const KEYS = singleKeyring(KEY);
export const INBOUND_DOMAIN = 'reply.example.com';
export const PASS: SesVerdicts = {
  spamVerdict: { status: 'PASS' },
  virusVerdict: { status: 'PASS' },
  spfVerdict: { status: 'PASS' },
  dkimVerdict: { status: 'PASS' },
  dmarcVerdict: { status: 'PASS' },
};

export class CountingWorkflow implements WorkflowPort {
  calls: string[] = [];
  async sendTaskSuccess(taskToken: string): Promise<void> {
    this.calls.push(taskToken);
  }
}

const unused = new Proxy(
  () => {
    throw new Error('the pipeline must not use this port');
  },
  {
    get: () => () => {
      throw new Error('the pipeline must not use this port');
    },
  },
);

export interface World {
  deps: IngestDeps;
  repo: DynamoDbRepository;
  outboxStore: DynamoOutboxStore;
  workflow: CountingWorkflow;
  programme: Programme;
  cycle: Cycle;
  email: (personId: string) => string;
}

export interface AskedInput {
  readonly key: string;
  readonly owner: string;
  readonly period?: { from: string; to: string };
}

export const DEFAULT_INPUTS: readonly AskedInput[] = [
  { key: 'd1', owner: 'auditor' },
  { key: 'd3', owner: 'auditor' },
  { key: 'b', owner: 'ciso' },
  { key: 'f', owner: 'ciso' },
  { key: 'g', owner: 'alice' },
];

export async function world(
  options: {
    phase?: Cycle['phase'];
    inputs?: readonly AskedInput[];
    delegates?: Programme['inputs']['delegates'];
    /** More of our own sending addresses (mail from them is a loop). */
    ownAddresses?: readonly string[];
  } = {},
): Promise<World> {
  applyLocalEnv();
  const table = await freshTable('ingest');
  const { bucket } = await freshBucket('evidence');
  // The repository's own jittered backoff: 50 writers share one event chain.
  const repo = new DynamoDbRepository({ ...table, maxEventAttempts: 400 });
  const suffix = randomUUID().slice(0, 8);
  const base = theProgramme();
  const programme: Programme = {
    ...base,
    people: base.people.map((p) => ({ ...p, email: `${p.id}.${suffix}@example.com` })),
    inputs: { ...base.inputs, delegates: [...base.inputs.delegates, ...(options.delegates ?? [])] },
  };
  const document = JSON.parse(JSON.stringify(programme)) as Record<string, unknown>;
  const hash = canonicalHash(document);
  await repo.saveProgrammeVersion({
    programmeId: 'acme',
    version: 1,
    hash,
    savedAt: '2026-09-01T10:00:00.000Z',
    savedBy: 'alice',
    document,
  });
  const draft = theCycle({
    phase: options.phase ?? 'AWAITING_INPUTS',
    programme: { programmeId: 'acme', version: 1, hash },
  });
  const requests = (options.inputs ?? DEFAULT_INPUTS).map((input) =>
    anInputRequest(draft, input.key, {
      ownerId: input.owner,
      programmeId: 'acme',
      title: `Input ${input.key}`,
      ...(input.period ? { periodCovered: input.period } : {}),
    }),
  );
  const { cycle } = await repo.createCycle(draft, requests, {
    event: { type: 'cycle.opened', at: draft.openedAt, actor: 'system', data: {} },
  });
  await repo.parkTaskToken({
    cycleId: cycle.id,
    purpose: 'inputs',
    taskToken: 'task-token-1',
    parkedAt: NOW.toISOString(),
  });
  const clock = new FixedClock(NOW);
  const evidence = new S3BlobStore({
    client: s3ClientFromEnv(),
    bucket,
    emulated: process.env.ISMS_S3_EMULATED === 'true',
  });
  const outboxStore = new DynamoOutboxStore(table);
  const workflow = new CountingWorkflow();
  const outbox = new Outbox({ store: outboxStore, mailer: SesMailer.fromEnv(), blobs: evidence, clock });
  const deps: IngestDeps = {
    repo,
    clock,
    workflow,
    // What an action reply calls for (the chair's answer to an extension) is sent by the real notifier.
    notifier: cycleNotifier({
      outbox,
      repo,
      clock,
      replyKey: KEYS,
      loadPackage: unused as NotifierOptions['loadPackage'],
    }),
    outbox,
    evidence,
    replyKey: KEYS,
    settings: {
      inboundDomain: INBOUND_DOMAIN,
      ownAddresses: [programme.mail.fromAddress, ...(options.ownAddresses ?? [])],
    },
  };
  const email = (id: string) => programme.people.find((p) => p.id === id)!.email;
  return { deps, repo, outboxStore, workflow, programme, cycle, email };
}

/** Stores a reply token for `recipientId` and returns the `<id>.<mac>` part of its address. */
export async function issueToken(
  w: World,
  recipientId: string,
  options: { purpose?: string; expiresAt?: string; ref?: string } = {},
): Promise<string> {
  const tokenId = newReplyId();
  const purpose = options.purpose ?? 'inputs';
  await w.repo.putReplyToken({
    tokenId,
    cycleId: w.cycle.id,
    purpose,
    recipientId,
    ...(options.ref ? { ref: options.ref } : {}),
    issuedAt: '2026-10-01T08:00:00.000Z',
    expiresAt: options.expiresAt ?? '2026-12-01T00:00:00.000Z',
  });
  const address = signReplyAddress({
    localPart: 'review',
    id: tokenId,
    keys: KEYS,
    purpose,
    recipient: w.email(recipientId),
    domain: INBOUND_DOMAIN,
  });
  return address.slice('review+'.length, address.indexOf('@'));
}

/** A corpus message with its placeholders and addresses replaced (bytes kept as they are). */
export function fixture(name: string, replace: Record<string, string>): Buffer {
  let text = readFileSync(new URL(`../../fixtures/mail/${name}`, import.meta.url), 'latin1');
  for (const [from, to] of Object.entries(replace)) {
    // Addresses are replaced whatever their case (clients write Priya.Shah@Example.com too).
    text = text.replace(new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), () => to);
  }
  return Buffer.from(text, 'latin1');
}

/** What a message may change in a cycle: submissions, input statuses, actions, minutes, events. */
export async function snapshot(w: World) {
  const records = (await w.repo.getCycleRecords(w.cycle.id))!;
  return {
    phase: records.cycle.phase,
    submissions: records.submissions.map((s) => `${s.inputKey}:${s.id}:${s.supersedes ?? ''}`).sort(),
    requests: records.inputRequests.map((r) => `${r.inputKey}:${r.status}:${r.submissionId ?? ''}`),
    actions: records.actions.map((a) => `${a.id}:${a.status}:${a.version}`),
    minutes: records.minutes?.length ?? 0,
    events: records.events.filter((e) => e.type !== 'mail.received').map((e) => e.type),
  };
}

/**
 * The action a corpus reply about an action answers (owned by the auditor), with an open extension
 * request when the reply answers one; returns its id for the reply token's ref.
 */
export async function corpusAction(w: World, purpose: string): Promise<string> {
  const action = anAction(w.cycle, 1, {
    ownerId: 'auditor',
    dueDate: '2026-11-30',
    ...(purpose === 'extension'
      ? {
          extensionRequest: {
            dueDate: '2027-01-31',
            reason: 'the supplier moved the go-live',
            requestedAt: '2026-10-05T09:00:00.000Z',
            by: 'auditor',
            source: { channel: 'email' as const, messageId: '<extend-1@mail.example.com>' },
          },
        }
      : {}),
  });
  await w.repo.createActions([action]);
  return action.id;
}

/** Who a corpus reply comes from, by the purpose of the request it answers, and their delegate. */
export const CORPUS_RECIPIENT = { inputs: 'auditor', action: 'auditor', extension: 'ceo' } as const;
export const CORPUS_DELEGATE = 'ciso';

/**
 * The world a corpus message is tried in: the inputs it answers (d1 when it names none), owned by the
 * auditor, the recipient's delegate, and the action it answers (`ref`) when it is about one.
 */
export async function corpusWorld(
  purpose: keyof typeof CORPUS_RECIPIENT,
  expected: readonly { key: string; period?: { from: string; to: string } | undefined }[] | undefined,
  ownAddresses: readonly string[],
): Promise<{ w: World; recipient: string; ref?: string }> {
  const recipient = CORPUS_RECIPIENT[purpose];
  const inputs = (expected ?? [{ key: 'd1', period: undefined }]).map((input) => ({
    key: input.key,
    owner: 'auditor',
    ...(input.period ? { period: input.period } : {}),
  }));
  const w = await world({ inputs, delegates: [{ for: recipient, delegate: CORPUS_DELEGATE }], ownAddresses });
  return { w, recipient, ...(purpose === 'inputs' ? {} : { ref: await corpusAction(w, purpose) }) };
}
