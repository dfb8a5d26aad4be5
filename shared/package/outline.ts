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
import type { ActionRow, DecisionItem, PackageInputSection, PackageModel, Rag } from './model.ts';
import { FIRST_REVIEW, proposalSentence } from './content.ts';
import { formatValue, kpiRows, trendWords, type KpiRow } from './trends.ts';

/** alert: red; warn: amber; good: green; note: muted. Always with words: colour is never alone. */
export type Tone = 'alert' | 'warn' | 'good' | 'note';

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
  /** Footer line of every page / the end of the email: no hash or id (those are in "About"). */
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

function inputBlocks(
  input: PackageInputSection,
  zone: string,
  proposals: readonly DecisionItem[],
): OutlineBlock[] {
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
      kind: 'p',
      tone: 'note',
      text: `${input.figures.length} figure(s): see "Key figures and trends".`,
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
    const proposal = proposals.find((d) => d.source === 'owner-flagged' && d.inputKey === input.inputKey);
    blocks.push({
      kind: 'p',
      text: `Decision asked for: ${input.decisionNeeded}${proposal ? ` (${proposal.label}, on the decision sheet)` : ''}`,
      tone: 'alert',
    });
  }
  return blocks;
}

const RAG_WORDS: Record<Rag, string> = { red: 'RED', amber: 'AMBER', green: 'GREEN' };
const RAG_TONES: Record<Rag, Tone> = { red: 'alert', amber: 'warn', green: 'good' };

/** A proposal on the decision sheet: its sentence, then options, recommendation, cost, risk. */
function proposalBlocks(d: DecisionItem): OutlineBlock[] {
  // Compact, so that page one holds every proposal: the reason is in the sentence or the input.
  const rows: [string, string][] = [
    ['Options', d.options.length ? d.options.map((o, i) => `(${i + 1}) ${o}`).join('; ') : 'none given'],
  ];
  rows.push(['Recommendation', d.recommendation ?? 'no recommendation given']);
  if (d.cost) rows.push(['Cost or effort', d.cost]);
  rows.push(['Risk of not deciding', d.riskIfNotDecided ?? 'not given']);
  return [
    { kind: 'subheading', text: proposalSentence(d) },
    { kind: 'facts', rows },
  ];
}

const value = (n: number | undefined, unit: string) => (n === undefined ? '-' : formatValue(n, unit));

/** "↓ better" and, when the figure has a history, the values of every review it spans. */
function trendCell(row: KpiRow): string {
  const words = trendWords(row);
  if (row.history.length < 3) return words;
  return `${words}\n${row.history.length} reviews: ${row.history.map((p) => formatValue(p.value, row.unit)).join(' → ')}`;
}

/** The KPI table of an input: figure, actual, target (when any is set), previous, trend. */
function kpiTable(rows: readonly KpiRow[]): OutlineBlock {
  const targets = rows.some((r) => r.target !== undefined);
  return {
    kind: 'table',
    columns: targets
      ? ['Figure', 'Actual', 'Target', 'Last review', 'Trend']
      : ['Figure', 'Actual', 'Last review', 'Trend'],
    widths: targets ? [27, 15, 15, 17, 26] : [34, 17, 19, 30],
    rows: rows.map((r) => ({
      cells: [
        r.metric,
        formatValue(r.actual, r.unit),
        ...(targets ? [value(r.target, r.unit)] : []),
        value(r.previous, r.unit),
        trendCell(r),
      ],
      ...(r.direction === 'worse' ? { tone: 'alert' as const } : {}),
    })),
  };
}

export function packageOutline(model: PackageModel, contentHash: string): PackageOutline {
  const zone = model.timeZone;
  const s = model.summary;
  const { actions, trends } = model;
  const sections: OutlineSection[] = [];

  const sheet: OutlineBlock[] = [
    {
      kind: 'facts',
      rows: [
        ['Meeting', `${formatDateTime(model.meeting.at, zone)}, ${model.meeting.durationMinutes} minutes`],
        ...(model.previousReview
          ? [['Previous review', formatDateTime(model.previousReview.meetingAt, zone)] as [string, string]]
          : []),
        [
          'Inputs',
          `${s.counts.inputs}: ${s.counts.provided} provided, ${s.counts.nothingToReport} nothing to report, ${s.counts.notProvided} not provided`,
        ],
        ['Actions from earlier reviews', `${s.counts.openActions} open, ${s.counts.overdueActions} overdue`],
      ],
    },
    { kind: 'p', text: `Proposals for decision (${model.decisions.length})`, strong: true },
    ...(model.decisions.length
      ? model.decisions.flatMap(proposalBlocks)
      : [
          {
            kind: 'p' as const,
            text: 'No proposal was raised for decision; the meeting still gives its overall assessment.',
          },
        ]),
    { kind: 'p', text: 'Inputs at a glance', strong: true },
    {
      kind: 'table',
      columns: ['Status', 'Input', 'Why'],
      widths: [18, 44, 38],
      rows: model.inputs.map((input) => ({
        cells: [
          RAG_WORDS[input.rag.rag],
          `${input.inputKey}) ${input.title}\nOwner: ${input.owner.name}`,
          input.rag.reason,
        ],
        tone: RAG_TONES[input.rag.rag],
      })),
    },
    ...(model.previousReview
      ? [
          { kind: 'p' as const, text: 'Changes since the last review', strong: true },
          { kind: 'list' as const, items: s.changes },
          {
            kind: 'p' as const,
            text: `Overall trend: ${s.trend}`,
            ...(trends.overall.worse > trends.overall.better ? { tone: 'alert' as const } : {}),
          },
        ]
      : [{ kind: 'p' as const, text: FIRST_REVIEW }]),
  ];
  sections.push({
    id: 'sheet',
    title: 'Decision sheet',
    inputKeys: model.inputs.map((i) => i.inputKey),
    blocks: sheet,
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
      text: model.previousReview
        ? `${trends.overall.verdict} Figures are followed across ${trends.earlierReviews} earlier review(s) and this one.`
        : trends.overall.verdict,
    },
  ];
  const withFigures = model.inputs.filter((i) => i.figures.length);
  for (const input of withFigures) {
    trendBlocks.push({ kind: 'subheading', text: `${input.inputKey}) ${input.title}` });
    trendBlocks.push(kpiTable(kpiRows(input, trends.series)));
    for (const chart of trends.charts.filter((c) => c.inputKey === input.inputKey)) {
      trendBlocks.push({ kind: 'chart', chartId: chart.id, alt: chart.alt, caption: chart.title });
    }
  }
  if (!withFigures.length) trendBlocks.push({ kind: 'p', text: 'No input reported a figure.' });
  sections.push({
    id: 'trends',
    title: 'Key figures and trends',
    inputKeys: withFigures.map((i) => i.inputKey),
    blocks: trendBlocks,
  });

  sections.push({
    id: 'inputs',
    title: 'Inputs (ISO/IEC 27001 clause 9.3.2)',
    inputKeys: model.inputs.map((i) => i.inputKey),
    blocks: model.inputs.flatMap((input) => inputBlocks(input, zone, model.decisions)),
  });

  sections.push({
    id: 'about',
    title: 'About this document',
    inputKeys: [],
    blocks: [
      {
        kind: 'facts',
        rows: [
          ['Content SHA-256', contentHash],
          ['Cycle', model.cycle.id],
          ['Built at', formatDateTime(model.builtAt, zone)],
          [
            'Previous review',
            model.previousReview
              ? `cycle ${model.previousReview.cycleId} (meeting ${formatDateTime(model.previousReview.meetingAt, zone)})`
              : 'none (first review)',
          ],
        ],
      },
      { kind: 'p', text: 'Input versions', strong: true },
      {
        kind: 'list',
        items: Object.entries(model.inputVersions).map(
          ([key, id]) =>
            `${key}: ${id ?? (key === 'a' || model.inputs.find((i) => i.inputKey === key)?.automatic ? 'filled from the action register' : 'none (not provided)')}`,
        ),
      },
      {
        kind: 'p',
        tone: 'note',
        text: 'The content SHA-256 is recorded on the cycle and in the evidence bundle: it identifies this exact package.',
      },
    ],
  });

  return {
    title: `Management review package: ${model.cycle.title}`,
    subtitle: `${model.organisation} · meeting ${formatDateTime(model.meeting.at, zone)}`,
    sections,
    footer: `${model.organisation} · ${model.cycle.title}`,
  };
}
