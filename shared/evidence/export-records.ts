/**
 * The review's own records in the evidence bundle: the inputs requested and submitted (pointing to
 * the email that carried each, stored once under mail/, and with their attachments), the minutes in
 * every version, the actions, and the reminders and escalations the event log recorded. Every CSV
 * puts a person's name beside the id.
 */
import { standards, isStandardId } from '../catalogue/standards.ts';
import type { Action } from '../model/action.ts';
import type { CycleEvent } from '../model/event.ts';
import type { InputRequest } from '../model/input.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { CycleRecords } from '../store/repository.ts';
import { safeName } from './bundle.ts';
import type { MailIndex, PackageIndex } from './bundle-index.ts';
import { attachmentCommitment, committed, type BundleWriter } from './bundle-writer.ts';
import type { EvidenceSource, ExportProgress } from './export-source.ts';
import { LIST_SEPARATOR, type Directory } from './people.ts';

const REMINDER_TYPES = /\.(reminder_sent|escalated|overdue_notice_sent|not_provided)$/;

/** Where a submission is in the bundle: its record, and the email that carried it ('' for none). */
export interface SubmissionFiles {
  readonly record: string;
  readonly mail: string;
}

/** What the export knows when it writes the records: who is who, the mail, the package. */
export interface RecordsContext {
  readonly people: Directory;
  readonly mail: MailIndex;
  readonly package: PackageIndex | undefined;
}

/** "ISO/IEC 27001:2022 9.3.2 b)" for each clause an input serves. */
export function clausesOf(request: Pick<InputRequest, 'clauses'>): string {
  return request.clauses
    .map((c) => `${isStandardId(c.standard) ? standards[c.standard].title : c.standard} ${c.clause}`)
    .join(LIST_SEPARATOR);
}

/** The status the package gave each input, by key. */
export function packageStatuses(pkg: PackageIndex | undefined): Map<string, string> {
  return new Map(pkg?.model?.inputs.map((input) => [input.inputKey, input.status]) ?? []);
}

/**
 * The request's status as the bundle states it. An automatic input (27001 a), the actions of
 * earlier reviews) is asked of nobody: its record stays REQUESTED while the system fills it, so
 * the bundle says how it was provided instead, in the package's terms.
 */
export function requestStatus(request: InputRequest, packageStatus: string | undefined): string {
  if (!request.automatic) return request.status;
  return packageStatus === 'provided' ? 'PROVIDED_AUTOMATICALLY' : 'AUTOMATIC';
}

/** Adds the input requests and each submission with its attachments; returns where each submission is. */
export async function addInputs(
  out: BundleWriter,
  source: EvidenceSource,
  records: CycleRecords,
  events: readonly CycleEvent[],
  context: RecordsContext,
  progress: ExportProgress,
): Promise<Map<string, SubmissionFiles>> {
  const { people, mail } = context;
  const statuses = packageStatuses(context.package);
  progress(`adding ${records.submissions.length} input submissions`);
  out.addCsv(
    'inputs/requests.csv',
    records.inputRequests.map((r) => ({
      inputKey: r.inputKey,
      title: r.title,
      clauses: clausesOf(r),
      automatic: r.automatic,
      ownerId: r.ownerId ?? '',
      ownerName: r.ownerId
        ? people.name(r.ownerId)
        : '(nobody: filled by the system from the action register)',
      status: requestStatus(r, statuses.get(r.inputKey)),
      packageStatus: statuses.get(r.inputKey) ?? '',
      requestedAt: r.automatic ? '' : r.requestedAt,
      requestMail: r.ownerId ? (mail.sent.get(`input-request:${r.ownerId}`)?.file ?? '') : '',
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
      'clauses',
      'automatic',
      'ownerId',
      'ownerName',
      'status',
      'packageStatus',
      'requestedAt',
      'requestMail',
      'dueAt',
      'remindersSent',
      'lastReminderAt',
      'escalationLevel',
      'submissionId',
      'notProvidedAt',
    ],
    'Every clause 9.3.2 input, its owner and how it ended: SUBMITTED, NOTHING_TO_REPORT, NOT_PROVIDED, still REQUESTED, or PROVIDED_AUTOMATICALLY (filled by the system, asked of nobody); packageStatus is how the newest package counted it.',
  );
  const submittedEvents = new Map(
    events
      .filter((e) => e.type === 'input.submitted' && typeof e.data.submissionId === 'string')
      .map((e) => [e.data.submissionId as string, e]),
  );
  const current = new Set(records.inputRequests.map((r) => r.submissionId).filter(Boolean));
  const titles = new Map(records.inputRequests.map((r) => [r.inputKey, r.title]));
  const placed = new Map<string, SubmissionFiles>();
  const rows: Record<string, unknown>[] = [];
  for (const submission of records.submissions) {
    const base = `inputs/${safeName(submission.inputKey)}/${safeName(submission.id)}`;
    const submittedEvent = submittedEvents.get(submission.id);
    // One email may answer several inputs, and it is kept once, under mail/inbound/: each
    // submission points to it. An email the log did not record as received is stored here.
    let mailFile = '';
    if (submission.source.channel === 'email') {
      mailFile =
        mail.received.get(submission.source.messageId)?.file ||
        ((await out.addBlob(
          source.rawMail,
          submission.source.rawS3Key,
          `${base}.eml`,
          `The email that submitted input ${submission.inputKey}, exactly as received.`,
          committed(submittedEvent, 'rawSha256'),
          { once: true },
        )) ??
          '');
    }
    const record = out.addJson(
      `${base}.json`,
      submission,
      `Input ${submission.inputKey} as recorded from ${people.label(submission.submitterId)} (${submission.kind}), parsed${mailFile ? `; the email that carried it is ${mailFile}` : ''}.`,
    );
    placed.set(submission.id, { record, mail: mailFile });
    const attachments: string[] = [];
    for (const attachment of submission.attachments) {
      const path = await out.addBlob(
        source.evidence,
        attachment.s3Key,
        `${base}/${safeName(attachment.name)}`,
        `Attachment "${attachment.name}" of input ${submission.inputKey} (SHA-256 ${attachment.sha256} when received).`,
        attachmentCommitment(submittedEvent, attachment.sha256),
        { once: true },
      );
      if (path) attachments.push(path);
    }
    rows.push({
      submissionId: submission.id,
      inputKey: submission.inputKey,
      inputTitle: titles.get(submission.inputKey) ?? '',
      submitterId: submission.submitterId,
      submitterName: people.name(submission.submitterId),
      onBehalfOf: submission.onBehalfOf,
      onBehalfOfName: people.name(submission.onBehalfOf),
      kind: submission.kind,
      receivedAt: submission.receivedAt,
      current: current.has(submission.id),
      supersedes: submission.supersedes,
      channel: submission.source.channel,
      record,
      mail: mailFile,
      attachments: attachments.join(LIST_SEPARATOR),
    });
  }
  out.addCsv(
    'inputs/submissions.csv',
    rows,
    [
      'submissionId',
      'inputKey',
      'inputTitle',
      'submitterId',
      'submitterName',
      'onBehalfOf',
      'onBehalfOfName',
      'kind',
      'receivedAt',
      'current',
      'supersedes',
      'channel',
      'record',
      'mail',
      'attachments',
    ],
    'Every answer to an input request: who sent it (id and name), when it arrived, whether it is the one the request now counts (current), its record, and the email that carried it (kept once under mail/inbound/, however many inputs it answered).',
  );
  return placed;
}

/** Adds every version of the minutes with its renderings, and the latest one's tables. */
export async function addMinutes(
  out: BundleWriter,
  source: EvidenceSource,
  cycleId: string,
  records: CycleRecords,
  events: readonly CycleEvent[],
  people: Directory,
  progress: ExportProgress,
): Promise<MinutesRecord | undefined> {
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
      `Minutes version ${record.version} as written by ${people.label(record.submittedBy)}.`,
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
    const titles = new Map(records.inputRequests.map((r) => [r.inputKey, r.title]));
    out.addCsv(
      'minutes/attendance.csv',
      content.attendance.map((a) => ({
        ...a,
        personName: people.name(a.personId),
        proxyForName: people.name(a.proxyFor),
      })),
      ['personId', 'personName', 'role', 'topManagement', 'status', 'proxyFor', 'proxyForName'],
      `Who attended the meeting (minutes version ${latest.version}): top management, proxies marked.`,
    );
    out.addCsv(
      'minutes/decisions.csv',
      content.decisions.map((d) => ({
        ref: content.decisionRefs[d.id],
        ...d,
        inputTitle: d.inputKey ? (titles.get(d.inputKey) ?? '') : '',
        actionIds: records.actions
          .filter((a) => a.decisionId === d.id)
          .map((a) => a.id)
          .join(LIST_SEPARATOR),
      })),
      ['ref', 'id', 'category', 'text', 'inputKey', 'inputTitle', 'actionIds'],
      `Decisions of the review by category (minutes version ${latest.version}), the input each answers and the actions that carry it out.`,
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
  return latest;
}

/** When an action was closed: done or verified with its closure evidence, or cancelled; '' while open. */
export function closedAt(action: Action): string {
  if (action.status === 'done' || action.status === 'verified') {
    return action.closureEvidence?.at ?? action.updatedAt;
  }
  return action.status === 'cancelled' ? action.updatedAt : '';
}

/**
 * The files an action was closed on, under actions/<id>/, each checked against the hash the
 * `action.updated` event that recorded the DONE committed to. Returns the paths by action id.
 */
async function addClosureFiles(
  out: BundleWriter,
  source: EvidenceSource,
  records: CycleRecords,
  events: readonly CycleEvent[],
): Promise<Map<string, string[]>> {
  const placed = new Map<string, string[]>();
  for (const action of records.actions) {
    const files = action.closureEvidence?.attachments ?? [];
    if (files.length === 0) continue;
    const paths: string[] = [];
    for (const file of files) {
      const done = events.findLast(
        (event) =>
          event.type === 'action.updated' &&
          event.data.actionId === action.id &&
          attachmentCommitment(event, file.sha256) !== undefined,
      );
      const path = await out.addBlob(
        source.evidence,
        file.s3Key,
        `actions/${safeName(action.id)}/${safeName(file.name)}`,
        `Evidence "${file.name}" that action ${action.id} (${action.title}) was done (SHA-256 ${file.sha256} when received).`,
        attachmentCommitment(done, file.sha256),
        { once: true },
      );
      if (path) paths.push(path);
    }
    placed.set(action.id, paths);
  }
  return placed;
}

/** Adds the actions decided in the review, their history and the evidence each was closed on. */
export async function addActions(
  out: BundleWriter,
  source: EvidenceSource,
  records: CycleRecords,
  events: readonly CycleEvent[],
  people: Directory,
  decisionRefs: Readonly<Record<string, string>>,
): Promise<void> {
  const files = await addClosureFiles(out, source, records, events);
  out.addCsv(
    'actions.csv',
    records.actions.map((a) => ({
      id: a.id,
      title: a.title,
      ownerId: a.ownerId,
      ownerName: people.name(a.ownerId),
      dueDate: a.dueDate,
      status: a.status,
      closedAt: closedAt(a),
      corrective: a.corrective,
      decisionRef: a.decisionId ? (decisionRefs[a.decisionId] ?? '') : '',
      decisionId: a.decisionId,
      inputKey: a.inputKey,
      escalationLevel: a.escalationLevel,
      closureEvidence: a.closureEvidence?.text,
      closureLinks: (a.closureEvidence?.links ?? []).join(LIST_SEPARATOR),
      closureFiles: (files.get(a.id) ?? []).join(LIST_SEPARATOR),
      closureConfirmedBy: a.closureConfirmation ? people.label(a.closureConfirmation.by) : undefined,
      closureConfirmedAt: a.closureConfirmation?.at,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
      history: a.history.map((h) => `${h.at} ${people.label(h.by)}: ${h.change}`).join('\n'),
    })),
    [
      'id',
      'title',
      'ownerId',
      'ownerName',
      'dueDate',
      'status',
      'closedAt',
      'corrective',
      'decisionRef',
      'decisionId',
      'inputKey',
      'escalationLevel',
      'closureEvidence',
      'closureLinks',
      'closureFiles',
      'closureConfirmedBy',
      'closureConfirmedAt',
      'createdAt',
      'updatedAt',
      'history',
    ],
    'The actions decided in this review, their owners (id and name), due dates, current status, the evidence each was closed on (text, links, files under actions/), who confirmed a corrective closure, and full history.',
  );
}

/** Adds every reminder, overdue notice and escalation the event log recorded, with the mail that carried it. */
export function addFollowUp(
  out: BundleWriter,
  records: CycleRecords,
  events: readonly CycleEvent[],
  people: Directory,
  mail: MailIndex,
): void {
  const inputTitles = new Map(records.inputRequests.map((r) => [r.inputKey, r.title]));
  const actions = new Map(records.actions.map((a) => [a.id, a]));
  out.addCsv(
    'follow-up/reminders-and-escalations.csv',
    events
      .filter((e) => REMINDER_TYPES.test(e.type))
      .map((e) => {
        const { inputKey, actionId, ownerId, recipients } = e.data;
        const action = typeof actionId === 'string' ? actions.get(actionId) : undefined;
        return {
          seq: e.seq,
          at: e.at,
          type: e.type,
          actor: e.actor,
          ...e.data,
          ...(typeof inputKey === 'string' ? { inputTitle: inputTitles.get(inputKey) ?? '' } : {}),
          ...(action ? { actionTitle: action.title } : {}),
          ownerName: people.name(typeof ownerId === 'string' ? ownerId : action?.ownerId),
          ...(Array.isArray(recipients) ? { recipientNames: people.names(recipients) } : {}),
          mail: followUpMail(e, action, mail),
        };
      }),
    undefined,
    'Every reminder, overdue notice and escalation (inputs, minutes, actions) and every input closed as not provided, from the event log, with names beside ids and the message that was sent.',
  );
}

/** The message a reminder or escalation event sent, by the outbox key the notifier gives it. */
function followUpMail(event: CycleEvent, action: Action | undefined, mail: MailIndex): string {
  const { ownerId, step, dueDate, reminder } = event.data;
  if (event.type.startsWith('minutes.') && typeof reminder === 'number') {
    return mail.sent.get(`minutes:reminder-${reminder}`)?.file ?? '';
  }
  if (event.type.startsWith('input.') && typeof ownerId === 'string' && typeof step === 'string') {
    return mail.sent.get(`input:${ownerId}:${step}`)?.file ?? '';
  }
  if (action && typeof step === 'string') {
    const due = typeof dueDate === 'string' ? dueDate : action.dueDate;
    return mail.sent.get(`action:${action.id}:${due}:${step}`)?.file ?? '';
  }
  return '';
}
