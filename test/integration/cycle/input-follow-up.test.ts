/**
 * Input follow-up after a crash, against DynamoDB Local, the local S3 and the local SES: a reminder
 * step whose claim was written but whose email never went out (the process died in between) is
 * finished by the next check: the email goes out once, each request records it once, and later
 * checks send nothing more.
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { BlobPackageStore } from '#shared/adapters/package-wiring.ts';
import { S3BlobStore, s3ClientFromEnv } from '#shared/adapters/s3-blob-store.ts';
import { SesMailer } from '#shared/adapters/ses-mailer.ts';
import { FixedClock } from '#shared/clock.ts';
import type { CycleDeps } from '#shared/cycle/ports.ts';
import { checkInputs, openCycle, requestInputs } from '#shared/cycle/service.ts';
import { canonicalHash } from '#shared/evidence/canonical-json.ts';
import { CycleNotifier } from '#shared/mail/notifier.ts';
import { Outbox } from '#shared/mail/outbox.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { applyLocalEnv, freshBucket, freshTable } from '#test/support/local-stack.ts';

const OPENED = new Date('2027-03-01T09:00:00.000Z');
const MEETING = '2027-03-29T09:00:00.000Z';
const DAY = 86_400_000;

describe('an input reminder interrupted between its claim and its email', () => {
  it('is sent once by the next check and recorded once on each request', async () => {
    applyLocalEnv();
    const table = await freshTable('input-follow-up');
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

    // The crash: the auditor's first reminder was claimed, then the process died.
    clock.set(new Date(OPENED.getTime() + 3 * DAY + 60_000));
    expect(await repo.claimNotification(cycleId, 'input:auditor:reminder-1', clock.now().toISOString())).toBe(
      true,
    );

    await checkInputs(deps, cycleId);
    clock.set(new Date(clock.now().getTime() + 3_600_000));
    await checkInputs(deps, cycleId);

    const sent = (await outboxStore.listSent(cycleId)).map((m) => m.key);
    expect(sent.filter((key) => key === 'input:auditor:reminder-1')).toHaveLength(1);
    // The other owners' reminders of the same step went out as usual, once each.
    expect(sent.filter((key) => /^input:[^:]+:reminder-1$/.test(key)).length).toBe(5);
    const auditorRequests = (await repo.listInputRequests(cycleId)).filter((r) => r.ownerId === 'auditor');
    expect(auditorRequests.length).toBeGreaterThan(0);
    for (const request of auditorRequests) expect(request.remindersSent).toBe(1);
    const reminderEvents = (await repo.listEvents(cycleId)).filter(
      (e) => e.type === 'input.reminder_sent' && e.data.ownerId === 'auditor',
    );
    expect(reminderEvents).toHaveLength(auditorRequests.length);
  });
});
