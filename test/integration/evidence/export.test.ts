/**
 * A real cycle on the emulators (DynamoDB Local, local SES, local S3), phase by phase through the
 * same functions the workflow runs: inputs requested and answered (one by email, its raw message
 * kept), package built and distributed, minutes accepted, outcomes recorded, cycle closed, with an
 * anchor written at each milestone. Its evidence bundle is exported while it runs and once closed,
 * and verifies against the anchors; a log rewritten in the table afterwards no longer does.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/adapters/dynamodb.ts';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { anchorStoreFor, exportEvidence } from '#shared/adapters/evidence-source.ts';
import { anchorSignerFromEnv } from '#shared/adapters/anchor-signer-env.ts';
import { newSigningKeyPem } from '#shared/adapters/file-signer.ts';
import { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import { runAnchorChain, type AnchorChainDeps } from '#shared/evidence/anchoring.ts';
import { FixedClock } from '#shared/clock.ts';
import type { CycleDeps } from '#shared/cycle/ports.ts';
import {
  checkInputs,
  closeCycle,
  compilePackage,
  distributePackage,
  openCycle,
  recordOutcomes,
  requestInputs,
  requestMinutes,
} from '#shared/cycle/service.ts';
import { canonicalHash, sha256Hex } from '#shared/model/canonical-json.ts';
import { computeEventHash } from '#shared/evidence/hash-chain.ts';
import { verifyBundle, type AnchorCheck } from '#shared/evidence/verify.ts';
import { acceptMinutes } from '#shared/minutes/accept.ts';
import type { CycleEvent } from '#shared/model/event.ts';
import { newSubmissionId } from '#shared/model/ids.ts';
import type { InputSubmission } from '#shared/model/input.ts';
import { eventKeys } from '#shared/store/keys.ts';
import { eventsTableNameFor } from '#shared/store/table-design.ts';
import { wireCycle } from '#shared/wiring/cycle.ts';
import { applyLocalEnv, freshBucket, freshTable } from '#test/support/local-stack.ts';
import {
  CYCLE_ID,
  NOW,
  OPENED_AT,
  theCatalogueKeys,
  theProgramme,
  VALID_MINUTES,
} from '#test/unit/minutes/support.ts';

const programme = theProgramme();
const RAW_EMAIL = readFileSync(new URL('../../fixtures/mail/gmail-top-posted-input.eml', import.meta.url));
let repo: DynamoDbRepository;
let clock: FixedClock;
let deps: CycleDeps;
let folder: string;
let tableName: string;
let client: ReturnType<typeof documentClient>;

let anchoring: AnchorChainDeps;
/** What the workflow's Anchor* state does after the milestone (functions/anchor-chain.ts). */
async function anchor(
  milestone: 'cycle-opened' | 'package-distributed' | 'minutes-accepted' | 'cycle-closed',
): Promise<void> {
  const result = await runAnchorChain(anchoring, { cycleId: CYCLE_ID, milestone });
  expect(result.anchored[0]?.status).toBe('written');
}

async function anchorsNow(): Promise<AnchorCheck> {
  const store = anchorStoreFor(process.env);
  return { kind: 'stored', anchors: await store.list(CYCLE_ID), location: store.location };
}

async function answerInputs(): Promise<void> {
  const requests = (await repo.listInputRequests(CYCLE_ID)).filter((r) => !r.automatic);
  for (const [index, request] of requests.entries()) {
    clock.advance(60_000);
    const at = clock.now().toISOString();
    const byEmail = index === 0;
    const rawS3Key = `inbound/${CYCLE_ID}-${request.inputKey}`;
    if (byEmail) await S3BlobStore.fromEnv('RAW_MAIL_BUCKET').put(rawS3Key, RAW_EMAIL, 'message/rfc822');
    const submission: InputSubmission = {
      id: newSubmissionId(clock.now()),
      cycleId: CYCLE_ID,
      programmeId: request.programmeId,
      inputKey: request.inputKey,
      submitterId: request.ownerId!,
      kind: 'report',
      periodCovered: request.periodCovered,
      receivedAt: at,
      summary: `Input ${request.inputKey}: nothing alarming this quarter.`,
      metrics: [{ name: 'Open items', value: index, unit: 'count' }],
      attachments: [],
      source: byEmail
        ? { channel: 'email', messageId: `<input-${request.inputKey}@mail.example.com>`, rawS3Key }
        : { channel: 'cli' },
    };
    await repo.recordSubmission(
      submission,
      { ...request, status: 'SUBMITTED', submissionId: submission.id },
      {
        event: {
          type: 'input.submitted',
          at,
          actor: request.ownerId!,
          data: {
            inputKey: request.inputKey,
            submissionId: submission.id,
            ...(byEmail ? { rawSha256: sha256Hex(RAW_EMAIL), rawS3Key } : {}),
          },
        },
      },
    );
  }
}

beforeAll(async () => {
  const table = await freshTable('evidence');
  const evidenceBucket = (await freshBucket('evidence')).bucket;
  const rawBucket = (await freshBucket('raw-mail')).bucket;
  tableName = table.tableName;
  client = documentClient(table.client);
  applyLocalEnv({ TABLE_NAME: tableName, EVIDENCE_BUCKET: evidenceBucket, RAW_MAIL_BUCKET: rawBucket });
  repo = new DynamoDbRepository({ client: table.client, tableName });
  clock = new FixedClock(OPENED_AT);
  // The functions' wiring on this test's table and buckets, with the test's store and clock.
  deps = await wireCycle({ env: process.env, overrides: { repo, clock } });
  process.env.ANCHOR_SIGNING_KEY ??= newSigningKeyPem();
  anchoring = {
    repo,
    clock,
    anchors: anchorStoreFor(process.env),
    signer: anchorSignerFromEnv(process.env),
  };
  folder = await mkdtemp(join(tmpdir(), 'isms-evidence-'));
  await repo.saveProgrammeVersion({
    programmeId: programme.organisation.id,
    version: 1,
    hash: canonicalHash(programme),
    savedAt: OPENED_AT.toISOString(),
    savedBy: 'system',
    document: programme as unknown as Record<string, unknown>,
  });
}, 60_000);

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the evidence of a real cycle', () => {
  it('exports while the cycle runs and once closed; both verify against the anchors', async () => {
    await openCycle(deps, {
      executionName: CYCLE_ID,
      request: {
        programmeId: programme.organisation.id,
        type: 'quarterly',
        scheduledTime: OPENED_AT.toISOString(),
        meetingAt: '2026-10-29T09:30:00.000Z',
        requestedBy: 'test',
      },
    });
    await anchor('cycle-opened');
    await requestInputs(deps, CYCLE_ID);
    await answerInputs();
    expect((await checkInputs(deps, CYCLE_ID)).proceed).toBe(true);
    await compilePackage(deps, CYCLE_ID);
    await distributePackage(deps, CYCLE_ID);
    await anchor('package-distributed');
    clock.set(new Date('2026-10-29T11:00:00.000Z')); // after the meeting
    await requestMinutes(deps, CYCLE_ID);

    // While it runs: awaiting the minutes.
    const running = await exportEvidence({ cycleId: CYCLE_ID, out: join(folder, 'running.zip'), clock });
    expect(running.manifest.phase).toBe('AWAITING_MINUTES');
    const runningZip = await readFile(running.path);
    const runningCheck = verifyBundle(runningZip, await anchorsNow());
    expect(runningCheck.problems).toEqual([]);
    expect(runningCheck.held.join('\n')).toContain('matches the anchor of package-distributed');

    clock.set(NOW);
    const accepted = await acceptMinutes(
      { repo, clock },
      {
        cycleId: CYCLE_ID,
        text: VALID_MINUTES,
        submittedBy: 'alice',
        source: { channel: 'cli', fileName: 'minutes.yaml' },
        programme,
        catalogueKeys: theCatalogueKeys(programme),
      },
    );
    expect(accepted.ok).toBe(true);
    await anchor('minutes-accepted');
    await recordOutcomes(deps, CYCLE_ID);
    clock.advance(86_400_000);
    await closeCycle(deps, CYCLE_ID);
    await anchor('cycle-closed');

    const progress: string[] = [];
    const closed = await exportEvidence({
      cycleId: CYCLE_ID,
      out: join(folder, 'nested', `evidence-${CYCLE_ID}.zip`),
      clock,
      onProgress: (step) => progress.push(step),
    });
    expect(progress.at(-1)).toMatch(/^wrote .*evidence-C-20261001T0800Z-Q\.zip/);
    const zip = await readFile(closed.path);
    const files = unzipSync(zip);
    const paths = Object.keys(files);
    const submissions = await repo.listSubmissions(CYCLE_ID);
    const emailed = submissions.find((s) => s.source.channel === 'email')!;
    expect(paths).toEqual(
      expect.arrayContaining([
        'README.txt',
        'manifest.json',
        'events.jsonl',
        'cycle.json',
        'programme.json',
        'package/v1/package.html',
        'package/v1/package.pdf',
        'package/v1/package.txt',
        'package/v1/model.json',
        'package/v1/manifest.json',
        'minutes/v1/minutes.json',
        'minutes/v1/minutes.yaml',
        'minutes/v1/minutes.html',
        'minutes/v1/minutes.pdf',
        'minutes/attendance.csv',
        'minutes/decisions.csv',
        'minutes/assessment.csv',
        'actions.csv',
        'inputs/requests.csv',
        `inputs/${emailed.inputKey}/${emailed.id}.json`,
        `inputs/${emailed.inputKey}/${emailed.id}.eml`,
        'follow-up/reminders-and-escalations.csv',
        'mail/outbound.csv',
        'mail/deliveries.csv',
        'mail/inbound.csv',
      ]),
    );
    expect(paths.filter((p) => p.startsWith('inputs/') && p.endsWith('.json'))).toHaveLength(
      submissions.length,
    );
    expect(Buffer.from(files[`inputs/${emailed.inputKey}/${emailed.id}.eml`]!).equals(RAW_EMAIL)).toBe(true);
    const outbound = paths.filter((p) => p.startsWith('mail/outbound/'));
    expect(outbound.length).toBeGreaterThanOrEqual(5); // input requests, package, minutes request and distribution
    expect(paths.filter((p) => p.startsWith('anchors/')).map((p) => p.replace(/^.*\/\d+-/, ''))).toEqual([
      'cycle-opened.json',
      'package-distributed.json',
      'minutes-accepted.json',
      'cycle-closed.json',
    ]);
    // The name beside the id, from the programme the cycle ran under.
    expect(strFromU8(files['minutes/attendance.csv']!)).toContain('ciso,Sam Secure,Deputy for the CTO,');
    expect(closed.manifest.phase).toBe('CLOSED');
    const committed = closed.manifest.files.filter((f) => f.committedBy).map((f) => f.path);
    expect(committed).toEqual(
      expect.arrayContaining([
        'package/v1/model.json',
        'package/v1/manifest.json',
        'minutes/v1/minutes.yaml',
        'minutes/v1/minutes.html',
        'minutes/v1/minutes.pdf',
        outbound[0],
      ]),
    );
    // The PDF in the bundle is the one the attendees received with the minutes.
    const pdfInBundle = Buffer.from(files['minutes/v1/minutes.pdf']!);
    expect(pdfInBundle.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const distribution = outbound
      .map((path) => strFromU8(files[path]!))
      .filter((raw) => raw.includes(`minutes-${CYCLE_ID}-v1.pdf`));
    expect(distribution).toHaveLength(1);
    expect(distribution[0]!.replace(/\r?\n/g, '')).toContain(pdfInBundle.toString('base64'));

    const check = verifyBundle(zip, await anchorsNow());
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.held).toContain('every milestone of the closed cycle has a valid signed anchor');
    for (const milestone of ['cycle-opened', 'package-distributed', 'minutes-accepted', 'cycle-closed']) {
      expect(check.held.join('\n')).toContain(`matches the anchor of ${milestone}`);
    }
    // The local S3 has no Object Lock: the anchors say so rather than pretend.
    expect(check.notes.join('\n')).toContain('does not implement Object Lock');

    // Someone with write access to the table rewrites an early event and re-chains the rest.
    const events = await repo.listEvents(CYCLE_ID);
    let prevHash = events[0]!.prevHash;
    const forged: CycleEvent[] = events.map((event, index) => {
      const content = { ...event, ...(index === 1 ? { actor: 'ceo' as const } : {}) };
      const { prevHash: _p, hash: _h, ...fields } = content;
      const hash = computeEventHash(prevHash, fields);
      const rewritten = { ...fields, prevHash, hash } as CycleEvent;
      prevHash = hash;
      return rewritten;
    });
    for (const event of forged) {
      await client.send(
        new PutCommand({
          TableName: eventsTableNameFor(tableName),
          Item: { ...eventKeys.event(CYCLE_ID, event.seq), entity: 'event', ...event },
        }),
      );
    }
    const rewritten = await exportEvidence({ cycleId: CYCLE_ID, out: join(folder, 'rewritten.zip'), clock });
    const forgedCheck = verifyBundle(await readFile(rewritten.path), await anchorsNow());
    expect(forgedCheck.ok).toBe(false);
    expect(forgedCheck.problems.map((p) => p.place)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^anchor anchors\/C-20261001T0800Z-Q\/\d{6}-cycle-closed\.json$/),
      ]),
    );
  }, 120_000);
});
