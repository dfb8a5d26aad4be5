/**
 * The proposed agenda, built around the proposals: after a short opening, the status of earlier
 * actions with the proposals about overdue actions, then one item per other proposal (in the
 * order they are numbered), the inputs no proposal covers taken by exception, and the overall
 * assessment (suitability, adequacy, effectiveness, alignment) and the actions it decides.
 * Each input and each proposal appears in exactly one item.
 *
 * Times run from the planned start; when the proposals need more than the planned length, the
 * meeting runs longer rather than shortening a proposal below its minimum.
 */
import type { AgendaItem, DecisionItem, DecisionSource, PackageInputSection } from './model.ts';

export const MINUTES_PER_DECISION: Record<DecisionSource, number> = {
  'overdue-action': 5,
  'stalled-risk-treatment': 10,
  'missing-input': 5,
  'objective-off-track': 10,
  'owner-flagged': 10,
};

export function proposedAgenda(args: {
  start: string;
  durationMinutes: number;
  decisions: readonly DecisionItem[];
  inputs: readonly PackageInputSection[];
  /** No earlier review: there are no earlier minutes to confirm. */
  firstReview?: boolean;
}): AgendaItem[] {
  const covered = new Set<string>();
  /** The input keys not yet on the agenda (each input once). */
  const take = (keys: readonly string[]) => {
    const fresh = [...new Set(keys)].filter((key) => !covered.has(key));
    for (const key of fresh) covered.add(key);
    return fresh;
  };
  const plan: Omit<AgendaItem, 'start'>[] = [
    {
      minutes: 5,
      title: args.firstReview
        ? 'Opening: attendance and scope (first review: no earlier minutes to confirm)'
        : 'Opening: attendance, scope of this review, minutes of the previous review',
      inputKeys: [],
      decisionIds: [],
    },
  ];
  const overdue = args.decisions.filter((d) => d.source === 'overdue-action');
  const hasActions = args.inputs.some((i) => i.inputKey === 'a') || overdue.length > 0;
  if (hasActions) {
    plan.push({
      minutes: 10 + overdue.length * MINUTES_PER_DECISION['overdue-action'],
      title:
        'Status of actions from previous management reviews' +
        (overdue.length ? `; decide ${overdue.map((d) => d.id).join(', ')} (overdue actions)` : ''),
      inputKeys: take(['a']),
      decisionIds: overdue.map((d) => d.id),
    });
  }
  for (const d of args.decisions) {
    if (d.source === 'overdue-action') continue;
    plan.push({
      minutes: MINUTES_PER_DECISION[d.source],
      title: `${d.label}: ${d.title}`,
      inputKeys: take([d.inputKey]),
      decisionIds: [d.id],
    });
  }
  const closing: Omit<AgendaItem, 'start'>[] = [
    {
      minutes: 10,
      title:
        'Overall assessment: suitability, adequacy, effectiveness and alignment with strategic direction',
      inputKeys: [],
      decisionIds: [],
    },
    {
      minutes: 5,
      title: 'Decisions and actions: owners and due dates; close',
      inputKeys: [],
      decisionIds: [],
    },
  ];
  const used = [...plan, ...closing].reduce((sum, item) => sum + item.minutes, 0);
  const rest = take(args.inputs.map((i) => i.inputKey));
  plan.push({
    minutes: Math.max(10, args.durationMinutes - used),
    title: rest.length
      ? 'Other inputs and trends, by exception (questions on the package)'
      : 'Trends, by exception (questions on the package)',
    inputKeys: rest,
    decisionIds: [],
  });
  let at = Date.parse(args.start);
  return [...plan, ...closing].map((item) => {
    const start = new Date(at).toISOString();
    at += item.minutes * 60_000;
    return { ...item, start };
  });
}
