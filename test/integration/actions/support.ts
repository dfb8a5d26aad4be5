/**
 * A review in follow-up on the local stack, for the action tests: the small programme (chair ceo,
 * ISMS manager alice, ciso reporting to cto) with addresses unique to the test, the valid minutes of
 * the 29 October 2026 meeting accepted through `minutes submit` (two actions: D1's MFA action owned
 * by ciso, due 2027-01-31; a corrective action owned by the auditor, due 2026-12-15), the real
 * notifier and outbox sending through the local SES, and the ingest pipeline for replies.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { FixedClock } from '#shared/clock.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { ingest, type IngestDeps, type IngestResult } from '#shared/ingest/pipeline.ts';
import { cycleNotifier } from '#shared/notify/notifier.ts';
import { Outbox } from '#shared/mail/outbox.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import { submitMinutes, type SubmitMinutesResult } from '#shared/minutes/submit.ts';
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { applyLocalEnv, freshBucket, freshTable, localStack } from '#test/support/local-stack.ts';
import { listSentMail, type SentMail } from '#test/support/mailbox.ts';
import { NOW, theCycle, theProgramme, VALID_MINUTES } from '#test/unit/minutes/support.ts';
import { CountingWorkflow, PASS } from '../ingest/support.ts';

export { CountingWorkflow };

export const KEY = Buffer.alloc(32, 9);
export const KEYS = singleKeyring(KEY);

export interface ActionWorld {
  /** The test's own table (its client is the one the repository uses). */
  readonly table: { client: DynamoDBClient; tableName: string };
  readonly repo: DynamoDbRepository;
  readonly clock: FixedClock;
  readonly notifier: ReturnType<typeof cycleNotifier>;
  readonly workflow: CountingWorkflow;
  readonly deps: IngestDeps;
  readonly programme: Programme;
  readonly cycle: Cycle;
  readonly outboxStore: DynamoOutboxStore;
  readonly submitted: SubmitMinutesResult;
  /** The MFA action (decision D1, owner ciso, due 2027-01-31) and the corrective one (auditor). */
  readonly mfa: Action;
  readonly corrective: Action;
  readonly email: (personId: string) => string;
  readonly startedAt: Date;
}

/** A fresh table, bucket and programme; the minutes accepted through `minutes submit`. */
export async function actionWorld(): Promise<ActionWorld> {
  applyLocalEnv();
  const startedAt = new Date(Date.now() - 2000);
  const table = await freshTable('actions');
  const { bucket } = await freshBucket('evidence');
  const repo = new DynamoDbRepository(table);
  const suffix = randomUUID().slice(0, 8);
  const base = theProgramme();
  const programme: Programme = {
    ...base,
    people: base.people.map((p) => ({ ...p, email: `${p.id}.${suffix}@example.com` })),
  };
  const email = (id: string) => programme.people.find((p) => p.id === id)!.email;
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
  const draft = theCycle({ programme: { programmeId: 'acme', version: 1, hash } });
  const { cycle } = await repo.createCycle(draft, [], {
    event: { type: 'cycle.opened', at: draft.openedAt, actor: 'system', data: {} },
  });
  await repo.parkTaskToken({
    cycleId: cycle.id,
    purpose: 'minutes',
    taskToken: 'minutes-task-1',
    parkedAt: NOW.toISOString(),
  });
  const clock = new FixedClock(NOW);
  const evidence = new S3BlobStore({ client: s3ClientFromEnv(), bucket });
  const outboxStore = new DynamoOutboxStore(table);
  const outbox = new Outbox({ store: outboxStore, mailer: SesMailer.fromEnv(), blobs: evidence, clock });
  const notifier = cycleNotifier({
    outbox,
    repo,
    clock,
    replyKey: KEYS,
    loadPackage: () => Promise.reject(new Error('no package in the action tests')),
  });
  const workflow = new CountingWorkflow();
  const minutes = VALID_MINUTES.replace('CTO@example.com', email('cto')).replace(
    'auditor@example.com',
    email('auditor'),
  );
  const submitted = await submitMinutes(
    { repo, clock, workflow },
    { cycleId: cycle.id, text: minutes, fileName: 'minutes.yaml' },
  );
  if (!submitted.ok) throw new Error(`the test minutes were refused: ${submitted.problems.join('; ')}`);
  const actions = await repo.listActionsOfCycle(cycle.id);
  const deps: IngestDeps = {
    repo,
    clock,
    workflow,
    notifier,
    outbox,
    evidence,
    replyKey: KEYS,
    settings: { inboundDomain: 'reply.example.com', ownAddresses: [programme.mail.fromAddress] },
  };
  return {
    table,
    repo,
    clock,
    notifier,
    workflow,
    deps,
    programme,
    cycle: (await repo.getCycle(cycle.id))!,
    outboxStore,
    submitted,
    mfa: actions.find((a) => a.ownerId === 'ciso')!,
    corrective: actions.find((a) => a.corrective)!,
    email,
    startedAt,
  };
}

/** Mail the local SES sent to `personId` in this test, oldest first. */
export async function mailTo(w: ActionWorld, personId: string): Promise<SentMail[]> {
  const mails = await listSentMail(localStack().endpoints.ses, { to: w.email(personId), since: w.startedAt });
  return mails.sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
}

/**
 * The one mail to `personId` whose subject includes `subject` (and whose text names `about`, e.g.
 * an action id); fails when there is not exactly one.
 */
export async function oneMail(
  w: ActionWorld,
  personId: string,
  subject: string,
  about?: string,
): Promise<SentMail> {
  const found = (await mailTo(w, personId)).filter(
    (m) => m.subject.includes(subject) && (about === undefined || (m.text ?? '').includes(about)),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one mail to ${personId} with "${subject}", found ${found.length}: ${JSON.stringify(
        (await mailTo(w, personId)).map((m) => m.subject),
      )}`,
    );
  }
  return found[0]!;
}

/** Replies to `mail` from `personId` with `body`, through the ingest pipeline. */
export async function reply(
  w: ActionWorld,
  personId: string,
  mail: SentMail,
  body: string,
  messageId = `<${randomUUID()}@mail.example.com>`,
): Promise<IngestResult> {
  const to = mail.replyTo[0];
  if (!to) throw new Error(`mail "${mail.subject}" has no reply address`);
  const raw = Buffer.from(
    [
      `From: ${w.programme.people.find((p) => p.id === personId)!.name} <${w.email(personId)}>`,
      `To: ${to}`,
      `Subject: Re: ${mail.subject}`,
      `Message-ID: ${messageId}`,
      `Date: ${w.clock.now().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
    'utf8',
  );
  return ingest(w.deps, {
    raw,
    rawS3Key: `inbound/${randomUUID()}`,
    sesVerdicts: PASS,
    receivedAt: w.clock.now().toISOString(),
  });
}

/** Sets the clock to 09:00 UTC of `date`. */
export function at(w: ActionWorld, date: string): void {
  w.clock.set(new Date(`${date}T09:00:00.000Z`));
}
