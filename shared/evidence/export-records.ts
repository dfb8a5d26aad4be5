/**
 * The review's own records in the evidence bundle: the inputs requested and submitted (with the
 * emails and attachments that carried them), the minutes in every version, the actions, and the
 * reminders and escalations the event log recorded.
 */
import type { CycleEvent } from '../model/event.ts';
import type { CycleRecords } from '../store/repository.ts';
import { safeName } from './bundle.ts';
import { attachmentCommitment, committed, type BundleWriter } from './bundle-writer.ts';
import type { EvidenceSource, ExportProgress } from './export-source.ts';

const REMINDER_TYPES = /\.(reminder_sent|escalated|overdue_notice_sent|not_provided)$/;

/** Adds the input requests, and each submission with its raw email and attachments. */
export async function addInputs(
  out: BundleWriter,
  source: EvidenceSource,
  records: CycleRecords,
  events: readonly CycleEvent[],
  progress: ExportProgress,
): Promise<void> {
  progress(`adding ${records.submissions.length} input submissions`);
  out.addCsv(
    'inputs/requests.csv',
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
    'Every clause 9.3.2 input requested, its owner and how it ended: SUBMITTED, NOTHING_TO_REPORT, NOT_PROVIDED or still REQUESTED.',
  );
  const submittedEvents = new Map(
    events
      .filter((e) => e.type === 'input.submitted' && typeof e.data.submissionId === 'string')
      .map((e) => [e.data.submissionId as string, e]),
  );
  for (const submission of records.submissions) {
    const base = `inputs/${safeName(submission.inputKey)}/${safeName(submission.id)}`;
    out.addJson(
      `${base}.json`,
      submission,
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
}

/** Adds every version of the minutes with its renderings, and the latest one's tables. */
export async function addMinutes(
  out: BundleWriter,
  source: EvidenceSource,
  cycleId: string,
  records: CycleRecords,
  events: readonly CycleEvent[],
  progress: ExportProgress,
): Promise<void> {
  const { cycle } = records;
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
    out.addJson(
      `${base}/minutes.json`,
      record,
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
    out.addCsv(
      'minutes/attendance.csv',
      content.attendance,
      ['personId', 'role', 'topManagement', 'status', 'proxyFor'],
      `Who attended the meeting (minutes version ${latest.version}): top management, proxies marked.`,
    );
    out.addCsv(
      'minutes/decisions.csv',
      content.decisions.map((d) => ({ ref: content.decisionRefs[d.id], ...d })),
      ['ref', 'id', 'category', 'text', 'inputKey'],
      `Decisions of the review by category (minutes version ${latest.version}).`,
    );
    out.addCsv(
      'minutes/assessment.csv',
      Object.entries(content.assessment).map(([aspect, value]) => ({ aspect, ...value })),
      ['aspect', 'verdict', 'rationale'],
      'The verdict on the suitability, adequacy, effectiveness and alignment of the ISMS, each with its rationale.',
    );
  } else {
    out.gaps.push({
      path: 'minutes/',
      reason: `no minutes were recorded for cycle ${cycleId} by the time of export (phase ${cycle.phase})`,
    });
  }
}

/** Adds the actions decided in the review and their history. */
export function addActions(out: BundleWriter, records: CycleRecords): void {
  out.addCsv(
    'actions.csv',
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
    'The actions decided in this review, their owners, due dates, current status and full history.',
  );
}

/** Adds every reminder, overdue notice and escalation the event log recorded. */
export function addFollowUp(out: BundleWriter, events: readonly CycleEvent[]): void {
  out.addCsv(
    'follow-up/reminders-and-escalations.csv',
    events
      .filter((e) => REMINDER_TYPES.test(e.type))
      .map((e) => ({ seq: e.seq, at: e.at, type: e.type, actor: e.actor, ...e.data })),
    undefined,
    'Every reminder, overdue notice and escalation (inputs, minutes, actions) and every input closed as not provided, from the event log.',
  );
}
