/**
 * A cycle's records in memory, as the export reads them: a submitted input with its raw email, a
 * frozen package (HTML, text, PDF), a sent and a received message, a reminder, and the chained
 * event log that recorded each file's hash when it happened.
 */
import { FileSigner, newSigningKeyPem } from '#shared/adapters/file-signer.ts';
import { FixedClock } from '#shared/clock.ts';
import { MemoryAnchorStore } from '#shared/evidence/anchor.ts';
import { canonicalJson } from '#shared/model/canonical-json.ts';
import { computeEventHash, GENESIS_HASH } from '#shared/evidence/hash-chain.ts';
import type { EvidenceSource } from '#shared/evidence/export.ts';
import type { OutboxRecord } from '#shared/mail/outbox.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { CycleEvent, EventDraft } from '#shared/model/event.ts';
import type { ProgrammeVersion } from '#shared/model/programme-ref.ts';
import { MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';
import type { CycleRecords } from '#shared/store/repository.ts';
import {
  aCycle,
  anAction,
  anInputRequest,
  answered,
  aProgrammeVersion,
  aSubmission,
} from '../model/builders.ts';

export const EXPORTED_AT = new Date('2026-11-20T12:00:00.000Z');

/** Events with seq, prevHash and hash, as the repository appends them. */
export function chainOf(cycleId: string, drafts: readonly EventDraft[]): CycleEvent[] {
  const events: CycleEvent[] = [];
  let prevHash = GENESIS_HASH;
  drafts.forEach((draft, index) => {
    const content = { ...draft, cycleId, seq: index + 1 };
    const hash = computeEventHash(prevHash, content);
    events.push({ ...content, prevHash, hash });
    prevHash = hash;
  });
  return events;
}

export interface Fixture {
  readonly cycle: Cycle;
  readonly source: EvidenceSource;
  readonly records: CycleRecords;
  readonly evidence: MemoryBlobStore;
  readonly rawMail: MemoryBlobStore;
  readonly anchors: MemoryAnchorStore;
  /** The anchoring key of this fixture (a fresh P-256 key pair). */
  readonly signer: FileSigner;
  readonly clock: FixedClock;
  readonly programme: ProgrammeVersion;
}

const at = (iso: string) => new Date(iso).toISOString();

export async function aFixture(): Promise<Fixture> {
  const cycle = aCycle({ phase: 'FOLLOW_UP', packageHash: 'f'.repeat(64) });
  const programme = aProgrammeVersion(1, {
    document: {
      organisation: { id: 'example-ltd', name: 'Example Ltd', timeZone: 'Europe/London' },
      evidence: { retentionDays: 2557 },
    },
  });
  const evidence = new MemoryBlobStore();
  const rawMail = new MemoryBlobStore();
  const base = `cycles/${cycle.id}/package/v1`;
  const model = Buffer.from(
    canonicalJson({ cycleId: cycle.id, inputs: { d1: 'Two minor nonconformities' } }),
  );
  const packageFiles: Record<string, Buffer> = {
    'package.html': Buffer.from('<html><body><h1>Management review package</h1></body></html>'),
    'email.html': Buffer.from('<html><body><p>Package</p><img src="cid:chart-d1"></body></html>'),
    'package.txt': Buffer.from('Management review package'),
    'package.pdf': Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
    'chart-d1.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    'model.json': model,
  };
  const listing: Record<string, { sha256: string; size: number }> = {};
  for (const [name, body] of Object.entries(packageFiles)) {
    listing[name] = await evidence.put(`${base}/${name}`, body, 'application/octet-stream');
  }
  await evidence.put(
    `${base}/manifest.json`,
    Buffer.from(
      JSON.stringify({ cycleId: cycle.id, version: 1, contentHash: sha256Of(model), files: listing }),
    ),
    'application/json',
  );
  const inbound = Buffer.from(
    'From: Ann Auditor <auditor@example.com>\r\nTo: review+t1@reply.example.com\r\nSubject: Re: input d1\r\n' +
      'Message-ID: <abc@mail.example.com>\r\n\r\nd1: Two minor nonconformities, both closed.\r\n',
  );
  await rawMail.put('inbound/abc', inbound, 'message/rfc822');
  const outbound = Buffer.from(
    'From: review@example.com\r\nTo: auditor@example.com\r\nSubject: Your input\r\n\r\nPlease.\r\n',
  );
  await evidence.put(`cycles/${cycle.id}/mail/input-request_auditor.eml`, outbound, 'message/rfc822');

  const request = anInputRequest(cycle, 'd1');
  const submission = aSubmission(request);
  const drafts: EventDraft[] = [
    { type: 'cycle.opened', at: cycle.openedAt, actor: 'system', data: { requestedBy: 'schedule' } },
    {
      type: 'mail.sent',
      at: at('2026-10-01T08:01:00Z'),
      actor: 'system',
      data: { key: 'input-request:auditor', sha256: sha256Of(outbound), sesMessageId: 'ses-1' },
    },
    {
      type: 'input.submitted',
      at: submission.receivedAt,
      actor: 'auditor',
      sourceMessageId: '<abc@mail.example.com>',
      data: {
        inputKey: 'd1',
        submissionId: submission.id,
        rawSha256: sha256Of(inbound),
        rawS3Key: 'inbound/abc',
      },
    },
    {
      type: 'mail.received',
      at: submission.receivedAt,
      actor: 'auditor',
      data: {
        outcome: 'accepted',
        rawS3Key: 'inbound/abc',
        rawSha256: sha256Of(inbound),
        from: 'auditor@example.com',
        purpose: 'inputs',
      },
    },
    {
      type: 'input.reminder_sent',
      at: at('2026-10-12T08:00:00Z'),
      actor: 'system',
      data: { inputKey: 'd2', ownerId: 'ciso', step: 'reminder-1' },
    },
    {
      type: 'package.built',
      at: at('2026-10-20T08:00:00Z'),
      actor: 'system',
      data: {
        version: 1,
        sha256: sha256Of(model),
        htmlKey: `${base}/package.html`,
        emailHtmlKey: `${base}/email.html`,
        textKey: `${base}/package.txt`,
        pdfKey: `${base}/package.pdf`,
        manifestKey: `${base}/manifest.json`,
        charts: [{ id: 'chart-d1', key: `${base}/chart-d1.png`, cid: 'chart-d1@package' }],
        inputVersions: { d1: submission.id },
      },
    },
    {
      type: 'package.distributed',
      at: at('2026-10-24T08:00:00Z'),
      actor: 'system',
      data: { sha256: sha256Of(model), version: 1, recipients: ['ceo@example.com'] },
    },
  ];
  const records: CycleRecords = {
    cycle,
    inputRequests: [answered(request, submission), anInputRequest(cycle, 'd2', { ownerId: 'ciso' })],
    submissions: [submission],
    actions: [anAction(cycle, 1, { title: '=HYPERLINK("http://evil.example")' })],
    events: chainOf(cycle.id, drafts),
    parkedTasks: [],
    notificationsSent: [],
    minutes: [],
  };
  const sent: OutboxRecord = {
    cycleId: cycle.id,
    key: 'input-request:auditor',
    purpose: 'inputs',
    recipients: ['auditor@example.com'],
    status: 'SENT',
    attempt: 1,
    messageUuid: '6f1c1d1e-8c4b-4b8e-9d55-2f1e7c1a0b11',
    claimedAt: at('2026-10-01T08:00:59Z'),
    leaseUntil: at('2026-10-01T08:01:59Z'),
    messageId: '<6f1c1d1e@example.com>',
    sesMessageId: 'ses-1',
    rawKey: `cycles/${cycle.id}/mail/input-request_auditor.eml`,
    sha256: sha256Of(outbound),
    size: outbound.length,
    sentAt: at('2026-10-01T08:01:00Z'),
  };
  const anchors = new MemoryAnchorStore();
  const signer = new FileSigner(newSigningKeyPem());
  const clock = new FixedClock(EXPORTED_AT);
  const source: EvidenceSource = {
    repo: {
      getCycleRecords: async (id) => (id === cycle.id ? records : undefined),
      getProgrammeVersion: async (id, version) =>
        id === programme.programmeId && version === programme.version ? programme : undefined,
      listMinutes: async () => [],
    },
    outbox: { listSent: async (id) => (id === cycle.id ? [sent] : []) },
    evidence,
    rawMail,
    anchors,
    anchorKey: signer,
    manifestSigner: signer,
    clock,
  };
  return { cycle, source, records, evidence, rawMail, anchors, signer, clock, programme };
}
