/**
 * trace.csv: one row per input of the review, following it from request to reply to package to
 * minutes to action, with the file in the bundle at each step and a name beside every id. An
 * auditor samples an input by reading its row and opening the files it names.
 */
import type { CycleEvent } from '../model/event.ts';
import type { InputRequest } from '../model/input.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import type { CycleRecords } from '../store/repository.ts';
import type { MailIndex, PackageIndex } from './bundle-index.ts';
import type { BundleWriter } from './bundle-writer.ts';
import {
  closedAt,
  clausesOf,
  packageStatuses,
  requestStatus,
  type SubmissionFiles,
} from './export-records.ts';
import { LIST_SEPARATOR, type Directory } from './people.ts';

export const TRACE_FILE = 'trace.csv';

/** What the trace reads: the records, and where the export put each of them. */
export interface TraceContext {
  readonly records: CycleRecords;
  readonly events: readonly CycleEvent[];
  readonly people: Directory;
  readonly mail: MailIndex;
  readonly package: PackageIndex | undefined;
  readonly submissions: ReadonlyMap<string, SubmissionFiles>;
  /** The newest minutes, and their files in the bundle. */
  readonly minutes: MinutesRecord | undefined;
  readonly minutesFiles: readonly string[];
}

/** One input followed through the review: its trace.csv row, and every file on the way. */
export interface InputTrace {
  readonly request: InputRequest;
  /** How the newest package counted it (provided, nothing-to-report, not-provided); '' without one. */
  readonly packageStatus: string;
  readonly row: Record<string, unknown>;
  /** The files that evidence it, in the order of the trail. */
  readonly files: readonly string[];
}

const FOLLOW_UP = new Set(['input.reminder_sent', 'input.escalated', 'input.not_provided']);

const join = (items: readonly unknown[]) => items.map((item) => String(item ?? '')).join(LIST_SEPARATOR);

/** Follows every input of the cycle (see the module note). */
export function traceInputs(context: TraceContext): InputTrace[] {
  const { records, people, mail } = context;
  const statuses = packageStatuses(context.package);
  const content = context.minutes?.content;
  const inPackage = (name: string) => {
    const path = `${context.package?.folder ?? ''}/${name}`;
    return context.package?.files.includes(path) ? path : undefined;
  };
  const packageDocument = inPackage('package.html') ?? inPackage('package.pdf') ?? inPackage('package.txt');
  // What an auditor opens of the minutes for one input: the rendered minutes and the record.
  const minutesEvidence = context.minutesFiles.filter((path) => /\/minutes\.(pdf|html|json)$/.test(path));
  return records.inputRequests.map((request) => {
    const key = request.inputKey;
    const requestMail = request.ownerId ? mail.sent.get(`input-request:${request.ownerId}`) : undefined;
    const followUps = context.events
      .filter((e) => FOLLOW_UP.has(e.type) && e.data.inputKey === key)
      .map((e) => {
        const step = typeof e.data.step === 'string' ? e.data.step : 'not provided';
        const sent = mail.sent.get(`input:${String(e.data.ownerId)}:${step}`);
        return { text: `${step} ${e.at}${sent?.file ? ` ${sent.file}` : ''}`, file: sent?.file ?? '' };
      });
    const submissions = records.submissions
      .filter((s) => s.inputKey === key)
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    const placed = submissions.map((s) => context.submissions.get(s.id));
    const section = context.package?.model?.inputs.find((input) => input.inputKey === key);
    const packageStatus = statuses.get(key) ?? '';
    const considered = content?.inputsConsidered.find((input) => input.key === key);
    const decisions = (content?.decisions ?? []).filter((d) => d.inputKey === key);
    const decisionIds = new Set(decisions.map((d) => d.id));
    const actions = records.actions.filter((a) =>
      a.decisionId ? decisionIds.has(a.decisionId) : a.inputKey === key,
    );
    const ref = (id: string) => content?.decisionRefs[id] ?? id;
    const row = {
      inputKey: key,
      title: request.title,
      clauses: clausesOf(request),
      ownerId: request.ownerId ?? '',
      ownerName: request.ownerId
        ? people.name(request.ownerId)
        : '(nobody: filled by the system from the action register)',
      requestSentAt: requestMail?.sentAt ?? '',
      requestMail: request.automatic ? '(automatic: nobody is asked)' : (requestMail?.file ?? ''),
      followUps: join(followUps.map((f) => f.text)),
      replyReceivedAt: join(submissions.map((s) => s.receivedAt)),
      replyMail: join(placed.map((p) => p?.mail || '(not by email)')),
      submissionId: join(submissions.map((s) => s.id)),
      submissionRecord: join(placed.map((p) => p?.record ?? '')),
      requestStatus: requestStatus(request, packageStatus || undefined),
      packageStatus: packageStatus || (context.package ? '(not in the package)' : '(no package built yet)'),
      packageSection:
        section && packageDocument ? `${packageDocument} section "${key}) ${section.title}"` : '',
      minutesOutcome: considered?.note ?? '',
      decisionRefs: join(decisions.map((d) => ref(d.id))),
      decisions: join(decisions.map((d) => `${ref(d.id)} (${d.category}) ${d.text}`)),
      actionIds: join(actions.map((a) => a.id)),
      actionTitles: join(actions.map((a) => a.title)),
      actionOwners: join(actions.map((a) => people.label(a.ownerId))),
      actionStatuses: join(actions.map((a) => a.status)),
      actionsClosedAt: join(actions.map((a) => closedAt(a) || 'open')),
    };
    const files = [
      TRACE_FILE,
      'inputs/requests.csv',
      requestMail?.file ?? '',
      ...followUps.map((f) => f.file),
      ...placed.flatMap((p) => [p?.mail ?? '', p?.record ?? '']),
      ...(section
        ? [packageDocument, inPackage('package.pdf'), inPackage(`chart-${key}.png`), inPackage('model.json')]
        : []),
      ...(considered ? minutesEvidence : []),
      ...(decisions.length > 0 ? ['minutes/decisions.csv'] : []),
      ...(actions.length > 0 ? ['actions.csv'] : []),
    ];
    return {
      request,
      packageStatus,
      row,
      files: [...new Set(files.filter((path): path is string => Boolean(path)))],
    };
  });
}

/** Adds trace.csv. */
export function addTrace(out: BundleWriter, traces: readonly InputTrace[]): void {
  out.addCsv(
    TRACE_FILE,
    traces.map((t) => t.row),
    [
      'inputKey',
      'title',
      'clauses',
      'ownerId',
      'ownerName',
      'requestSentAt',
      'requestMail',
      'followUps',
      'replyReceivedAt',
      'replyMail',
      'submissionId',
      'submissionRecord',
      'requestStatus',
      'packageStatus',
      'packageSection',
      'minutesOutcome',
      'decisionRefs',
      'decisions',
      'actionIds',
      'actionTitles',
      'actionOwners',
      'actionStatuses',
      'actionsClosedAt',
    ],
    `START HERE to sample an input: one row per input, from the request (time, mail file) and its reminders, to each reply (time, mail file, submission), how the package counted it and where it shows it, what the minutes say of it, the decisions citing it, and the actions from those decisions (owner, status, closed at). Lists in a cell are separated by "${LIST_SEPARATOR}".`,
  );
}
