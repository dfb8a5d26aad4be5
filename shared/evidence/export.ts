/**
 * Builds a cycle's evidence bundle: one ZIP with every record of the review, the raw messages,
 * the frozen package, the minutes, the event log, a manifest of SHA-256 hashes and a README
 * for the auditor (bundle.ts). Pure: it reads through an EvidenceSource, so the same code runs
 * against the deployed stack, the local stack, or memory (shared/adapters/evidence-source.ts
 * wires the stores).
 *
 * It works while a cycle runs: the event log is read once, and the bundle holds the chain up to
 * that head (the manifest and README say which phase the cycle was in). Files the records name
 * but the stores do not hold are listed as gaps, never left out silently.
 */
import { zipSync } from 'fflate';
import type { Clock } from '../clock.ts';
import type { OutboxRecord } from '../mail/outbox.ts';
import type { CycleEvent } from '../model/event.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { BlobNotFound, sha256Of } from '../store/blob-store.ts';
import type { CycleRecords, ReviewRepository } from '../store/repository.ts';
import type { AnchorStore } from './anchor.ts';
import {
  ANCHOR_KEY_FILE,
  BUNDLE_FORMAT,
  MANIFEST_SIG_FILE,
  EVENTS_FILE,
  MANIFEST_FILE,
  README_FILE,
  readmeText,
  safeName,
  type Commitment,
  type Gap,
  type Manifest,
  type ManifestEntry,
} from './bundle.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import { toCsv } from './csv.ts';
import { inboundMessagePath, keptRawMessage } from './inbound-evidence.ts';
import { RECEIPT_EVENT_TYPES } from './mail-events.ts';
import { anchorKeyFromSpki, type AnchorSigner } from './signer.ts';

/** Where the records of a cycle are read from. */
export interface EvidenceSource {
  readonly repo: Pick<ReviewRepository, 'getCycleRecords' | 'getProgrammeVersion' | 'listMinutes'>;
  /** The sent messages of a cycle (their raw copies are in `evidence`). */
  readonly outbox: { listSent(cycleId: string): Promise<OutboxRecord[]> };
  /** The evidence bucket: package, attachments, outbound raw mail, minutes renderings. */
  readonly evidence: Pick<BlobStore, 'get'>;
  /** The raw mail bucket: inbound messages as received. */
  readonly rawMail: Pick<BlobStore, 'get'>;
  /** Anchors, copied into the bundle; absent: none are copied (a note says so). */
  readonly anchors?: Pick<AnchorStore, 'list'> | undefined;
  /** The anchoring key's public half, written as anchor-key.pem; absent: the bundle holds no key. */
  readonly anchorKey?: Pick<AnchorSigner, 'publicKey'> | undefined;
  /**
   * Signs manifest.json (manifest.sig) where the exporter may use the anchoring key (the local
   * stack); on AWS only the anchoring function may sign, and the anchors carry the signatures.
   */
  readonly manifestSigner?: Pick<AnchorSigner, 'sign'> | undefined;
  readonly clock: Clock;
}

export interface ExportProgress {
  (step: string): void;
}

export interface EvidenceBundle {
  readonly zip: Uint8Array;
  readonly manifest: Manifest;
}

/** The cycle does not exist. */
export class CycleNotFoundForExport extends Error {
  override name = 'CycleNotFoundForExport' as const;
}

const JSON_TEXT = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');

/** Collects files and their manifest entries. */
class BundleWriter {
  readonly files = new Map<string, { body: Buffer; entry: ManifestEntry }>();
  readonly gaps: Gap[] = [];

  add(path: string, body: Buffer, describes: string, committedBy?: Commitment): string {
    let unique = path;
    for (let n = 2; this.files.has(unique); n += 1) unique = path.replace(/(\.[^./]+)?$/, `-${n}$1`);
    this.files.set(unique, {
      body,
      entry: {
        path: unique,
        sha256: sha256Of(body),
        size: body.length,
        describes,
        ...(committedBy ? { committedBy } : {}),
      },
    });
    return unique;
  }

  /** Adds a stored blob, or records a gap when the store does not have it. */
  async addBlob(
    store: Pick<BlobStore, 'get'>,
    key: string,
    path: string,
    describes: string,
    committedBy?: Commitment,
  ): Promise<boolean> {
    try {
      this.add(path, await store.get(key), describes, committedBy);
      return true;
    } catch (error) {
      if (!(error instanceof BlobNotFound) && (error as Error).name !== 'InvalidBlobKey') throw error;
      this.gaps.push({ path, reason: `${describes} Not found in the store under ${key}.` });
      return false;
    }
  }
}

const committed = (event: CycleEvent | undefined, field: string, hashOf: Commitment['hashOf'] = 'bytes') =>
  event && typeof event.data[field] === 'string'
    ? { seq: event.seq, type: event.type, field, hashOf }
    : undefined;

/**
 * The commitment of an attachment: the item of the submission event's `attachments` list with the
 * same SHA-256 (events recorded since attachments were committed; older ones commit none).
 */
function attachmentCommitment(event: CycleEvent | undefined, sha256: string): Commitment | undefined {
  const list = event?.data.attachments;
  if (!event || !Array.isArray(list)) return undefined;
  const item = list.findIndex((entry) => (entry as { sha256?: unknown } | null)?.sha256 === sha256);
  return item < 0
    ? undefined
    : { seq: event.seq, type: event.type, field: 'attachments', item, hashOf: 'bytes' };
}

const REMINDER_TYPES = /\.(reminder_sent|escalated|overdue_notice_sent|not_provided)$/;

/** Builds the bundle of `cycleId` (see the module note). */
export async function buildEvidenceBundle(
  source: EvidenceSource,
  cycleId: string,
  progress: ExportProgress = () => {},
): Promise<EvidenceBundle> {
  progress(`reading the records of cycle ${cycleId}`);
  const records: CycleRecords | undefined = await source.repo.getCycleRecords(cycleId);
  if (!records) {
    throw new CycleNotFoundForExport(
      `cycle ${cycleId} does not exist; \`isms-review cycle list\` shows the cycles`,
    );
  }
  const { cycle } = records;
  const events = [...records.events].sort((a, b) => a.seq - b.seq);
  const head = events.at(-1);
  const out = new BundleWriter();
  const exportedAt = source.clock.now().toISOString();

  // Records
  out.add(
    'cycle.json',
    JSON_TEXT(cycle),
    'The cycle record as stored at export: phase, dates, package hash.',
  );
  const programme = await source.repo.getProgrammeVersion(cycle.programmeId, cycle.programme.version);
  if (programme) {
    out.add(
      'programme.json',
      JSON_TEXT(programme),
      `The review programme (version ${programme.version}) the cycle ran under: people, roles, inputs, escalation.`,
    );
  } else {
    out.gaps.push({
      path: 'programme.json',
      reason: `programme ${cycle.programmeId} version ${cycle.programme.version} is not stored`,
    });
  }
  progress(`writing the event log (${events.length} events)`);
  out.add(
    EVENTS_FILE,
    Buffer.from(events.map((event) => `${canonicalJson(event)}\n`).join(''), 'utf8'),
    'The hash-chained event log of the cycle, one event per line in canonical JSON, in order.',
  );

  // Inputs
  progress(`adding ${records.submissions.length} input submissions`);
  out.add(
    'inputs/requests.csv',
    Buffer.from(
      toCsv(
        records.inputRequests.map((r) => ({
          inputKey: r.inputKey,
          title: r.title,
          ownerId: r.ownerId ?? '(automatic)',
          status: r.status,
          requestedAt: r.requestedAt,
          dueAt: r.dueAt,
          remindersSent: r.remindersSent,
          lastReminderAt: r.lastReminderAt,
          escalationLevel: r.escalationLevel,
          submissionId: r.submissionId,
          notProvidedAt: r.notProvidedAt,
        })),
        [
          'inputKey',
          'title',
          'ownerId',
          'status',
          'requestedAt',
          'dueAt',
          'remindersSent',
          'lastReminderAt',
          'escalationLevel',
          'submissionId',
          'notProvidedAt',
        ],
      ),
    ),
    'Every clause 9.3.2 input requested, its owner and how it ended: SUBMITTED, NOTHING_TO_REPORT, NOT_PROVIDED or still REQUESTED.',
  );
  const submittedEvents = new Map(
    events
      .filter((e) => e.type === 'input.submitted' && typeof e.data.submissionId === 'string')
      .map((e) => [e.data.submissionId as string, e]),
  );
  for (const submission of records.submissions) {
    const base = `inputs/${safeName(submission.inputKey)}/${safeName(submission.id)}`;
    out.add(
      `${base}.json`,
      JSON_TEXT(submission),
      `Input ${submission.inputKey} as recorded from ${submission.submitterId} (${submission.kind}), parsed.`,
    );
    if (submission.source.channel === 'email') {
      await out.addBlob(
        source.rawMail,
        submission.source.rawS3Key,
        `${base}.eml`,
        `The email that submitted input ${submission.inputKey}, exactly as received.`,
        committed(submittedEvents.get(submission.id), 'rawSha256'),
      );
    }
    const submittedEvent = submittedEvents.get(submission.id);
    for (const attachment of submission.attachments) {
      await out.addBlob(
        source.evidence,
        attachment.s3Key,
        `${base}/${safeName(attachment.name)}`,
        `Attachment "${attachment.name}" of input ${submission.inputKey} (SHA-256 ${attachment.sha256} when received).`,
        attachmentCommitment(submittedEvent, attachment.sha256),
      );
    }
  }

  // Package
  const built = events.filter((e) => e.type === 'package.built');
  progress(`adding ${built.length} package version(s)`);
  for (const event of built) await addPackage(out, source, event);

  // Minutes
  const minutes = records.minutes ?? (await source.repo.listMinutes(cycleId));
  progress(`adding ${minutes.length} version(s) of the minutes`);
  const acceptedEvents = new Map(
    events.filter((e) => e.type === 'minutes.accepted').map((e) => [e.data.version as number, e]),
  );
  const renderedEvents = new Map(
    events.filter((e) => e.type === 'minutes.rendered').map((e) => [e.data.version as number, e]),
  );
  for (const record of minutes) {
    const base = `minutes/v${record.version}`;
    out.add(
      `${base}/minutes.json`,
      JSON_TEXT(record),
      `Minutes version ${record.version} as accepted: attendance, inputs considered, decisions, actions, assessment.`,
    );
    out.add(
      `${base}/minutes.yaml`,
      Buffer.from(record.sourceText, 'utf8'),
      `Minutes version ${record.version} as written by ${record.submittedBy}.`,
      committed(acceptedEvents.get(record.version), 'sourceHash', 'normalised minutes text'),
    );
    const rendered = renderedEvents.get(record.version);
    for (const [name, type, field] of [
      ['minutes.html', 'HTML', 'htmlSha256'],
      ['minutes.pdf', 'PDF', 'pdfSha256'],
    ] as const) {
      const describes = `Minutes version ${record.version} as ${type}, rendered from the accepted record.`;
      if (rendered) {
        const key = rendered.data[field === 'htmlSha256' ? 'htmlKey' : 'pdfKey'];
        await out.addBlob(
          source.evidence,
          typeof key === 'string' ? key : `cycles/${cycleId}/minutes/v${record.version}/${name}`,
          `${base}/${name}`,
          describes,
          committed(rendered, field),
        );
      } else {
        out.gaps.push({
          path: `${base}/${name}`,
          reason: `minutes version ${record.version} had not been rendered by the time of export (they are rendered when the workflow distributes the minutes)`,
        });
      }
    }
  }
  const latest = minutes.at(-1);
  if (latest) {
    const content = latest.content;
    out.add(
      'minutes/attendance.csv',
      Buffer.from(toCsv(content.attendance, ['personId', 'role', 'topManagement', 'status', 'proxyFor'])),
      `Who attended the meeting (minutes version ${latest.version}): top management, proxies marked.`,
    );
    out.add(
      'minutes/decisions.csv',
      Buffer.from(
        toCsv(
          content.decisions.map((d) => ({ ref: content.decisionRefs[d.id], ...d })),
          ['ref', 'id', 'category', 'text', 'inputKey'],
        ),
      ),
      `Decisions of the review by category (minutes version ${latest.version}).`,
    );
    out.add(
      'minutes/assessment.csv',
      Buffer.from(
        toCsv(
          Object.entries(content.assessment).map(([aspect, value]) => ({ aspect, ...value })),
          ['aspect', 'verdict', 'rationale'],
        ),
      ),
      'The verdict on the suitability, adequacy, effectiveness and alignment of the ISMS, each with its rationale.',
    );
  } else {
    out.gaps.push({
      path: 'minutes/',
      reason: `no minutes were recorded for cycle ${cycleId} by the time of export (phase ${cycle.phase})`,
    });
  }
  out.add(
    'actions.csv',
    Buffer.from(
      toCsv(
        records.actions.map((a) => ({
          id: a.id,
          title: a.title,
          ownerId: a.ownerId,
          dueDate: a.dueDate,
          status: a.status,
          corrective: a.corrective,
          decisionId: a.decisionId,
          inputKey: a.inputKey,
          escalationLevel: a.escalationLevel,
          createdAt: a.createdAt,
          updatedAt: a.updatedAt,
          history: a.history.map((h) => `${h.at} ${h.by}: ${h.change}`).join('\n'),
        })),
        [
          'id',
          'title',
          'ownerId',
          'dueDate',
          'status',
          'corrective',
          'decisionId',
          'inputKey',
          'escalationLevel',
          'createdAt',
          'updatedAt',
          'history',
        ],
      ),
    ),
    'The actions decided in this review, their owners, due dates, current status and full history.',
  );

  // Reminders and escalations
  out.add(
    'follow-up/reminders-and-escalations.csv',
    Buffer.from(
      toCsv(
        events
          .filter((e) => REMINDER_TYPES.test(e.type))
          .map((e) => ({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, ...e.data })),
      ),
    ),
    'Every reminder, overdue notice and escalation (inputs, minutes, actions) and every input closed as not provided, from the event log.',
  );

  // Mail
  const sent = await source.outbox.listSent(cycleId);
  progress(`adding ${sent.length} sent messages`);
  const sentEvents = new Map(
    events.filter((e) => e.type === 'mail.sent').map((e) => [e.data.key as string, e]),
  );
  const outboundRows: Record<string, unknown>[] = [];
  for (const record of sent) {
    let file = '';
    if (record.rawKey) {
      const path = `mail/outbound/${safeName(record.key)}.eml`;
      if (
        await out.addBlob(
          source.evidence,
          record.rawKey,
          path,
          `The message "${record.key}" (${record.purpose}) exactly as handed to SES.`,
          committed(sentEvents.get(record.key), 'sha256'),
        )
      ) {
        file = path;
      }
    }
    outboundRows.push({
      key: record.key,
      purpose: record.purpose,
      recipients: record.recipients.join(' '),
      sentAt: record.sentAt,
      messageId: record.messageId,
      sesMessageId: record.sesMessageId,
      sha256: record.sha256,
      file,
    });
  }
  out.add(
    'mail/outbound.csv',
    Buffer.from(
      toCsv(outboundRows, [
        'key',
        'purpose',
        'recipients',
        'sentAt',
        'messageId',
        'sesMessageId',
        'sha256',
        'file',
      ]),
    ),
    'Every message sent for the cycle (requests, reminders, escalations, package, minutes, answers): recipients, time, SES message id (the acceptance receipt), hash.',
  );
  const deliveries = events.filter((e) => RECEIPT_EVENT_TYPES.includes(e.type));
  out.add(
    'mail/deliveries.csv',
    Buffer.from(
      toCsv(
        deliveries.map((e) => ({ seq: e.seq, at: e.at, type: e.type, ...e.data })),
        deliveries.length === 0 ? ['seq', 'at', 'type', 'sesMessageId', 'recipients'] : undefined,
      ),
    ),
    deliveries.length === 0
      ? 'Delivery receipts: SES delivery, bounce and complaint notifications recorded in the event log. None were recorded for this cycle; the SES message ids in mail/outbound.csv show that SES accepted each message.'
      : 'Delivery receipts: SES delivery, bounce and complaint notifications recorded in the event log.',
  );
  const received = events.filter((e) => e.type === 'mail.received');
  progress(`adding ${received.length} received messages`);
  const inboundRows: Record<string, unknown>[] = [];
  for (const event of received) {
    const key = event.data.rawS3Key;
    let file = '';
    const path = inboundMessagePath(event);
    if (typeof key === 'string' && path) {
      const kept = keptRawMessage(source, event, key);
      if (
        await out.addBlob(
          kept.store,
          kept.key,
          path,
          `A message received from ${String(event.data.from ?? 'an unknown sender')} (${String(event.data.outcome ?? '')}), exactly as received.`,
          committed(event, 'rawSha256'),
        )
      ) {
        file = path;
      }
    }
    inboundRows.push({ seq: event.seq, at: event.at, ...event.data, file });
  }
  out.add(
    'mail/inbound.csv',
    Buffer.from(toCsv(inboundRows)),
    'Every message received for the cycle: sender, purpose, outcome (accepted, rejected, ignored, dropped), the answer sent, and the raw file.',
  );

  // Anchors
  if (source.anchors) {
    const anchors = await source.anchors.list(cycleId);
    for (const stored of anchors) {
      out.add(
        stored.key,
        stored.body,
        `Copy of the anchor written at milestone ${stored.anchor.milestone}: chain head seq ${stored.anchor.head.seq} (${stored.lock.locked ? 'locked' : 'not locked'}: ${stored.lock.note}).`,
      );
    }
    if (anchors.length === 0) {
      out.gaps.push({
        path: 'anchors/',
        reason: `no anchor was written for cycle ${cycleId} yet (anchors are written when the cycle opens, the package is distributed, the minutes are accepted, the cycle closes, and daily while it runs)`,
      });
    }
  } else {
    out.gaps.push({ path: 'anchors/', reason: 'the anchors were not read at export' });
  }

  // Manifest and README
  progress('writing the manifest and README');
  const entries = [...out.files.values()].map((f) => f.entry);
  const base = {
    format: BUNDLE_FORMAT,
    cycleId,
    programmeId: cycle.programmeId,
    exportedAt,
    phase: cycle.phase,
    chainHead: { seq: head?.seq ?? 0, hash: head?.hash ?? '0'.repeat(64) },
    gaps: out.gaps,
  };
  out.add(
    README_FILE,
    Buffer.from(readmeText({ ...base, files: sortByPath(entries) }), 'utf8'),
    'This guide: what each file is and how to verify the bundle.',
  );
  const manifest: Manifest = { ...base, files: sortByPath([...out.files.values()].map((f) => f.entry)) };
  const zipped: Record<string, Uint8Array> = {};
  const mtime = new Date(Math.max(Date.parse(exportedAt), Date.UTC(1980, 0, 2)));
  for (const entry of manifest.files) zipped[entry.path] = out.files.get(entry.path)!.body;
  const manifestBytes = JSON_TEXT(manifest);
  zipped[MANIFEST_FILE] = manifestBytes;
  if (source.anchorKey) {
    progress('adding the anchoring public key');
    zipped[ANCHOR_KEY_FILE] = Buffer.from(anchorKeyFromSpki(await source.anchorKey.publicKey()).pem, 'utf8');
  }
  if (source.manifestSigner) {
    progress('signing the manifest');
    zipped[MANIFEST_SIG_FILE] = Buffer.from(
      `${(await source.manifestSigner.sign(manifestBytes)).toString('base64')}\n`,
      'utf8',
    );
  }
  progress(`compressing ${manifest.files.length + 1} files`);
  const zip = zipSync(zipped, { level: 6, mtime });
  return { zip, manifest };
}

const PACKAGE_FILES: Record<string, string> = {
  'package.html': 'The review package as a stand-alone HTML document (charts embedded), frozen.',
  'email.html': 'The package as the HTML body of the email sent to top management.',
  'package.txt': 'The plain-text part of the package email.',
  'package.pdf': 'The review package as PDF, frozen.',
  'model.json':
    'Everything the package shows, as canonical JSON; its SHA-256 is the content hash printed in every form of the package.',
  'manifest.json': "The package's own list of its files with their SHA-256, written when it was frozen.",
};

/**
 * One package version: every file its own manifest lists (or, for a package without one, the
 * files its event names). The event committed the content hash, which is the SHA-256 of
 * model.json; a package without model.json committed the hash of its HTML.
 */
async function addPackage(out: BundleWriter, source: EvidenceSource, event: CycleEvent): Promise<void> {
  const data = event.data;
  const version = typeof data.version === 'number' ? data.version : event.seq;
  const base = `package/v${version}`;
  const htmlKey = typeof data.htmlKey === 'string' ? data.htmlKey : undefined;
  const folder = htmlKey?.includes('/') ? htmlKey.slice(0, htmlKey.lastIndexOf('/')) : undefined;
  const describe = (name: string) =>
    `${PACKAGE_FILES[name] ?? (name.endsWith('.png') ? 'A chart of the package.' : 'A file of the package.')} Version ${version}.`;
  let names: string[] | undefined;
  if (folder) {
    try {
      const manifest = JSON.parse(
        (await source.evidence.get(`${folder}/manifest.json`)).toString('utf8'),
      ) as {
        files?: Record<string, unknown>;
      };
      names = [...Object.keys(manifest.files ?? {}), 'manifest.json'];
    } catch (error) {
      if (!(error instanceof BlobNotFound) && !(error instanceof SyntaxError)) throw error;
    }
  }
  if (folder && names) {
    for (const name of names) {
      const commitment =
        name === 'model.json'
          ? committed(event, 'sha256')
          : name === 'manifest.json'
            ? committed(event, 'manifestSha256')
            : undefined;
      await out.addBlob(
        source.evidence,
        `${folder}/${name}`,
        `${base}/${safeName(name)}`,
        describe(name),
        commitment,
      );
    }
    return;
  }
  const keyed: [string, string, string | undefined][] = [
    ['htmlKey', 'package.html', 'sha256'],
    ['emailHtmlKey', 'email.html', undefined],
    ['textKey', 'package.txt', undefined],
    ['pdfKey', 'package.pdf', undefined],
  ];
  for (const [field, name, hashField] of keyed) {
    const key = data[field];
    if (typeof key !== 'string') continue;
    await out.addBlob(
      source.evidence,
      key,
      `${base}/${name}`,
      describe(name),
      hashField ? committed(event, hashField) : undefined,
    );
  }
}

function sortByPath(entries: ManifestEntry[]): ManifestEntry[] {
  return [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
