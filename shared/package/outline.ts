/**
 * The package as an outline of sections and plain-text blocks, in reading order. The HTML, text
 * and PDF renderers walk this one outline, so the three forms carry the same content; every
 * string in it is plain text (a submission's words as written), never markup: each renderer
 * escapes or sanitises it for its own form.
 *
 * Each section names the clause 9.3.2 inputs it is traceable to.
 */
import {
  days,
  formatDate,
  formatDateTime,
  formatPeriod,
  formatSize,
  zoneInWords,
} from '../mail/templates/format.ts';
import { DateTime } from 'luxon';
import type { ActionRow, PackageInputSection, PackageModel } from './model.ts';
import { formatValue } from './trends.ts';

export type Tone = 'alert' | 'note';

export type OutlineBlock =
  | { readonly kind: 'p'; readonly text: string; readonly tone?: Tone; readonly strong?: boolean }
  | { readonly kind: 'list'; readonly items: readonly string[]; readonly ordered?: boolean }
  | { readonly kind: 'facts'; readonly rows: readonly (readonly [string, string])[] }
  | {
      readonly kind: 'table';
      readonly columns: readonly string[];
      /** Relative column widths (sum 100). */
      readonly widths: readonly number[];
      readonly rows: readonly { readonly cells: readonly string[]; readonly tone?: Tone }[];
    }
  | { readonly kind: 'chart'; readonly chartId: string; readonly alt: string; readonly caption: string }
  | { readonly kind: 'subheading'; readonly text: string; readonly flag?: string; readonly tone?: Tone }
  | { readonly kind: 'quote'; readonly text: string };

export interface OutlineSection {
  readonly id: string;
  readonly title: string;
  /** The clause 9.3.2 inputs this section is traceable to. */
  readonly inputKeys: readonly string[];
  readonly blocks: readonly OutlineBlock[];
}

export interface PackageOutline {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly OutlineSection[];
  /** Footer line of every page / the end of the email. */
  readonly footer: string;
}

const ESCALATION_WORDS = ['none', 'owner told', 'ISMS manager', 'top management'];
const STATUS_FLAGS: Record<PackageInputSection['status'], string | undefined> = {
  provided: undefined,
  'nothing-to-report': 'NOTHING TO REPORT',
  'not-provided': 'NOT PROVIDED',
};

const localTime = (utc: string, zone: string) => DateTime.fromISO(utc, { zone }).toFormat('HH:mm');

/** Three columns at most, so that each stays wide enough for its words on a phone. */
function actionTable(rows: readonly ActionRow[], overdue: boolean): OutlineBlock {
  return {
    kind: 'table',
    columns: ['Action', 'Owner', overdue ? 'Due and escalation' : 'Due and status'],
    widths: [50, 22, 28],
    rows: rows.map((a) => ({
      cells: [
        `${a.id}: ${a.title}`,
        a.owner,
        overdue
          ? `${a.dueDate}, ${days(a.daysOverdue ?? 0)} overdue; escalation: ${ESCALATION_WORDS[a.escalationLevel ?? 0] ?? String(a.escalationLevel)}`
          : `${a.dueDate}, ${a.status}`,
      ],
      ...(overdue ? { tone: 'alert' as const } : {}),
    })),
  };
}

function inputBlocks(input: PackageInputSection, zone: string): OutlineBlock[] {
  const blocks: OutlineBlock[] = [
    {
      kind: 'subheading',
      text: `${input.inputKey}) ${input.title}`,
      ...(STATUS_FLAGS[input.status]
        ? {
            flag: STATUS_FLAGS[input.status],
            tone: input.status === 'not-provided' ? ('alert' as const) : ('note' as const),
          }
        : {}),
    },
  ];
  const facts: [string, string][] = [
    ['Clause', input.clauses.join('; ')],
    [
      'Owner',
      input.automatic
        ? input.owner.name
        : `${input.owner.name}${input.owner.role ? `, ${input.owner.role}` : ''}`,
    ],
    ['Period', formatPeriod(input.period)],
  ];
  if (input.receivedAt) {
    facts.push([
      'Received',
      `${formatDateTime(input.receivedAt, zone)}${input.late ? ' (after the deadline)' : ''}`,
    ]);
  }
  if (input.status === 'not-provided')
    facts.push(['Answer', 'none received by the deadline: an item for decision']);
  blocks.push({ kind: 'facts', rows: facts });
  if (input.status === 'nothing-to-report') {
    blocks.push({ kind: 'p', text: 'Nothing to report. Reason given:', tone: 'note' });
  }
  if (input.text) blocks.push({ kind: 'quote', text: input.text });
  if (input.figures.length) {
    blocks.push({
      kind: 'table',
      columns: ['Figure', 'This review', 'Previous review'],
      widths: [50, 25, 25],
      rows: input.figures.map((f) => ({
        cells: [
          f.name,
          formatValue(f.value, f.unit),
          f.previous === undefined ? '(not reported)' : formatValue(f.previous, f.unit),
        ],
      })),
    });
  }
  if (input.attachments.length) {
    blocks.push({
      kind: 'list',
      items: input.attachments.map(
        (a) => `Attachment: ${a.name} (${formatSize(a.size)}, SHA-256 ${a.sha256})`,
      ),
    });
  }
  if (input.decisionNeeded) {
    blocks.push({ kind: 'p', text: `Decision asked for: ${input.decisionNeeded}`, tone: 'alert' });
  }
  return blocks;
}

export function packageOutline(model: PackageModel, contentHash: string): PackageOutline {
  const zone = model.timeZone;
  const s = model.summary;
  const { actions, trends } = model;
  const sections: OutlineSection[] = [];

  sections.push({
    id: 'summary',
    title: 'Executive summary',
    inputKeys: model.inputs.map((i) => i.inputKey),
    blocks: [
      {
        kind: 'facts',
        rows: [
          ['Meeting', `${formatDateTime(model.meeting.at, zone)}, ${model.meeting.durationMinutes} minutes`],
          [
            'Inputs',
            `${s.counts.inputs}: ${s.counts.provided} provided, ${s.counts.nothingToReport} nothing to report, ${s.counts.notProvided} NOT PROVIDED`,
          ],
          [
            'Actions from earlier reviews',
            `${s.counts.openActions} open, ${s.counts.overdueActions} overdue`,
          ],
          [
            'Compared with',
            model.previousReview
              ? `the review of ${formatDateTime(model.previousReview.meetingAt, zone)} (${model.previousReview.cycleId})`
              : 'no earlier review',
          ],
        ],
      },
      { kind: 'p', text: `Needs your decision (${s.decisions.length})`, strong: true },
      s.decisions.length
        ? { kind: 'list', items: s.decisions }
        : {
            kind: 'p',
            text: 'No item was raised for decision; the meeting still gives its overall assessment.',
          },
      { kind: 'p', text: 'What changed since the last review', strong: true },
      { kind: 'list', items: s.changes },
      { kind: 'p', text: 'Overall trend', strong: true },
      {
        kind: 'p',
        text: s.trend,
        ...(trends.overall.worse > trends.overall.better ? { tone: 'alert' as const } : {}),
      },
      ...(s.counts.notProvided
        ? [
            {
              kind: 'p' as const,
              tone: 'alert' as const,
              text: `NOT PROVIDED: ${model.inputs
                .filter((i) => i.status === 'not-provided')
                .map((i) => `${i.title} (${i.inputKey}, owner ${i.owner.name})`)
                .join('; ')}.`,
            },
          ]
        : []),
    ],
  });

  sections.push({
    id: 'agenda',
    title: 'Proposed agenda',
    inputKeys: [],
    blocks: [
      {
        kind: 'table',
        // The duration goes with the item: a narrow column of its own breaks on a phone.
        columns: ['Time', 'Item', 'Inputs'],
        widths: [16, 62, 22],
        rows: model.agenda.map((item) => ({
          cells: [
            localTime(item.start, zone),
            `${item.title} (${item.minutes} min)`,
            item.inputKeys.join(', ') || '-',
          ],
        })),
      },
      { kind: 'p', tone: 'note', text: `Times are ${zoneInWords(zone)}.` },
    ],
  });

  sections.push({
    id: 'decisions',
    title: 'Items requiring a management decision',
    inputKeys: [...new Set(model.decisions.map((d) => d.inputKey))],
    blocks: model.decisions.length
      ? [
          {
            kind: 'table',
            // The input is named in the item (no narrow column of its own, which a phone breaks).
            columns: ['#', 'Item', 'Why, and what to decide'],
            widths: [8, 38, 54],
            rows: model.decisions.map((d) => ({
              cells: [
                d.id,
                d.title.endsWith(`(input ${d.inputKey})`) || d.title.endsWith(`(${d.inputKey})`)
                  ? d.title
                  : `${d.title} (input ${d.inputKey})`,
                d.reason,
              ],
            })),
          },
        ]
      : [{ kind: 'p', text: 'No item was raised for decision.' }],
  });

  const actionBlocks: OutlineBlock[] = [
    {
      kind: 'p',
      text:
        `${actions.overdue.length} overdue, ${actions.open.length} open and not overdue, ` +
        `${actions.closedSinceLastReview.length} closed since the last review, ` +
        `${actions.effectivenessChecksDue.length} effectiveness check(s) due.`,
    },
    {
      kind: 'subheading',
      text: 'Overdue',
      ...(actions.overdue.length
        ? { flag: `${actions.overdue.length} OVERDUE`, tone: 'alert' as const }
        : {}),
    },
    actions.overdue.length ? actionTable(actions.overdue, true) : { kind: 'p', text: 'None.' },
    { kind: 'subheading', text: 'Open' },
    actions.open.length ? actionTable(actions.open, false) : { kind: 'p', text: 'None.' },
    { kind: 'subheading', text: 'Closed since the last review' },
    actions.closedSinceLastReview.length
      ? actionTable(actions.closedSinceLastReview, false)
      : { kind: 'p', text: 'None.' },
    { kind: 'subheading', text: 'Effectiveness checks due' },
    actions.effectivenessChecksDue.length
      ? {
          kind: 'table',
          columns: ['Corrective action', 'Owner', 'Check by', 'Check due'],
          widths: [46, 18, 18, 18],
          rows: actions.effectivenessChecksDue.map((a) => ({
            cells: [
              `${a.id}: ${a.title}`,
              a.owner,
              a.checkAssignee ?? '',
              a.checkDue ? formatDate(a.checkDue) : '',
            ],
          })),
        }
      : { kind: 'p', text: 'None.' },
  ];
  sections.push({
    id: 'actions',
    title: 'Status of actions from previous management reviews (input a)',
    inputKeys: ['a'],
    blocks: actionBlocks,
  });

  const trendBlocks: OutlineBlock[] = [
    {
      kind: 'p',
      text: `${trends.overall.verdict} Figures are followed across ${trends.earlierReviews} earlier review(s) and this one.`,
    },
  ];
  for (const chart of trends.charts) {
    trendBlocks.push({ kind: 'chart', chartId: chart.id, alt: chart.alt, caption: chart.title });
    // The last four reviews any of the chart's figures was reported in.
    const reviews = [
      ...new Map(chart.series.flatMap((x) => x.points).map((p) => [p.cycleId, p.label])).entries(),
    ]
      .sort((a, b) => a[1].localeCompare(b[1]))
      .slice(-4);
    // The trend word ("better", "worse") keeps a column wide enough for it on a phone (390 px).
    const each = Math.floor(46 / Math.max(1, reviews.length));
    trendBlocks.push({
      kind: 'table',
      columns: ['Figure', ...reviews.map(([, label]) => label), 'Trend'],
      widths: [32, ...reviews.map(() => each), 22],
      rows: chart.series.map((series) => ({
        cells: [
          series.metric,
          ...reviews.map(([cycleId]) => {
            const point = series.points.find((x) => x.cycleId === cycleId);
            return point ? formatValue(point.value, series.unit) : '-';
          }),
          series.direction === 'unknown' ? '-' : series.direction,
        ],
        ...(series.direction === 'worse' ? { tone: 'alert' as const } : {}),
      })),
    });
  }
  if (!trends.charts.length) trendBlocks.push({ kind: 'p', text: 'No trend input reported a figure.' });
  sections.push({
    id: 'trends',
    title: 'Trends: nonconformities, monitoring, audits, objectives (d1-d4) and risk posture (f)',
    inputKeys: [...new Set(trends.charts.map((c) => c.inputKey))],
    blocks: trendBlocks,
  });

  sections.push({
    id: 'inputs',
    title: 'Inputs (ISO/IEC 27001 clause 9.3.2)',
    inputKeys: model.inputs.map((i) => i.inputKey),
    blocks: model.inputs.flatMap((input) => inputBlocks(input, zone)),
  });

  return {
    title: `Management review package: ${model.cycle.title}`,
    subtitle: `${model.organisation} · meeting ${formatDateTime(model.meeting.at, zone)}`,
    sections,
    footer: `Cycle ${model.cycle.id} · content SHA-256 ${contentHash}`,
  };
}
