/**
 * One review cycle opened from programme.example.yaml against the emulators (DynamoDB Local, local
 * S3, local SES) with its inputs requested, on a FixedClock the test moves, and the real notifier,
 * outbox and package store: for tests that call the phase functions of shared/cycle/service.ts.
 */
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { BlobPackageStore } from '#shared/adapters/package-wiring.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { FixedClock } from '#shared/clock.ts';
import type { CycleDeps } from '#shared/cycle/ports.ts';
import { openCycle, requestInputs } from '#shared/cycle/service.ts';
import { canonicalHash } from '#shared/evidence/canonical-json.ts';
import { CycleNotifier } from '#shared/mail/notifier.ts';
import { Outbox } from '#shared/mail/outbox.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { applyLocalEnv, freshBucket, freshTable } from './local-stack.ts';

export const OPENED = new Date('2027-03-01T09:00:00.000Z');
export const MEETING = '2027-03-29T09:00:00.000Z';

export async function cycleWorld(name: string) {
  applyLocalEnv();
  const table = await freshTable(name);
  const { bucket } = await freshBucket('evidence');
  const repo = new DynamoDbRepository(table);
  const programme = loadProgrammeFile('programme.example.yaml');
  await repo.saveProgrammeVersion({
    programmeId: programme.organisation.id,
    version: 1,
    hash: canonicalHash(programme),
    savedAt: '2027-02-01T10:00:00.000Z',
    savedBy: 'alice',
    document: programme as unknown as Record<string, unknown>,
  });
  const clock = new FixedClock(OPENED);
  const evidence = new S3BlobStore({ client: s3ClientFromEnv(), bucket });
  const packages = new BlobPackageStore(evidence);
  const outboxStore = new DynamoOutboxStore(table);
  const deps: CycleDeps = {
    repo,
    clock,
    packages,
    notifier: new CycleNotifier({
      outbox: new Outbox({ store: outboxStore, mailer: SesMailer.fromEnv(), blobs: evidence, clock }),
      repo,
      clock,
      replyKey: Buffer.alloc(32, 7),
      loadPackage: (stored) => packages.load(stored),
    }),
    workflow: { sendTaskSuccess: async () => undefined },
  };
  const cycleId = cycleIdFor('quarterly', OPENED);
  await openCycle(deps, {
    executionName: cycleId,
    request: { programmeId: programme.organisation.id, type: 'quarterly', meetingAt: MEETING },
  });
  await requestInputs(deps, cycleId);
  return { deps, repo, clock, outboxStore, programme, cycleId };
}
