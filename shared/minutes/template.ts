/**
 * The minutes as people see them: the YAML form the ISMS manager fills in (sent with the minutes
 * request, or written to a file by the CLI), and the accepted minutes as plain text and HTML for
 * the minutes email and the evidence bundle.
 *
 * The form leaves every answer empty, so a form sent back unfilled is refused with a list of what
 * is missing; once filled in it is exactly what validateMinutes accepts. Examples of a decision
 * and an action are commented out, written with people and inputs of the programme, so that
 * uncommenting them gives valid entries.
 */
import { DateTime } from 'luxon';
import { emailLayout, html, join, type SafeHtml } from '../mail/html.ts';
import { formatDateTime, zoneInWords } from '../mail/templates/format.ts';
import type { Cycle } from '../model/cycle.ts';
import { ASSESSMENT_ASPECTS, DECISION_CATEGORIES, DECISION_CATEGORY_TITLES } from '../model/meeting.ts';
import { ismsManager, topManagement } from '../programme/queries.ts';
import type { Person, Programme } from '../programme/schema.ts';
import { ASPECT_QUESTIONS, ASPECT_TITLES, type OutcomeField, type ValidMinutes } from '../model/minutes.ts';

export interface TemplateInput {
  readonly programme: Programme;
  readonly cycle: Pick<Cycle, 'id' | 'type' | 'plannedMeetingAt' | 'comprehensive'>;
  /** The inputs of the cycle, in package order. */
  readonly catalogue: readonly { readonly key: string; readonly title: string }[];
}

/** Text safe to put after `#` on one line. */
function comment(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

/** `key: value   # note`, notes aligned. */
function line(indent: number, field: string, note?: string, width = 14): string {
  const start = `${' '.repeat(indent)}${field}`;
  return note === undefined ? start : `${start.padEnd(indent + width)} # ${comment(note)}`;
}

/** The first letter in upper case. */
function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The one-line hint of each clause 9.3.3 outcome in the form. */
const OUTCOME_HINTS: Record<OutcomeField, string> = {
  changesToTheIsms: 'the changes decided (with decision refs), or "no changes needed: <why>" in quotes',
  resourceNeeds:
    'resources needed and what was decided, or "no additional resources needed: <why>" in quotes',
};

/** How each outcome is titled in the accepted minutes. */
export const OUTCOME_TITLES: Record<OutcomeField, string> = {
  changesToTheIsms: 'Changes to the ISMS',
  resourceNeeds: 'Resources',
};

/** What the accepted minutes show for an outcome that older minutes did not record. */
export const OUTCOME_NOT_RECORDED = 'not recorded in these minutes';

function reviewName(cycle: TemplateInput['cycle']): string {
  return `${cycle.comprehensive ? 'comprehensive ' : ''}${cycle.type} review`;
}

/** The form to fill in (see the module note). */
export function renderMinutesTemplate({ programme, cycle, catalogue }: TemplateInput): string {
  const zone = programme.organisation.timeZone;
  const planned = DateTime.fromISO(cycle.plannedMeetingAt, { zone });
  const { chair, members } = topManagement(programme);
  const manager = ismsManager(programme);
  const listed: { person: Person; note: string }[] = [
    { person: chair, note: 'chair, top management' },
    ...members.map((person) => ({ person, note: 'top management' })),
  ];
  if (!listed.some((entry) => entry.person.id === manager.id)) {
    listed.push({ person: manager, note: 'ISMS manager' });
  }
  const width = Math.max(...listed.map((entry) => entry.person.id.length)) + 10;
  const keyWidth = Math.max(...catalogue.map((input) => input.key.length), 1) + 3;
  const exampleOwner =
    programme.people.find((person) => !listed.some((entry) => entry.person.id === person.id)) ?? manager;
  const exampleInput = catalogue.find((input) => input.key === 'g') ?? catalogue[catalogue.length - 1];
  const exampleDue = planned.plus({ days: 90 }).toISODate();

  return [
    `# Minutes of the management review: ${comment(programme.organisation.name)}, ${reviewName(cycle)} ${cycle.id}`,
    `# Meeting planned for ${formatDateTime(cycle.plannedMeetingAt, zone)}.`,
    '#',
    '# Fill in every empty field and send this back: reply to the minutes request with it, or',
    '# save it to a file and submit it from the command line. Lines starting with # are comments;',
    '# keep them or delete them. Keep the indentation: two spaces per level, no tabs.',
    '# Minutes that lack anything required come back with a list of exactly what to fix.',
    `cycle: ${cycle.id}`,
    '',
    'meeting:',
    line(2, 'date:', `yyyy-mm-dd, the day it was held (planned: ${planned.toISODate()})`),
    line(2, 'time:', `hh:mm ${zoneInWords(zone)}, when it started (planned: ${planned.toFormat('HH:mm')})`),
    '',
    '# Who took part: status present, absent or proxy. Someone who stood in for another person',
    '# has status proxy and proxyFor: the id of the person they stood in for. At least one member',
    '# of top management must be present in person; a proxy does not count. Add anyone else who',
    '# attended by their id or email in the programme.',
    'attendees:',
    ...listed.flatMap(({ person, note }) => [
      line(2, `- person: ${person.id}`, `${person.name}, ${person.role}: ${note}`, width),
      line(4, 'status:', 'present, absent or proxy', width - 2),
    ]),
    '  # - person: someone@example.com',
    '  #   status: proxy',
    `  #   proxyFor: ${members[0]?.id ?? chair.id}`,
    '',
    '# Every input of the review, with what was considered, or "considered, nothing to report".',
    '# Not for an input nobody provided: say what the meeting did about it, e.g. "not provided;',
    '# <who> to report at the next review". Nor for an input a decision answers: say what led to it.',
    'inputsConsidered:',
    ...catalogue.map((input) => line(2, `${input.key}:`, input.title, keyWidth)),
    '',
    '# The decisions (clause 9.3.3), each with a short ref that actions can point to.',
    '# category, one of:',
    ...DECISION_CATEGORIES.map((category) => `#   ${DECISION_CATEGORY_TITLES[category]}`),
    '# input (optional): the key of the input the decision answers.',
    'decisions:',
    '  # - ref: D1',
    '  #   category: processes and controls',
    '  #   text: Roll out phishing-resistant MFA to all administrators.',
    ...(exampleInput ? [`  #   input: ${exampleInput.key}`] : []),
    '',
    '# The actions, each with one owner (id or email) and a due date (yyyy-mm-dd).',
    '# decision (optional): the ref of the decision it carries out.',
    '# corrective (optional): true for a corrective action (clause 10.1); it gets an effectiveness check.',
    'actions:',
    '  # - title: Enforce MFA for administrator accounts',
    `  #   owner: ${exampleOwner.id}`,
    `  #   due: ${exampleDue}`,
    '  #   decision: D1',
    '  #   corrective: false',
    '',
    '# The results of the review (clause 9.3.3), both required; "none" alone is not an answer.',
    '# Text with ": " in it goes in quotes, as in the hints.',
    line(0, 'changesToTheIsms:', OUTCOME_HINTS.changesToTheIsms, 18),
    line(0, 'resourceNeeds:', OUTCOME_HINTS.resourceNeeds, 18),
    '',
    '# The overall assessment of the ISMS: for each aspect a verdict (yes, partly or no) and why.',
    'assessment:',
    ...ASSESSMENT_ASPECTS.flatMap((aspect) => [
      line(2, `${aspect}:`, sentence(ASPECT_QUESTIONS[aspect])),
      line(4, 'verdict:', 'yes, partly or no', 12),
      line(4, 'rationale:'),
    ]),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Accepted minutes, for people

export interface MinutesMeta {
  /** The version of the recorded minutes (shown when it is a correction). */
  readonly version?: number;
  /** When they were accepted (UTC). */
  readonly acceptedAt?: string;
  /** The ids of the actions they created, in the order the minutes list them. */
  readonly actionIds?: readonly string[];
}

interface Lines {
  readonly title: string;
  readonly held: string;
  readonly version?: string;
  readonly present: string[];
  readonly absent: string[];
  readonly inputs: { label: string; note: string }[];
  readonly decisions: { label: string; text: string }[];
  readonly actions: { label: string; facts: string; description?: string }[];
  readonly outcomes: { label: string; text: string }[];
  readonly assessment: { label: string; rationale: string }[];
}

function nameOf(programme: Programme, id: string): string {
  const person = programme.people.find((candidate) => candidate.id === id);
  return person ? person.name : id;
}

function formatDay(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).toFormat('d LLLL yyyy');
}

/** What both renditions show, as plain strings (escaped by the HTML rendition). */
function contents(minutes: ValidMinutes, programme: Programme, meta: MinutesMeta): Lines {
  const zone = programme.organisation.timeZone;
  const held = formatDateTime(minutes.heldAt, zone);
  const attendee = (entry: ValidMinutes['attendance'][number]) => {
    const name = nameOf(programme, entry.personId);
    const base = `${name}, ${entry.role}`;
    if (entry.status === 'proxy' && entry.proxyFor) {
      return `${base}: proxy for ${nameOf(programme, entry.proxyFor)}`;
    }
    return entry.topManagement ? `${base} (top management)` : base;
  };
  const refOf = (id: string) => minutes.decisionRefs[id] ?? id;
  return {
    title: `Minutes of the management review of ${programme.organisation.name}`,
    held: `${held}, review ${minutes.cycleId}`,
    version:
      meta.version !== undefined && meta.version > 1
        ? `Version ${meta.version} of these minutes, replacing version ${meta.version - 1}.`
        : undefined,
    present: minutes.attendance.filter((entry) => entry.status !== 'absent').map(attendee),
    absent: minutes.attendance.filter((entry) => entry.status === 'absent').map(attendee),
    inputs: minutes.inputsConsidered.map((input) => ({
      label: `${input.key}. ${input.title}`,
      note: input.note,
    })),
    decisions: minutes.decisions.map((decision) => ({
      label:
        `${refOf(decision.id)} ${DECISION_CATEGORY_TITLES[decision.category]}` +
        (decision.inputKey ? ` (input ${decision.inputKey})` : ''),
      text: decision.text,
    })),
    actions: minutes.actions.map((action, index) => {
      const id = meta.actionIds?.[index];
      const facts = [
        `owner ${nameOf(programme, action.ownerId)}`,
        `due ${formatDay(action.dueDate)}`,
        ...(action.decisionId ? [`decision ${refOf(action.decisionId)}`] : []),
        ...(action.corrective ? ['corrective'] : []),
      ].join(', ');
      return {
        label: id ? `${id}: ${action.title}` : action.title,
        facts,
        ...(action.description ? { description: action.description } : {}),
      };
    }),
    outcomes: (Object.keys(OUTCOME_TITLES) as OutcomeField[]).map((field) => ({
      label: OUTCOME_TITLES[field],
      text: minutes[field] ?? OUTCOME_NOT_RECORDED,
    })),
    assessment: ASSESSMENT_ASPECTS.map((aspect) => ({
      label: `${ASPECT_TITLES[aspect]}: ${minutes.assessment[aspect].verdict}`,
      rationale: minutes.assessment[aspect].rationale,
    })),
  };
}

/** The accepted minutes as plain text (the text part of the minutes email). */
export function renderMinutesText(
  minutes: ValidMinutes,
  programme: Programme,
  meta: MinutesMeta = {},
): string {
  const c = contents(minutes, programme, meta);
  const section = (heading: string, body: string[]) => ['', heading, '-'.repeat(heading.length), ...body];
  return [
    c.title,
    '='.repeat(c.title.length),
    `Held: ${c.held}`,
    ...(c.version ? [c.version] : []),
    ...section('Attendance', [
      ...c.present.map((entry) => `- ${entry}`),
      ...(c.absent.length ? [`Absent: ${c.absent.join('; ')}`] : []),
    ]),
    ...section(
      'Inputs considered',
      c.inputs.map((input) => `- ${input.label}: ${input.note}`),
    ),
    ...section(
      'Decisions',
      c.decisions.length
        ? c.decisions.map((d) => `- ${d.label}: ${d.text}`)
        : ['No decisions were recorded.'],
    ),
    ...section(
      'Actions',
      c.actions.length
        ? c.actions.flatMap((a) => [
            `- ${a.label} (${a.facts})`,
            ...(a.description ? [`  ${a.description}`] : []),
          ])
        : ['No actions were decided.'],
    ),
    ...section(
      'Results of the review (clause 9.3.3)',
      c.outcomes.map((o) => `- ${o.label}: ${o.text}`),
    ),
    ...section(
      'Overall assessment of the ISMS',
      c.assessment.map((a) => `- ${a.label}. ${a.rationale}`),
    ),
    '',
  ].join('\n');
}

/** The accepted minutes as a complete HTML document; every piece of text is escaped. */
export function renderMinutesHtml(
  minutes: ValidMinutes,
  programme: Programme,
  meta: MinutesMeta = {},
): string {
  const c = contents(minutes, programme, meta);
  const h2 = (text: string) => html`<h2 style="font-size:16px;margin:20px 0 8px 0;">${text}</h2>`;
  const bullets = (items: readonly SafeHtml[]) =>
    html`<ul style="margin:0;padding-left:20px;">
      ${items.map((item) => html`<li>${item}</li>`)}
    </ul>`;
  const body = join([
    html`<p><strong>Held:</strong> ${c.held}</p>`,
    c.version ? html`<p>${c.version}</p>` : '',
    h2('Attendance'),
    bullets(c.present.map((entry) => html`${entry}`)),
    c.absent.length ? html`<p>Absent: ${c.absent.join('; ')}</p>` : '',
    h2('Inputs considered'),
    bullets(c.inputs.map((input) => html`<strong>${input.label}</strong>: ${input.note}`)),
    h2('Decisions'),
    c.decisions.length
      ? bullets(c.decisions.map((d) => html`<strong>${d.label}</strong>: ${d.text}`))
      : html`<p>No decisions were recorded.</p>`,
    h2('Actions'),
    c.actions.length
      ? bullets(
          c.actions.map(
            (a) =>
              html`<strong>${a.label}</strong>
                (${a.facts})${a.description ? html`<br />${a.description}` : ''}`,
          ),
        )
      : html`<p>No actions were decided.</p>`,
    h2('Results of the review (clause 9.3.3)'),
    bullets(c.outcomes.map((o) => html`<strong>${o.label}</strong>: ${o.text}`)),
    h2('Overall assessment of the ISMS'),
    bullets(c.assessment.map((a) => html`<strong>${a.label}.</strong> ${a.rationale}`)),
  ]);
  return emailLayout({ title: c.title, heading: c.title, body });
}
