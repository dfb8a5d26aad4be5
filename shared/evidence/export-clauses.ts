/**
 * The clause index of the evidence bundle: one row per requirement of the management review
 * (shared/catalogue/requirements.ts, derived from the catalogue's clause references) with the
 * files of this bundle that evidence it, as index/clauses.csv and, to read, index/clauses.md.
 *
 * 9.3.1 (the review held at planned intervals) is evidenced by the cycle and its dates, the
 * package sent ahead and the minutes of the meeting; each 9.3.2 item by the trail of its inputs
 * (trace.csv); 9.3.3 (the results) by the decisions and actions in the minutes; 7.5 (documented
 * information) by the manifest, the hash-chained event log and the signed anchors.
 */
import * as z from 'zod';
import { reviewRequirements, type ReviewRequirement } from '../catalogue/requirements.ts';
import { isStandardId, standards } from '../catalogue/standards.ts';
import type { Cycle } from '../model/cycle.ts';
import { EVENTS_FILE, MANIFEST_FILE, README_FILE } from './bundle.ts';
import type { MailIndex, PackageIndex } from './bundle-index.ts';
import type { BundleWriter } from './bundle-writer.ts';
import { TRACE_FILE, type InputTrace } from './export-trace.ts';
import { LIST_SEPARATOR } from './people.ts';

export const CLAUSES_CSV = 'index/clauses.csv';
export const CLAUSES_MD = 'index/clauses.md';

const StandardsOfProgramme = z.looseObject({ managementSystems: z.array(z.string()) });

/** What the index reads besides the traces: the files the other parts of the export wrote. */
export interface ClauseContext {
  readonly cycle: Cycle;
  /** The programme document the cycle ran under, as stored (absent: not stored). */
  readonly programme: unknown;
  readonly traces: readonly InputTrace[];
  readonly mail: MailIndex;
  readonly package: PackageIndex | undefined;
  readonly minutesFiles: readonly string[];
  /** Every file written so far, by path. */
  readonly files: readonly string[];
  readonly decisions: number;
  readonly events: number;
  /** Who approved what before it left the review (7.5.2 c): "package v1 by Alice Morgan, ...". */
  readonly approvals: readonly string[];
  /** Files written after the index: the manifest always, the signature and key when the exporter has them. */
  readonly unlisted: readonly string[];
}

export interface ClauseRow {
  readonly standard: string;
  readonly clause: string;
  readonly requirement: string;
  readonly inputKeys: string;
  readonly status: string;
  readonly evidence: readonly string[];
}

/**
 * The standards the review covers: the programme's, else those the input requests name, else
 * ISO/IEC 27001 (the standard this system was built for).
 */
function standardsOf(context: ClauseContext): string[] {
  const parsed = StandardsOfProgramme.safeParse(context.programme);
  if (parsed.success && parsed.data.managementSystems.some(isStandardId)) {
    return parsed.data.managementSystems.filter(isStandardId);
  }
  const named = context.traces.flatMap((t) => t.request.clauses.map((c) => c.standard)).filter(isStandardId);
  return named.length > 0 ? [...new Set(named)] : ['iso27001'];
}

/** The rows of the index (see the module note). */
export function clauseRows(context: ClauseContext): ClauseRow[] {
  const { cycle, files } = context;
  const held = (prefix: string) => files.filter((path) => path.startsWith(prefix));
  const sent = (kind: string) =>
    [...context.mail.sent.values()].filter((m) => m.kind === kind && m.file).map((m) => m.file);
  const anchors = (milestone: string) => held('anchors/').filter((path) => path.includes(milestone));
  const traces = new Map(context.traces.map((t) => [t.request.inputKey, t]));
  const packageFiles = context.package?.files ?? [];

  const rowOf = (requirement: ReviewRequirement): Omit<ClauseRow, 'standard' | 'clause' | 'requirement'> => {
    switch (requirement.kind) {
      case 'review':
        return {
          inputKeys: '',
          status: cycle.heldAt
            ? `held ${cycle.heldAt}, as planned for ${cycle.plannedMeetingAt} (${cycle.type} review)`
            : `not held yet: planned for ${cycle.plannedMeetingAt} (phase ${cycle.phase})`,
          evidence: [
            'cycle.json',
            'programme.json',
            ...context.minutesFiles,
            ...held('minutes/attendance.csv'),
            ...sent('package'),
            ...packageFiles.filter((p) => /\/package\.(pdf|html)$/.test(p)),
            ...anchors('cycle-opened'),
          ],
        };
      case 'input': {
        const found = requirement.inputKeys.map((key) => traces.get(key));
        return {
          inputKeys: requirement.inputKeys.join(LIST_SEPARATOR),
          status: requirement.inputKeys
            .map(
              (key, i) =>
                `${key}: ${found[i] ? found[i].packageStatus || found[i].row.requestStatus : 'not requested in this cycle'}`,
            )
            .join(LIST_SEPARATOR),
          evidence: found.flatMap((t) => t?.files ?? []),
        };
      }
      case 'results':
        return {
          inputKeys: '',
          status: context.minutesFiles.length
            ? `${context.decisions} decision(s) in the minutes; ${held('actions.csv').length ? 'actions in actions.csv' : 'no actions'}`
            : `no minutes recorded yet (phase ${cycle.phase})`,
          evidence: [
            ...context.minutesFiles,
            ...held('minutes/decisions.csv'),
            ...held('minutes/assessment.csv'),
            ...held('actions.csv'),
            ...held('follow-up/'),
            ...sent('minutes'),
            ...anchors('minutes-accepted'),
          ],
        };
      case 'documented-information':
        return {
          inputKeys: '',
          status:
            `every file of the bundle is hashed in ${MANIFEST_FILE}; ${context.events} events in one hash chain; ${held('anchors/').length} signed anchor(s); ` +
            (context.approvals.length
              ? `approved before distribution (7.5.2 c): ${context.approvals.join('; ')}`
              : 'no approval recorded'),
          evidence: [
            MANIFEST_FILE,
            ...context.unlisted,
            README_FILE,
            EVENTS_FILE,
            ...held('anchors/'),
            'programme.json',
          ],
        };
    }
  };

  return reviewRequirements(standardsOf(context)).map((requirement) => {
    const row = rowOf(requirement);
    return {
      standard: standards[requirement.standard].title,
      clause: requirement.clause,
      requirement: requirement.text,
      ...row,
      evidence: [...new Set(row.evidence)],
    };
  });
}

/** Adds index/clauses.csv and index/clauses.md. */
export function addClauseIndex(out: BundleWriter, context: ClauseContext): void {
  const rows = clauseRows(context);
  out.addCsv(
    CLAUSES_CSV,
    rows.map((row) => ({ ...row, evidence: row.evidence.join(LIST_SEPARATOR) })),
    ['standard', 'clause', 'requirement', 'inputKeys', 'status', 'evidence'],
    `The clause index: each requirement of the management review (9.3.1, every 9.3.2 input item, 9.3.3, 7.5) and the files of this bundle that evidence it. ${CLAUSES_MD} is the same, to read.`,
  );
  out.add(
    CLAUSES_MD,
    Buffer.from(clausesMarkdown(context.cycle, rows), 'utf8'),
    `START HERE: the clause index to read, with a link to every file that evidences each requirement; ${TRACE_FILE} follows each input.`,
  );
}

/** A cell of a Markdown table: no line breaks, pipes escaped. */
const mdCell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** A link from index/ to a file of the bundle. */
const mdLink = (path: string) => `[${mdCell(path)}](<../${path}>)`;

function clausesMarkdown(cycle: Cycle, rows: readonly ClauseRow[]): string {
  const lines = [
    `# Clause index: management review ${cycle.id}`,
    '',
    'Each requirement of the management review, with the files of this bundle that evidence it.',
    `To sample an input from request to reply to package to minutes to action, read its row in [${TRACE_FILE}](<../${TRACE_FILE}>).`,
    'How to check that no file was changed: README.txt.',
    '',
  ];
  let standard = '';
  for (const row of rows) {
    if (row.standard !== standard) {
      if (standard) lines.push('');
      standard = row.standard;
      lines.push(
        `## ${standard}`,
        '',
        '| Clause | Requirement | Status | Evidence |',
        '| --- | --- | --- | --- |',
      );
    }
    const keys = row.inputKeys ? row.inputKeys.split(LIST_SEPARATOR) : [];
    const inputs = keys.length ? ` (input${keys.length > 1 ? 's' : ''} ${keys.join(', ')})` : '';
    lines.push(
      `| ${mdCell(row.clause)} | ${mdCell(row.requirement)}${mdCell(inputs)} | ${mdCell(row.status)} | ${row.evidence.map(mdLink).join('<br>')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
