/**
 * What the review package says, from the cycle's records and the summaries of earlier cycles:
 * every input (provided, nothing to report, or NOT PROVIDED) with its figures and attachments,
 * the status of actions from earlier reviews, the trends, the items that need a management
 * decision (collected automatically, plus the ones owners flagged), the executive summary and
 * the proposed agenda. Pure: nothing here reads a store or the clock.
 */
import type { Action } from '../model/action.ts';
import type { Cycle } from '../model/cycle.ts';
import type { InputRequest, InputSubmission } from '../model/input.ts';
import type { Programme } from '../programme/schema.ts';
import { ismsManager, meetingMinutesOf, personById, programmeCatalogue } from '../programme/queries.ts';
import { daysOverdue } from '../actions/escalation-policy.ts';
import { clauseLabel } from '../catalogue/catalogue.ts';
import { proposedAgenda } from './agenda.ts';
import type { CycleSummary } from '../model/cycle-summary.ts';
import type {
  ActionRow,
  DecisionItem,
  ExecutiveSummary,
  PackageInputSection,
  PackageModel,
  TrendSection,
} from './model.ts';
import { formatValue, TREND_KEYS, trendSection, withPrevious } from './trends.ts';

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

export interface PackageSources {
  readonly cycle: Cycle;
  readonly programme: Programme;
  readonly requests: readonly InputRequest[];
  readonly submissions: readonly InputSubmission[];
  /** Actions from earlier cycles that still need follow-up. */
  readonly openActions: readonly Action[];
  /** Summaries of earlier cycles (any order). */
  readonly earlier: readonly CycleSummary[];
  readonly now: Date;
  readonly meetingMinutes?: number;
}

/** Stalled treatment (f) and objectives off track (d4): a figure that says so and is above 0. */
const STALLED = /stalled|overdue|behind|delayed|blocked/i;
const OFF_TRACK = /off.?track|not (be )?met|missed|at risk|behind/i;

function actionRows(args: PackageSources): PackageModel['actions'] {
  const zone = args.programme.organisation.timeZone;
  const name = (id: string) => {
    try {
      return personById(args.programme, id).name;
    } catch {
      return id;
    }
  };
  const overdue: ActionRow[] = [];
  const open: ActionRow[] = [];
  const checks: ActionRow[] = [];
  for (const action of args.openActions) {
    const base: ActionRow = {
      id: action.id,
      title: action.title,
      owner: name(action.ownerId),
      dueDate: action.dueDate,
      status: STATUS_WORDS[action.status],
      escalationLevel: action.escalationLevel,
    };
    if (action.status === 'done' && action.effectivenessCheck) {
      checks.push({
        ...base,
        checkDue: action.effectivenessCheck.dueDate,
        checkAssignee: name(action.effectivenessCheck.assigneeId),
      });
      continue;
    }
    const late = daysOverdue(action.dueDate, zone, args.now);
    if (late > 0) overdue.push({ ...base, daysOverdue: late });
    else open.push(base);
  }
  overdue.sort((a, b) => (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0) || a.id.localeCompare(b.id));
  open.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
  checks.sort((a, b) => (a.checkDue ?? '').localeCompare(b.checkDue ?? ''));
  const stillOpen = new Set(args.openActions.map((a) => a.id));
  const previous = latest(args.earlier);
  const closedSinceLastReview: ActionRow[] = (previous?.openActions ?? [])
    .filter((a) => !stillOpen.has(a.id))
    .map((a) => ({ id: a.id, title: a.title, owner: a.owner, dueDate: a.dueDate, status: 'closed' }));
  return { inputKey: 'a', overdue, open, closedSinceLastReview, effectivenessChecksDue: checks };
}

const latest = (summaries: readonly CycleSummary[]) =>
  [...summaries].sort((a, b) => b.plannedMeetingAt.localeCompare(a.plannedMeetingAt))[0];

function inputSections(args: PackageSources, actions: PackageModel['actions']): PackageInputSection[] {
  const { programme, requests, submissions } = args;
  const manager = ismsManager(programme);
  const catalogue = new Map(programmeCatalogue(programme).map((entry) => [entry.key, entry]));
  return requests.map((request) => {
    const entry = catalogue.get(request.inputKey);
    const clauses = entry
      ? entry.clauses.map(clauseLabel)
      : request.clauses.map((c) => `${c.standard} ${c.clause}`);
    const owner = request.ownerId
      ? (() => {
          const p = personById(programme, request.ownerId);
          return { name: p.name, email: p.email, role: p.role };
        })()
      : { name: `${manager.name} (from the action register)` };
    const base = {
      inputKey: request.inputKey,
      title: request.title,
      clauses,
      owner,
      automatic: request.automatic,
      period: request.periodCovered,
      attachments: [] as PackageInputSection['attachments'],
      figures: [] as PackageInputSection['figures'],
    };
    if (request.automatic) {
      const open = actions.open.length + actions.overdue.length;
      return {
        ...base,
        status: 'provided' as const,
        text:
          open + actions.effectivenessChecksDue.length === 0
            ? 'No actions from earlier reviews are open.'
            : `${open} action(s) from earlier reviews are open, ${actions.overdue.length} of them overdue; ` +
              `${actions.closedSinceLastReview.length} closed since the last review; ` +
              `${actions.effectivenessChecksDue.length} effectiveness check(s) due. See "Status of actions from previous reviews".`,
        figures: [
          { name: 'Open actions', value: open, unit: 'count' },
          { name: 'Overdue actions', value: actions.overdue.length, unit: 'count' },
        ],
      };
    }
    const submission = request.submissionId
      ? submissions.find((s) => s.id === request.submissionId)
      : undefined;
    if (!submission || request.status === 'NOT_PROVIDED' || request.status === 'REQUESTED') {
      return { ...base, status: 'not-provided' as const };
    }
    const received = {
      receivedAt: submission.receivedAt,
      late: Date.parse(submission.receivedAt) > Date.parse(request.dueAt),
      attachments: submission.attachments.map((a) => ({ name: a.name, size: a.size, sha256: a.sha256 })),
      ...(submission.decisionNeeded ? { decisionNeeded: submission.decisionNeeded } : {}),
    };
    if (submission.kind === 'nothing_to_report') {
      return { ...base, ...received, status: 'nothing-to-report' as const, text: submission.summary };
    }
    return {
      ...base,
      ...received,
      status: 'provided' as const,
      text: submission.summary,
      figures: withPrevious(request.inputKey, submission.metrics, args.earlier),
    };
  });
}

function collectDecisions(
  inputs: readonly PackageInputSection[],
  actions: PackageModel['actions'],
): DecisionItem[] {
  const items: Omit<DecisionItem, 'id'>[] = [];
  for (const input of inputs) {
    if (input.inputKey === 'f') {
      for (const f of input.figures.filter((x) => STALLED.test(x.name) && x.value > 0)) {
        items.push({
          source: 'stalled-risk-treatment',
          inputKey: 'f',
          title: `Stalled risk treatment: ${f.name} ${formatValue(f.value, f.unit)}`,
          reason: `${input.owner.name} reports ${f.name.toLowerCase()} = ${formatValue(f.value, f.unit)}. Decide on resources, a new plan, or accepting the risk.`,
        });
      }
    }
    if (input.inputKey === 'd4') {
      for (const f of input.figures.filter((x) => OFF_TRACK.test(x.name) && x.value > 0)) {
        items.push({
          source: 'objective-off-track',
          inputKey: 'd4',
          title: `Objectives off track: ${f.name} ${formatValue(f.value, f.unit)}`,
          reason: `${input.owner.name} reports ${f.name.toLowerCase()} = ${formatValue(f.value, f.unit)}. Decide whether to change the objectives, the plans to reach them, or their resources.`,
        });
      }
    }
    if (input.status === 'not-provided') {
      items.push({
        source: 'missing-input',
        inputKey: input.inputKey,
        title: `Input not provided: ${input.title} (${input.inputKey})`,
        reason: `${input.owner.name} sent no answer by the deadline. Decide how the review deals with its absence (e.g. an action to provide it).`,
      });
    }
    if (input.decisionNeeded) {
      items.push({
        source: 'owner-flagged',
        inputKey: input.inputKey,
        title: `${input.title} (input ${input.inputKey})`,
        reason: `${input.owner.name} asks: ${input.decisionNeeded}`,
      });
    }
  }
  for (const action of actions.overdue) {
    items.push({
      source: 'overdue-action',
      inputKey: 'a',
      title: `Overdue action ${action.id}: ${action.title}`,
      reason: `${action.daysOverdue} day(s) past its due date ${action.dueDate}; owner ${action.owner}; escalation level ${action.escalationLevel ?? 0}. Confirm a new date, reassign it, or accept the risk.`,
    });
  }
  const order: DecisionItem['source'][] = [
    'stalled-risk-treatment',
    'objective-off-track',
    'owner-flagged',
    'overdue-action',
    'missing-input',
  ];
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => order.indexOf(a.item.source) - order.indexOf(b.item.source) || a.index - b.index)
    .map(({ item }, index) => ({ id: `D${index + 1}`, ...item }));
}

function executiveSummary(
  inputs: readonly PackageInputSection[],
  actions: PackageModel['actions'],
  trends: TrendSection,
  decisions: readonly DecisionItem[],
  previous: CycleSummary | undefined,
): ExecutiveSummary {
  const changes: string[] = [];
  for (const series of trends.series) {
    if (series.direction === 'unknown' || series.direction === 'same') continue;
    const [before, now] = series.points.slice(-2) as [
      (typeof series.points)[number],
      (typeof series.points)[number],
    ];
    changes.push(
      `${series.metric} (input ${series.inputKey}): ${formatValue(before.value, series.unit)} → ${formatValue(now.value, series.unit)}, ${series.direction}.`,
    );
  }
  if (previous) {
    for (const input of inputs) {
      const was = previous.inputStatus[input.inputKey];
      if (was && was !== input.status) {
        changes.push(
          `Input ${input.inputKey} (${input.title}): ${was} at the last review, ${input.status} now.`,
        );
      }
    }
  }
  if (actions.closedSinceLastReview.length) {
    changes.push(`${actions.closedSinceLastReview.length} action(s) closed since the last review.`);
  }
  if (!previous)
    changes.push('This is the first review with a recorded package: there is nothing earlier to compare.');
  else if (changes.length === 0) changes.push('No reported figure changed since the last review.');
  return {
    decisions: decisions.map((d) => `${d.id} ${d.title}`),
    changes,
    trend: trends.overall.verdict,
    counts: {
      inputs: inputs.length,
      provided: inputs.filter((i) => i.status === 'provided').length,
      nothingToReport: inputs.filter((i) => i.status === 'nothing-to-report').length,
      notProvided: inputs.filter((i) => i.status === 'not-provided').length,
      openActions: actions.open.length + actions.overdue.length,
      overdueActions: actions.overdue.length,
    },
  };
}

/** The whole package model from the cycle's records (see the module note). */
export function packageModel(args: PackageSources): PackageModel {
  const { cycle, programme } = args;
  const earlier = args.earlier.filter(
    (s) => s.cycleId !== cycle.id && s.plannedMeetingAt < cycle.plannedMeetingAt,
  );
  const sources = { ...args, earlier };
  const actions = actionRows(sources);
  const inputs = inputSections(sources, actions);
  const trendKeys = new Set<string>([
    ...TREND_KEYS,
    ...programmeCatalogue(programme)
      .filter((entry) => entry.trend && !entry.automatic)
      .map((entry) => entry.key),
  ]);
  const trends = trendSection({
    inputs,
    earlier,
    current: { cycleId: cycle.id, meetingAt: cycle.plannedMeetingAt },
    trendKeys,
  });
  const decisions = collectDecisions(inputs, actions);
  const previous = latest(earlier);
  const durationMinutes = args.meetingMinutes ?? meetingMinutesOf(programme, cycle.type);
  const manager = ismsManager(programme);
  const inputVersions: Record<string, string | null> = {};
  for (const request of args.requests) {
    inputVersions[request.inputKey] = request.automatic ? null : (request.submissionId ?? null);
  }
  return {
    organisation: programme.organisation.name,
    timeZone: programme.organisation.timeZone,
    cycle: { id: cycle.id, title: cycleTitle(cycle), type: cycle.type, comprehensive: cycle.comprehensive },
    meeting: { at: cycle.plannedMeetingAt, durationMinutes },
    builtAt: args.now.toISOString(),
    ...(previous
      ? { previousReview: { cycleId: previous.cycleId, meetingAt: previous.plannedMeetingAt } }
      : {}),
    ismsManager: { name: manager.name, email: manager.email, role: manager.role },
    summary: executiveSummary(inputs, actions, trends, decisions, previous),
    inputs,
    actions,
    trends,
    decisions,
    agenda: proposedAgenda({ start: cycle.plannedMeetingAt, durationMinutes, decisions, inputs }),
    inputVersions,
  };
}
