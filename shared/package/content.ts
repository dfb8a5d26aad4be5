/**
 * What the review package says, from the cycle's records: every input (provided, nothing to report,
 * or NOT PROVIDED), the status of actions from earlier reviews (overdue ones first), and the items
 * that need a management decision, collected automatically (missing inputs, overdue actions) plus
 * the ones owners flagged. Pure: the adapter renders, hashes and stores it.
 */
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';
import { ismsManager, personById } from '../programme/queries.ts';
import { daysOverdue } from '../actions/escalation-policy.ts';
import type {
  DecisionItem,
  EarlierAction,
  PackageDistributionData,
  PackageInput,
} from '../mail/templates/index.ts';

export const STATUS_WORDS: Record<Action['status'], string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
};

export const cycleTitle = (cycle: Pick<Cycle, 'type' | 'comprehensive' | 'plannedMeetingAt'>): string =>
  `${cycle.comprehensive ? 'Comprehensive ' : ''}${cycle.type} management review, ${cycle.plannedMeetingAt.slice(0, 10)}`.replace(
    /^./,
    (c) => c.toUpperCase(),
  );

export interface PackageContent {
  readonly inputs: PackageInput[];
  readonly earlierActions: EarlierAction[];
  readonly decisionsNeeded: DecisionItem[];
  /** The submission each input was built from (null: none), for the frozen record. */
  readonly inputVersions: Record<string, string | null>;
}

export function packageContent(args: {
  cycle: Cycle;
  programme: Programme;
  requests: readonly InputRequest[];
  submissions: readonly InputSubmission[];
  openActions: readonly Action[];
  now: Date;
}): PackageContent {
  const { programme, requests, submissions, openActions, now } = args;
  const zone = programme.organisation.timeZone;
  const person = (id: string) => {
    const p = personById(programme, id);
    return { name: p.name, email: p.email, role: p.role };
  };
  const manager = ismsManager(programme);
  const earlierActions: EarlierAction[] = openActions
    .map((action) => {
      const overdue = daysOverdue(action.dueDate, zone, now);
      return {
        id: action.id,
        title: action.title,
        owner: person(action.ownerId),
        dueDate: action.dueDate,
        status: STATUS_WORDS[action.status],
        ...(overdue > 0 ? { daysOverdue: overdue } : {}),
      };
    })
    .sort((a, b) => (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0) || a.dueDate.localeCompare(b.dueDate));

  const inputVersions: Record<string, string | null> = {};
  const inputs: PackageInput[] = requests.map((request) => {
    const submission = request.submissionId
      ? submissions.find((s) => s.id === request.submissionId)
      : undefined;
    inputVersions[request.inputKey] = submission?.id ?? null;
    const owner = request.ownerId
      ? person(request.ownerId)
      : { name: `${manager.name} (from the action register)` };
    if (request.automatic) {
      const overdue = earlierActions.filter((a) => a.daysOverdue).length;
      return {
        key: request.inputKey,
        title: request.title,
        owner,
        status: 'provided',
        summary:
          earlierActions.length === 0
            ? 'No actions from earlier reviews are open.'
            : `${earlierActions.length} action(s) from earlier reviews are open, ${overdue} of them overdue; see the action status below.`,
      } satisfies PackageInput;
    }
    if (request.status === 'NOT_PROVIDED' || !submission) {
      return {
        key: request.inputKey,
        title: request.title,
        owner,
        status: 'not-provided',
      } satisfies PackageInput;
    }
    if (submission.kind === 'nothing_to_report') {
      return {
        key: request.inputKey,
        title: request.title,
        owner,
        status: 'nothing-to-report',
        reason: submission.summary,
      };
    }
    const figures = submission.metrics.map((m) => `${m.name}: ${m.value}${m.unit ? ` ${m.unit}` : ''}`);
    return {
      key: request.inputKey,
      title: request.title,
      owner,
      status: 'provided',
      summary: [submission.summary, ...figures].join('\n'),
      ...(submission.decisionNeeded ? { decisionNeeded: submission.decisionNeeded } : {}),
    };
  });

  const decisionsNeeded: DecisionItem[] = [
    ...earlierActions
      .filter((a) => a.daysOverdue)
      .map((a) => ({
        title: `Overdue action ${a.id}: ${a.title}`,
        reason: `${a.daysOverdue} day(s) past its due date ${a.dueDate}; owner ${a.owner.name}. Confirm a new date, reassign it, or accept the risk.`,
      })),
    ...inputs
      .filter((i) => i.decisionNeeded)
      .map((i) => ({
        title: `${i.title} (input ${i.key})`,
        reason: `${i.owner.name} asks: ${i.decisionNeeded}`,
      })),
  ];
  return { inputs, earlierActions, decisionsNeeded, inputVersions };
}

/** The template data for the frozen package (addressed to the attendees as a group). */
export function packageDocument(
  args: Parameters<typeof packageContent>[0],
  content: PackageContent = packageContent(args),
): PackageDistributionData {
  const { cycle, programme } = args;
  const manager = ismsManager(programme);
  return {
    organisation: programme.organisation.name,
    timeZone: programme.organisation.timeZone,
    cycle: { id: cycle.id, title: cycleTitle(cycle) },
    recipient: { name: 'members of the management review' },
    meeting: { at: cycle.plannedMeetingAt },
    inputs: content.inputs,
    earlierActions: content.earlierActions,
    decisionsNeeded: content.decisionsNeeded,
    calendarInvitation: true,
    ismsManager: { name: manager.name, email: manager.email, role: manager.role },
  };
}
