/**
 * Accepted minutes as a stand-alone HTML document and a PDF, for the evidence bucket and the
 * distribution email. The minutes become a package outline, so the package's HTML and PDF
 * renderers (escaping, wrapping, page footer with page numbers) draw them unchanged; the footer
 * carries the cycle id and the minutes' sourceHash, so a printed page traces to the recorded text.
 */
import { ASSESSMENT_ASPECTS, DECISION_CATEGORIES, DECISION_CATEGORY_TITLES } from '../model/meeting.ts';
import type { OutlineSection, PackageOutline } from '../package/outline.ts';
import { packageHtml } from '../package/html.ts';
import { packagePdf } from '../package/pdf.ts';
import { ASPECT_TITLES, type OutcomeField } from '../model/minutes.ts';
import type { MinutesRecord } from '../model/minutes-record.ts';
import { OUTCOME_NOT_RECORDED, OUTCOME_TITLES } from './template.ts';
import { formatDate, formatDateTime, TemplateDataError, zoneInWords } from '../mail/templates/format.ts';

export interface MinutesRenderContext {
  /** The name to show for a person id (e.g. from the programme's people); the id if unknown. */
  readonly personName: (personId: string) => string | undefined;
  /** The organisation whose review it was, named in the title (the programme's organisation name). */
  readonly organisation?: string;
}

/** The meeting's local date and time with its zone in words: "Friday 30 October 2026, 10:00 UK time". */
export function meetingInWords(meeting: { date: string; time: string; timeZone: string }): string {
  let zone = meeting.timeZone;
  try {
    zone = zoneInWords(meeting.timeZone);
  } catch (error) {
    if (!(error instanceof TemplateDataError)) throw error;
  }
  return `${formatDate(meeting.date)}, ${meeting.time} ${zone}`;
}

/** A UTC time in the meeting's zone, in words; as stored when the zone is unknown. */
function inZone(utc: string, timeZone: string): string {
  try {
    return formatDateTime(utc, timeZone);
  } catch (error) {
    if (!(error instanceof TemplateDataError)) throw error;
    return utc;
  }
}

export function minutesOutline(record: MinutesRecord, context: MinutesRenderContext): PackageOutline {
  const m = record.content;
  const name = (id: string) => context.personName(id) ?? id;
  const ref = (id: string) => m.decisionRefs[id] ?? id;
  const inputTitle = (key: string | undefined) =>
    key === undefined ? '' : (m.inputsConsidered.find((i) => i.key === key)?.title ?? key);
  const sections: OutlineSection[] = [
    {
      id: 'meeting',
      title: 'Meeting',
      inputKeys: [],
      blocks: [
        {
          kind: 'facts',
          rows: [
            ...(context.organisation ? [['Organisation', context.organisation] as [string, string]] : []),
            ['Held', meetingInWords(m.meeting)],
            ['Cycle', record.cycleId],
            ['Accepted', inZone(record.acceptedAt, m.meeting.timeZone)],
            ['Version', String(record.version)],
            ['Source SHA-256', record.sourceHash],
          ],
        },
      ],
    },
    {
      id: 'attendees',
      title: 'Attendees',
      inputKeys: [],
      blocks: [
        {
          kind: 'table',
          columns: ['Person', 'Role', 'Status', 'Top management'],
          widths: [35, 30, 20, 15],
          rows: m.attendance.map((a) => ({
            cells: [
              name(a.personId),
              a.role,
              a.status === 'proxy' && a.proxyFor ? `proxy for ${name(a.proxyFor)}` : a.status,
              a.topManagement ? 'yes' : 'no',
            ],
          })),
        },
      ],
    },
    {
      id: 'inputs',
      title: 'Inputs considered (clause 9.3.2)',
      inputKeys: m.inputsConsidered.map((i) => i.key),
      blocks: m.inputsConsidered.flatMap((i) => [
        { kind: 'subheading' as const, text: `${i.key}) ${i.title}` },
        { kind: 'quote' as const, text: i.note },
      ]),
    },
    {
      id: 'decisions',
      title: 'Decisions',
      inputKeys: [],
      blocks: m.decisions.length
        ? DECISION_CATEGORIES.flatMap((category) => {
            const decisions = m.decisions.filter((d) => d.category === category);
            if (!decisions.length) return [];
            return [
              { kind: 'subheading' as const, text: DECISION_CATEGORY_TITLES[category] },
              {
                kind: 'table' as const,
                columns: ['Ref', 'Decision', 'Input'],
                widths: [12, 60, 28],
                rows: decisions.map((d) => ({ cells: [ref(d.id), d.text, inputTitle(d.inputKey)] })),
              },
            ];
          })
        : [{ kind: 'p', text: 'No decisions were recorded.' }],
    },
    {
      id: 'actions',
      title: 'Actions',
      inputKeys: [],
      blocks: m.actions.length
        ? [
            {
              kind: 'table',
              columns: ['Id', 'Action', 'Owner', 'Due', 'Decision'],
              widths: [18, 37, 20, 12, 13],
              rows: m.actions.map((a, i) => ({
                cells: [
                  record.actionIds[i] ?? '',
                  a.description ? `${a.title}\n${a.description}` : a.title,
                  name(a.ownerId),
                  a.dueDate,
                  a.decisionId ? ref(a.decisionId) : '',
                ],
              })),
            },
          ]
        : [{ kind: 'p', text: 'No actions were decided.' }],
    },
    {
      id: 'outcomes',
      title: 'Results of the review (clause 9.3.3)',
      inputKeys: [],
      blocks: (Object.keys(OUTCOME_TITLES) as OutcomeField[]).flatMap((field) => [
        { kind: 'subheading' as const, text: OUTCOME_TITLES[field] },
        { kind: 'quote' as const, text: m[field] ?? OUTCOME_NOT_RECORDED },
      ]),
    },
    {
      id: 'assessment',
      title: 'Overall assessment of the ISMS',
      inputKeys: [],
      blocks: ASSESSMENT_ASPECTS.flatMap((aspect) => [
        { kind: 'subheading' as const, text: `${ASPECT_TITLES[aspect]}: ${m.assessment[aspect].verdict}` },
        { kind: 'quote' as const, text: m.assessment[aspect].rationale },
      ]),
    },
  ];
  const whose = context.organisation ? `${context.organisation}: minutes` : 'Minutes';
  return {
    title: `${whose} of the management review of ${formatDate(m.meeting.date)}`,
    subtitle: `Held ${meetingInWords(m.meeting)}. Version ${record.version}, accepted ${inZone(record.acceptedAt, m.meeting.timeZone)}`,
    sections,
    footer: `Cycle ${record.cycleId} · minutes v${record.version} · SHA-256 ${record.sourceHash}`,
  };
}

export function minutesHtml(record: MinutesRecord, context: MinutesRenderContext): string {
  return packageHtml(minutesOutline(record, context), () => '');
}

export function minutesPdf(record: MinutesRecord, context: MinutesRenderContext): Promise<Buffer> {
  return packagePdf(minutesOutline(record, context), new Map(), { createdAt: new Date(record.acceptedAt) });
}
