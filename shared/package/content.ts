/**
 * What the review package says, from the cycle's records and the summaries of earlier cycles:
 * every input (provided, nothing to report, or NOT PROVIDED) with its figures and attachments,
 * the status of actions from earlier reviews, the trends, the items that need a management
 * decision (collected automatically, plus the ones owners flagged), the executive summary and
 * the proposed agenda. Pure: nothing here reads a store or the clock.
 */
import type { Action } from '../model/action.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
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
  Figure,
  InputRag,
  PackageInputSection,
  PackageModel,
  TrendSection,
} from './model.ts';
import { formatValue, higherIsBetter, TREND_KEYS, trendSection, withPrevious } from './trends.ts';

/** The title lives with the cycle (model/cycle.ts); the web pages read it here with STATUS_WORDS. */
export { cycleTitle };

export const STATUS_WORDS: Record<Action['status'], string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
};

/** What a first review says, once, where a later one lists the changes since the last review. */
export const FIRST_REVIEW = 'First review: nothing earlier to compare with.';

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
const STALLED = /stalled|overdue|behind|delayed|blocked|\blate\b/i;
const OFF_TRACK = /off.?track|not (be )?met|missed|at risk|behind/i;

/** An input is thin when it brings neither a figure nor more than a line of text. */
export const THIN_SUMMARY_CHARS = 80;

/** Whether a figure misses its target (undefined: no target, or its name does not say which way is good). */
export function missesTarget(figure: Figure): boolean | undefined {
  if (figure.target === undefined) return undefined;
  const good = higherIsBetter(figure.name);
  if (good === undefined) return undefined;
  return good ? figure.value < figure.target : figure.value > figure.target;
}

/**
 * Red, amber or green for one input, with the reason in words (never colour alone):
 * - red: not provided; objectives off track (d4: a figure saying so, or an objective missing its
 *   target); risk treatment stalled or late (f); an overdue action escalated to top management (a);
 * - amber: nothing to report; answered after the deadline; thin (no figure and at most a line of
 *   text); a figure missing its target; overdue actions (a);
 * - green: provided on time, with substance, on target where targets are given.
 */
export function inputRag(
  input: Omit<PackageInputSection, 'rag'>,
  actions?: PackageModel['actions'],
): InputRag {
  if (input.status === 'not-provided') return { rag: 'red', reason: 'not provided by the deadline' };
  if (input.automatic && actions) {
    const escalated = actions.overdue.filter((a) => (a.escalationLevel ?? 0) >= 3).length;
    if (escalated)
      return { rag: 'red', reason: `${escalated} overdue action(s) escalated to top management` };
    if (actions.overdue.length)
      return { rag: 'amber', reason: `${actions.overdue.length} action(s) overdue` };
    return { rag: 'green', reason: 'no action overdue' };
  }
  const red: string[] = [];
  if (input.inputKey === 'd4') {
    const off = input.figures.filter((f) => OFF_TRACK.test(f.name) && f.value > 0);
    const missed = input.figures.filter((f) => !OFF_TRACK.test(f.name) && missesTarget(f));
    const count = off.reduce((n, f) => n + f.value, 0) + missed.length;
    if (count) red.push(`${count} objective(s) off track`);
  }
  if (input.inputKey === 'f') {
    const stalled = input.figures.filter((f) => STALLED.test(f.name) && f.value > 0);
    if (stalled.length)
      red.push(`risk treatment stalled or late (${stalled.map((f) => f.name.toLowerCase()).join(', ')})`);
  }
  if (red.length) return { rag: 'red', reason: red.join('; ') };
  const amber: string[] = [];
  if (input.status === 'nothing-to-report') amber.push('nothing to report');
  if (input.late) amber.push('answered after the deadline');
  if (
    input.status === 'provided' &&
    input.figures.length === 0 &&
    input.attachments.length === 0 &&
    (input.text ?? '').trim().length <= THIN_SUMMARY_CHARS
  )
    amber.push('thin: no figure and little text');
  const below = input.figures.filter((f) => input.inputKey !== 'd4' && missesTarget(f));
  if (below.length) amber.push(`${below.length} figure(s) off target`);
  if (amber.length) return { rag: 'amber', reason: amber.join('; ') };
  return {
    rag: 'green',
    reason: input.figures.length ? 'provided on time, figures reported' : 'provided on time',
  };
}

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
  return rawInputSections(args, actions).map((input) => ({ ...input, rag: inputRag(input, actions) }));
}

function rawInputSections(
  args: PackageSources,
  actions: PackageModel['actions'],
): Omit<PackageInputSection, 'rag'>[] {
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
        figures: withPrevious(
          request.inputKey,
          [
            { name: 'Open actions', value: open, unit: 'count' },
            { name: 'Overdue actions', value: actions.overdue.length, unit: 'count' },
          ],
          args.earlier,
        ),
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
      ...(submission.decisionNeeded
        ? {
            decisionNeeded: submission.decisionNeeded,
            ...(submission.decisionOptions?.length ? { decisionOptions: submission.decisionOptions } : {}),
            ...(submission.recommendation ? { recommendation: submission.recommendation } : {}),
            ...(submission.decisionCost ? { decisionCost: submission.decisionCost } : {}),
            ...(submission.riskIfNotDecided ? { riskIfNotDecided: submission.riskIfNotDecided } : {}),
          }
        : {}),
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

/** "Fund a second supplier assessment" from "Approve budget for a second supplier assessment." */
const asSentence = (text: string) => text.trim().replace(/[.\s]+$/, '');

/** The clause an input serves, short: "9.3.2 e)" from "ISO/IEC 27001:2022 9.3.2 e)". */
const shortClauses = (input: Pick<PackageInputSection, 'clauses' | 'inputKey'>) =>
  input.clauses.length
    ? input.clauses.map((c) => c.replace(/^ISO\/IEC 27001:2022 /, '')).join('; ')
    : `input ${input.inputKey}`;

/**
 * The items for decision, as proposals: collected automatically (stalled risk treatment, objectives
 * off track, overdue actions, inputs not provided), each with options, a recommendation and the
 * risk of not deciding written by the system, plus the ones owners flagged, with the owner's own
 * options, recommendation, cost and risk when given (and no invented recommendation otherwise).
 */
function collectDecisions(
  inputs: readonly PackageInputSection[],
  actions: PackageModel['actions'],
): DecisionItem[] {
  const items: Omit<DecisionItem, 'id' | 'label'>[] = [];
  for (const input of inputs) {
    const from = { inputKey: input.inputKey, inputTitle: input.title, owner: input.owner.name };
    if (input.inputKey === 'f') {
      for (const f of input.figures.filter((x) => STALLED.test(x.name) && x.value > 0)) {
        items.push({
          ...from,
          source: 'stalled-risk-treatment',
          title: `Decide how to unblock risk treatment (${f.name.toLowerCase()}: ${formatValue(f.value, f.unit)})`,
          reason: `${input.owner.name} reports ${f.name.toLowerCase()} = ${formatValue(f.value, f.unit)}.`,
          options: ['resource the treatment plan', 'agree a new plan with dates', 'accept the risk formally'],
          recommendation: `ask ${input.owner.name} for a dated treatment plan with the resources it needs`,
          riskIfNotDecided: 'risks stay above appetite, untreated, with no response recorded (9.3.2 f)',
        });
      }
    }
    if (input.inputKey === 'd4') {
      const off = input.figures.filter((x) => OFF_TRACK.test(x.name) && x.value > 0);
      const missed = input.figures.filter((x) => !OFF_TRACK.test(x.name) && missesTarget(x));
      for (const f of [...off, ...missed]) {
        const what = off.includes(f)
          ? `${f.name.toLowerCase()}: ${formatValue(f.value, f.unit)}`
          : `${f.name}: ${formatValue(f.value, f.unit)} against a target of ${formatValue(f.target!, f.unit)}`;
        items.push({
          ...from,
          source: 'objective-off-track',
          title: off.includes(f)
            ? `Decide how to bring objectives back on track (${what})`
            : `Decide how to bring "${f.name}" back on track (${formatValue(f.value, f.unit)} against a target of ${formatValue(f.target!, f.unit)})`,
          reason: `${input.owner.name} reports ${what}.`,
          options: [
            'change the plans or resources',
            'revise the objective (clause 6.2)',
            'accept the shortfall, with a reason',
          ],
          recommendation: `ask ${input.owner.name} for a dated recovery plan, and keep the objective`,
          riskIfNotDecided: 'the objective is missed again, with no response recorded (9.3.2 d) 4))',
        });
      }
    }
    if (input.status === 'not-provided') {
      items.push({
        ...from,
        source: 'missing-input',
        title: 'Decide how the review covers this missing input',
        reason: `${input.owner.name} sent no answer by the deadline.`,
        options: [
          'the owner presents it at the meeting',
          'an action to provide it by a date',
          'accept its absence, with the reason minuted',
        ],
        recommendation: `ask ${input.owner.name} to present it at the meeting; if that is not possible, an action with a date`,
        riskIfNotDecided: `the review cannot show it considered ${shortClauses(input)}`,
      });
    }
    if (input.decisionNeeded) {
      items.push({
        ...from,
        source: 'owner-flagged',
        title: asSentence(input.decisionNeeded),
        reason: `${input.owner.name} asks for it in input ${input.inputKey}.`,
        options: input.decisionOptions ?? [],
        ...(input.recommendation ? { recommendation: input.recommendation } : {}),
        ...(input.decisionCost ? { cost: input.decisionCost } : {}),
        ...(input.riskIfNotDecided ? { riskIfNotDecided: input.riskIfNotDecided } : {}),
      });
    }
  }
  const a = inputs.find((i) => i.inputKey === 'a');
  for (const action of actions.overdue) {
    items.push({
      source: 'overdue-action',
      inputKey: 'a',
      inputTitle: a?.title ?? 'Status of actions from previous management reviews',
      owner: action.owner,
      title: `Decide on overdue action ${action.id}: ${action.title} (${action.daysOverdue} day(s) overdue)`,
      reason: `${action.daysOverdue} day(s) past its due date ${action.dueDate}; escalation level ${action.escalationLevel ?? 0}.`,
      options: ['confirm a new due date', 'reassign it', 'cancel it and accept the risk'],
      recommendation: `agree a new due date with ${action.owner} at the meeting`,
      riskIfNotDecided: 'an action from an earlier review stays open with no date (9.3.2 a)',
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
    .sort((x, y) => order.indexOf(x.item.source) - order.indexOf(y.item.source) || x.index - y.index)
    .map(({ item }, index) => ({ id: `P${index + 1}`, label: `Proposal P${index + 1}`, ...item }));
}

/** The one sentence that opens a proposal on the decision sheet. */
export const proposalSentence = (d: DecisionItem): string =>
  `${d.id} — ${d.title} (owner: ${d.owner}, from input ${d.inputKey} ${d.inputTitle})`;

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
        const words = (status: string) => status.replace(/-/g, ' ');
        changes.push(
          `Input ${input.inputKey} (${input.title}): ${words(was)} at the last review, ${words(input.status)} now.`,
        );
      }
    }
  }
  if (actions.closedSinceLastReview.length) {
    changes.push(`${actions.closedSinceLastReview.length} action(s) closed since the last review.`);
  }
  if (!previous) changes.push(FIRST_REVIEW);
  else if (changes.length === 0) changes.push('No reported figure changed since the last review.');
  return {
    decisions: decisions.map(proposalSentence),
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
    agenda: proposedAgenda({
      start: cycle.plannedMeetingAt,
      durationMinutes,
      decisions,
      inputs,
      firstReview: !previous,
    }),
    inputVersions,
  };
}
