/**
 * The proposed agenda, built around the decisions: the items that need management's decision get
 * most of the meeting, grouped by where they come from, after a short opening and the status of
 * earlier actions; the other inputs are taken by exception; the meeting ends with the overall
 * assessment (suitability, adequacy, effectiveness, alignment) and the actions it decides.
 *
 * Times run from the planned start; when the decisions need more than the planned length, the
 * meeting runs longer rather than shortening a decision below its minimum.
 */
import type { AgendaItem, DecisionItem, DecisionSource, PackageInputSection } from './model.ts';

const MINUTES_PER_DECISION: Record<DecisionSource, number> = {
  'overdue-action': 5,
  'stalled-risk-treatment': 10,
  'missing-input': 5,
  'objective-off-track': 10,
  'owner-flagged': 10,
};

const GROUP_TITLES: Record<DecisionSource, string> = {
  'overdue-action': 'Decide on overdue actions',
  'missing-input': 'Decide how to deal with inputs not provided',
  'stalled-risk-treatment': 'Decide on stalled risk treatment',
  'objective-off-track': 'Decide on objectives off track',
  'owner-flagged': 'Decide on items raised by input owners',
};

const ORDER: DecisionSource[] = [
  'stalled-risk-treatment',
  'objective-off-track',
  'owner-flagged',
  'overdue-action',
  'missing-input',
];

export function proposedAgenda(args: {
  start: string;
  durationMinutes: number;
  decisions: readonly DecisionItem[];
  inputs: readonly PackageInputSection[];
}): AgendaItem[] {
  const plan: Omit<AgendaItem, 'start'>[] = [
    {
      minutes: 5,
      title: 'Opening: attendance, scope of this review, minutes of the previous review',
      inputKeys: [],
      decisionIds: [],
    },
    {
      minutes: 10,
      title: 'Status of actions from previous management reviews',
      inputKeys: ['a'],
      decisionIds: [],
    },
  ];
  for (const source of ORDER) {
    const group = args.decisions.filter((d) => d.source === source);
    if (!group.length) continue;
    plan.push({
      minutes: group.length * MINUTES_PER_DECISION[source],
      title: `${GROUP_TITLES[source]} (${group.map((d) => d.id).join(', ')})`,
      inputKeys: [...new Set(group.map((d) => d.inputKey))],
      decisionIds: group.map((d) => d.id),
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
  const rest = args.inputs.filter((i) => i.inputKey !== 'a').map((i) => i.inputKey);
  plan.push({
    minutes: Math.max(10, args.durationMinutes - used),
    title: 'Other inputs and trends, by exception (questions on the package)',
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
