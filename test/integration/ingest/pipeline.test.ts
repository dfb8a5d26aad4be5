/**
 * The inbound pipeline on the local stack: real .eml files (with real signed reply addresses filled
 * in) through `ingest`, DynamoDB Local holding the cycle, the local SES "sending" the answers.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { FixedClock } from '#shared/clock.ts';
import type { NotifierPort, PackagePort, WorkflowPort } from '#shared/cycle/ports.ts';
import { canonicalHash } from '#shared/evidence/canonical-json.ts';
import { ingest, type IngestDeps } from '#shared/ingest/pipeline.ts';
import { Outbox } from '#shared/mail/outbox.ts';
import { encodeReplyAddress, newReplyId } from '#shared/mail/reply-address.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { applyLocalEnv, freshBucket, freshTable, localStack } from '#test/support/local-stack.ts';
import { listSentMail } from '#test/support/mailbox.ts';
import { anInputRequest } from '#test/unit/model/builders.ts';
import { theCycle, theProgramme } from '#test/unit/minutes/support.ts';

const NOW = new Date('2026-10-06T08:00:00.000Z');
const KEY = Buffer.alloc(32, 7);
const PASS: SesVerdicts = {
  spamVerdict: { status: 'PASS' },
  virusVerdict: { status: 'PASS' },
  spfVerdict: { status: 'PASS' },
  dkimVerdict: { status: 'PASS' },
  dmarcVerdict: { status: 'PASS' },
};

class CountingWorkflow implements WorkflowPort {
  calls: string[] = [];
  async sendTaskSuccess(taskToken: string): Promise<void> {
    this.calls.push(taskToken);
  }
}

const unused = new Proxy(
  {},
  {
    get: () => () => {
      throw new Error('the pipeline must not use this port');
    },
  },
);

interface World {
  deps: IngestDeps;
  repo: DynamoDbRepository;
  outboxStore: DynamoOutboxStore;
  workflow: CountingWorkflow;
  programme: Programme;
  cycle: Cycle;
  email: (personId: string) => string;
}

/** A programme whose addresses are unique to this test (the local mailbox is shared). */
async function world(phase: Cycle['phase'] = 'AWAITING_INPUTS'): Promise<World> {
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
  const draft = theCycle({ phase, programme: { programmeId: 'acme', version: 1, hash } });
  const requests = [
    ['d1', 'auditor'],
    ['d3', 'auditor'],
    ['b', 'ciso'],
    ['f', 'ciso'],
    ['g', 'alice'],
  ].map(([key, owner]) =>
    anInputRequest(draft, key, { ownerId: owner, programmeId: 'acme', title: `Input ${key}` }),
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
  const evidence = new S3BlobStore({ client: s3ClientFromEnv(), bucket });
  const outboxStore = new DynamoOutboxStore(table);
  const workflow = new CountingWorkflow();
  const deps: IngestDeps = {
    repo,
    clock,
    workflow,
    notifier: unused as NotifierPort,
    packages: unused as PackagePort,
    outbox: new Outbox({ store: outboxStore, mailer: SesMailer.fromEnv(), blobs: evidence, clock }),
    evidence,
    replyKey: KEY,
    settings: { inboundDomain: 'reply.example.com', ownAddresses: [programme.mail.fromAddress] },
  };
  const email = (id: string) => programme.people.find((p) => p.id === id)!.email;
  return { deps, repo, outboxStore, workflow, programme, cycle, email };
}

async function issueToken(
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
  const address = encodeReplyAddress({
    localPart: 'review',
    id: tokenId,
    key: KEY,
    purpose,
    recipient: w.email(recipientId),
    domain: 'reply.example.com',
  });
  return address.slice('review+'.length, address.indexOf('@'));
}

function fixture(name: string, replace: Record<string, string>): Buffer {
  let text = readFileSync(new URL(`../../fixtures/mail/${name}`, import.meta.url), 'latin1');
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return Buffer.from(text, 'latin1');
}

async function snapshot(w: World) {
  const records = (await w.repo.getCycleRecords(w.cycle.id))!;
  return {
    submissions: records.submissions.length,
    requests: records.inputRequests.map((r) => `${r.inputKey}:${r.status}`),
    events: records.events.filter((e) => e.type !== 'mail.received').map((e) => e.type),
  };
}

const sent = (w: World) => w.outboxStore.listSent(w.cycle.id);

describe('ingest on the local stack', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('records an input reply, confirms it with what was recorded, and logs the message', async () => {
    const token = await issueToken(w, 'auditor');
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({
      outcome: 'accepted',
      cycleId: w.cycle.id,
      answer: 'sent',
      resumed: false,
    });

    const [submission] = await w.repo.listSubmissions(w.cycle.id, 'd1');
    expect(submission).toMatchObject({
      submitterId: 'auditor',
      kind: 'report',
      source: {
        channel: 'email',
        messageId: '<CAJx8mX0b1Q2r3s4t5u6v7w8x9y0zA1B2C3D4E5F6G7H8@mail.gmail.com>',
        rawS3Key: 'inbound/m1',
      },
      decisionNeeded: expect.stringContaining('contractor time'),
    });
    expect(submission!.metrics).toContainEqual({ name: 'Mean days to close', value: 23.5, unit: 'days' });
    expect((await w.repo.getInputRequest(w.cycle.id, 'd1'))!.status).toBe('SUBMITTED');

    const events = await w.repo.listEvents(w.cycle.id);
    const submitted = events.find((e) => e.type === 'input.submitted')!;
    expect(submitted.data).toMatchObject({
      inputKey: 'd1',
      rawSha256: createHash('sha256').update(raw).digest('hex'),
    });
    expect(events.at(-1)).toMatchObject({
      type: 'mail.received',
      data: { outcome: 'accepted', answer: 'sent' },
    });

    const answers = await sent(w);
    expect(answers.map((a) => a.recipients)).toEqual([[w.email('auditor')]]);
    const [mail] = await listSentMail(localStack().endpoints.ses, { to: w.email('auditor') });
    expect(mail!.subject).toContain('Recorded: your input d1');
    expect(mail!.text).toContain('metric: Mean days to close = 23.5 days');
    expect(mail!.text).toContain(submission!.id);
  });

  it('resumes the workflow once the last input of the cycle is answered', async () => {
    for (const request of await w.repo.listInputRequests(w.cycle.id)) {
      if (request.inputKey === 'd1') continue;
      await w.repo.updateInputRequest({
        ...request,
        status: 'NOT_PROVIDED',
        notProvidedAt: NOW.toISOString(),
      });
    }
    const token = await issueToken(w, 'auditor');
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'accepted', resumed: true });
    expect(w.workflow.calls).toEqual(['task-token-1']);
  });

  it('rejects a forged token without an answer and without touching the cycle', async () => {
    const token = await issueToken(w, 'auditor');
    const forged = token.slice(0, -4) + (token.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    const before = await snapshot(w);
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': forged,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain('not one we issued');
    expect(result.answer).toBe('none');
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
  });

  it('rejects an expired token, telling the sender to reply to the latest request', async () => {
    const token = await issueToken(w, 'auditor', { expiresAt: '2026-10-05T00:00:00.000Z' });
    const before = await snapshot(w);
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(result.reason).toMatch(/expired.*latest/);
    expect(await snapshot(w)).toEqual(before);
    const [mail] = await listSentMail(localStack().endpoints.ses, { to: w.email('auditor') });
    expect(mail!.subject).toContain('Not recorded');
    expect(mail!.text).toContain('latest email');
  });

  it('rejects a reply from someone who is neither the recipient nor a delegate', async () => {
    const token = await issueToken(w, 'auditor');
    const before = await snapshot(w);
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('cto'),
    });
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'sent' });
    expect(result.reason).toContain('only they or a delegate');
    expect(await snapshot(w)).toEqual(before);
    expect((await sent(w)).map((a) => a.recipients)).toEqual([[w.email('cto')]]);
  });

  it('rejects a DMARC failure and does not answer the forged sender', async () => {
    const token = await issueToken(w, 'ceo', { purpose: 'minutes' });
    const before = await snapshot(w);
    const raw = fixture('spoofed-chair-dmarc-fail.eml', {
      '{{reply_token}}': token,
      'helen.okafor@example.com': w.email('ceo'),
    });
    const verdicts: SesVerdicts = {
      ...PASS,
      spfVerdict: { status: 'FAIL' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'FAIL' },
    };
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: 'inbound/m1',
      sesVerdicts: verdicts,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'rejected', answer: 'none' });
    expect(result.reason).toContain('DMARC');
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
    expect((await w.repo.listEvents(w.cycle.id)).at(-1)).toMatchObject({
      type: 'mail.received',
      data: { outcome: 'rejected' },
    });
  });

  it('ignores an out-of-office reply and a bounce, answering neither', async () => {
    const token = await issueToken(w, 'auditor');
    const before = await snapshot(w);
    const ooo = fixture('exchange-out-of-office.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const bounce = fixture('bounce-postfix-dsn.eml', { '{{reply_token}}': token });
    const first = await ingest(w.deps, {
      raw: ooo,
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    const second = await ingest(w.deps, {
      raw: bounce,
      rawS3Key: 'inbound/m2',
      envelope: { mailFrom: '', rcptTo: [`review+${token}@reply.example.com`] },
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(first).toMatchObject({ outcome: 'ignored', answer: 'none' });
    expect(first.reason).toContain('Auto-Submitted');
    expect(second).toMatchObject({ outcome: 'ignored', answer: 'none' });
    expect(await snapshot(w)).toEqual(before);
    expect(await sent(w)).toEqual([]);
  });

  it('ignores a second delivery of the same message: one record, one answer, one log entry', async () => {
    const token = await issueToken(w, 'auditor');
    const raw = fixture('gmail-top-posted-input.eml', {
      '{{reply_token}}': token,
      'priya.shah@example.com': w.email('auditor'),
    });
    const request = { raw, rawS3Key: 'inbound/m1', sesVerdicts: PASS, receivedAt: NOW.toISOString() };
    await ingest(w.deps, request);
    const before = await w.repo.listEvents(w.cycle.id);
    const again = await ingest(w.deps, { ...request, rawS3Key: 'inbound/m1-again' });
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'duplicate', answer: 'none' });
    expect(await w.repo.listSubmissions(w.cycle.id)).toHaveLength(1);
    expect(await w.repo.listEvents(w.cycle.id)).toEqual(before);
    expect(await sent(w)).toHaveLength(1);
  });

  it('ignores bytes that are not an email', async () => {
    const result = await ingest(w.deps, {
      raw: Buffer.from([0, 1, 2, 3, 255, 254]),
      rawS3Key: 'inbound/m1',
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result.outcome).toBe('ignored');
    expect(result.answer).toBe('none');
  });
});

describe('50 concurrent replies', () => {
  it('records every one and resumes the workflow exactly once', async () => {
    const w = await world();
    const owners: Record<string, string[]> = { auditor: ['d1', 'd3'], ciso: ['b', 'f'], alice: ['g'] };
    const tokens = Object.fromEntries(
      await Promise.all(Object.keys(owners).map(async (id) => [id, await issueToken(w, id)] as const)),
    );
    const messages = Array.from({ length: 50 }, (_, n) => {
      const owner = Object.keys(owners)[n % 3]!;
      const key = owners[owner]![n % owners[owner]!.length]!;
      const body = [
        `[input ${key}] Input ${key}`,
        'period: 2026-07-01 to 2026-09-30',
        `summary: answer number ${n}`,
        `metric: Answer = ${n}`,
        '[end]',
      ].join('\r\n');
      const raw = [
        `From: ${w.email(owner)}`,
        `To: review+${tokens[owner]}@reply.example.com`,
        `Subject: Re: input ${key}`,
        `Message-ID: <reply-${n}@mail.example.com>`,
        'Date: Tue, 6 Oct 2026 09:00:00 +0000',
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
        '',
      ].join('\r\n');
      return {
        raw: Buffer.from(raw),
        rawS3Key: `inbound/r${n}`,
        sesVerdicts: PASS,
        receivedAt: NOW.toISOString(),
      };
    });
    const results = await Promise.all(messages.map((m) => ingest(w.deps, m)));
    expect(results.map((r) => r.outcome)).toEqual(Array(50).fill('accepted'));
    expect(await w.repo.listSubmissions(w.cycle.id)).toHaveLength(50);
    expect(w.workflow.calls).toEqual(['task-token-1']);
    expect(results.filter((r) => r.resumed)).toHaveLength(1);
    const events = await w.repo.listEvents(w.cycle.id);
    expect(events.filter((e) => e.type === 'input.submitted')).toHaveLength(50);
    expect(events.filter((e) => e.type === 'mail.received')).toHaveLength(50);
  }, 60_000);
});
