/**
 * One review cycle opened from programme.example.yaml against the emulators (DynamoDB Local, local
 * S3, local SES) with its inputs requested, on a FixedClock the test moves, and the real notifier,
 * outbox and package store wired as the functions wire them (shared/wiring/): for tests that call
 * the phase functions of shared/cycle/service.ts.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { FixedClock } from '#shared/clock.ts';
import { checkApproval, latestPackage, recordApprovalAnswer } from '#shared/cycle/approvals.ts';
import type { DistributionDeps, PackagingDeps } from '#shared/cycle/ports.ts';
import { compilePackage, openCycle, requestInputs } from '#shared/cycle/service.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { evidenceBucket } from '#shared/wiring/buckets.ts';
import { cycleDeps } from '#shared/wiring/cycle.ts';
import { Wiring } from '#shared/wiring/wiring.ts';
import { applyLocalEnv, freshBucket, freshTable } from './local-stack.ts';

/** The anchoring key of every test world (its fingerprint is named in package and minutes emails). */
const WORLD_ANCHOR_KEY = String(
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
);

export const OPENED = new Date('2027-03-01T09:00:00.000Z');
export const MEETING = '2027-03-29T09:00:00.000Z';

/**
 * `programme` defaults to programme.example.yaml; `uniqueEmails` gives every person an address of
 * this world alone, for tests that read the local SES mailbox (shared by every test run).
 */
export async function cycleWorld(
  name: string,
  options: { programme?: Programme; uniqueEmails?: boolean } = {},
) {
  applyLocalEnv();
  const table = await freshTable(name);
  const { bucket } = await freshBucket('evidence');
  const repo = new DynamoDbRepository(table);
  const base = options.programme ?? loadProgrammeFile('programme.example.yaml');
  const suffix = randomUUID().slice(0, 8);
  const programme: Programme = options.uniqueEmails
    ? { ...base, people: base.people.map((p) => ({ ...p, email: `${p.id}.${suffix}@example.com` })) }
    : base;
  const document = JSON.parse(JSON.stringify(programme)) as Record<string, unknown>;
  await repo.saveProgrammeVersion({
    programmeId: programme.organisation.id,
    version: 1,
    hash: canonicalHash(document),
    savedAt: '2027-02-01T10:00:00.000Z',
    savedBy: 'alice',
    document,
  });
  const clock = new FixedClock(OPENED);
  // The wiring the functions use, on this world's table and bucket, its clock and reply key, and a
  // workflow that is never waiting.
  const wiring = new Wiring({
    env: {
      ...process.env,
      TABLE_NAME: table.tableName,
      EVIDENCE_BUCKET: bucket,
      ANCHOR_SIGNING_KEY: WORLD_ANCHOR_KEY,
      ANCHOR_SIGNING_KEY_ID: undefined,
    },
    overrides: {
      repo,
      clock,
      replyKey: singleKeyring(Buffer.alloc(32, 7)),
      workflow: { sendTaskSuccess: async () => undefined },
    },
  });
  const deps = await cycleDeps(wiring);
  const evidence = await wiring.get(evidenceBucket);
  const outboxStore = new DynamoOutboxStore(table);
  const cycleId = cycleIdFor('quarterly', OPENED);
  await openCycle(deps, {
    executionName: cycleId,
    request: { programmeId: programme.organisation.id, type: 'quarterly', meetingAt: MEETING },
  });
  await requestInputs(deps, cycleId);
  return { deps, repo, clock, evidence, outboxStore, programme, cycleId, anchorKeyPem: WORLD_ANCHOR_KEY };
}

/**
 * The ISMS manager approves the latest package, as their APPROVE by reply records it: the approval is
 * asked for first (checkApproval sends the request; when an input changed since the build, the
 * package is compiled again first, as the workflow does), then the answer is recorded for the
 * version asked about (shared/cycle/approvals.ts). Returns that version.
 */
export async function approvePackage(w: {
  deps: DistributionDeps & PackagingDeps;
  cycleId: string;
  programme: Programme;
}): Promise<number> {
  let asked = await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
  if (asked.rebuild) {
    await compilePackage(w.deps, w.cycleId);
    asked = await checkApproval(w.deps, { cycleId: w.cycleId, subject: 'package' });
  }
  if (asked.approved || asked.version === undefined) {
    throw new Error(`the package of ${w.cycleId} is already approved, or approval is turned off`);
  }
  const built = latestPackage(await w.deps.repo.listEvents(w.cycleId));
  if (built?.version !== asked.version)
    throw new Error(`version ${asked.version} of the package was not built`);
  await recordApprovalAnswer(w.deps, w.cycleId, {
    subject: 'package',
    version: asked.version,
    sha256: built.sha256,
    by: w.programme.roles.ismsManager,
    at: w.deps.clock.now().toISOString(),
    answer: 'approve',
  });
  return asked.version;
}
