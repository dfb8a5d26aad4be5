/**
 * Validating the minutes against the programme and the cycle, with every problem listed at once.
 *
 * Each problem names where it is (`line 14 attendees[2].person: ...`), what is wrong and what
 * would be right, so the ISMS manager can fix all of them in one go: YAML syntax (line and
 * column), unknown fields, a missing meeting date, no member of top management present in person
 * (a proxy does not count), an input of the review not recorded as considered, a decision without
 * a valid category, an action without owner or due date or due in the past, an action pointing to
 * a decision the minutes do not have, a person the programme does not know (with the closest
 * names), and an assessment aspect without verdict or rationale.
 *
 * Validation only reads: nothing is stored. "Today" and "the future" are taken from `now` in the
 * organisation's time zone.
 */
import { DateTime } from 'luxon';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import { catalogueFor, standardIds } from '../catalogue/catalogue.ts';
import type { Cycle } from '../model/cycle.ts';
import { decisionIdFor } from '../model/ids.ts';
import { ASSESSMENT_ASPECTS, type Attendance, type DecisionCategory } from '../model/meeting.ts';
import { topManagement } from '../programme/queries.ts';
import type { Person, Programme } from '../programme/schema.ts';
import { didYouMean } from '../programme/suggest.ts';
import { closestPeople, describePerson as describe, findPerson, unknownPerson } from '../programme/people.ts';
import {
  CATEGORY_CHOICES,
  decisionCategoryNames,
  decisionCategoryOf,
  DECISION_REF,
  KNOWN_FIELDS,
  MAX_MINUTES_BYTES,
  MinutesDocument,
  showValue,
  ValidMinutes,
} from '../model/minutes.ts';

export interface MinutesContext {
  readonly programme: Programme;
  readonly cycle: Pick<Cycle, 'id' | 'openedAt'>;
  /** The inputs of the cycle's catalogue, in package order: each must be recorded as considered. */
  readonly catalogueKeys: readonly string[];
  readonly now: Date;
  /**
   * The number the first decision gets (its id is decisionIdFor(cycle, n)); a correction of
   * recorded minutes continues after the decisions of the version it replaces. Default 1.
   */
  readonly firstDecisionNumber?: number;
}

export type MinutesValidation = { ok: true; minutes: ValidMinutes } | { ok: false; problems: string[] };

type Path = (string | number)[];

interface Problem {
  readonly path: Path;
  readonly message: string;
}

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Spaces mail clients put in pasted text (non-breaking, thin, zero-width): YAML needs plain ones. */
const ODD_SPACES = /[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g;

const TITLES: ReadonlyMap<string, string> = new Map(
  catalogueFor(standardIds).map((input) => [input.key, input.title]),
);

function titleOf(key: string): string {
  return TITLES.get(key) ?? key;
}

// ---------------------------------------------------------------------------------------------
// Reading values defensively: the shape may be wrong anywhere, and every problem is still wanted.

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The trimmed text, or undefined when the value is not non-blank text. */
function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** A label may be written as a number (`ref: 1`). */
function asLabel(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : asText(value);
}

function isRealDate(value: string): boolean {
  return DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

// ---------------------------------------------------------------------------------------------
// People

function inWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------

interface ResolvedAttendee {
  readonly index: number;
  readonly person?: Person;
  /** For a person the programme does not know: who they probably are. */
  readonly maybe: readonly Person[];
  readonly status?: Attendance['status'];
  readonly proxyFor?: Person;
  readonly role?: string;
}

/** Validates minutes text (see the module note). Never throws for bad input; never writes. */
export function validateMinutes(text: string, ctx: MinutesContext): MinutesValidation {
  if (Buffer.byteLength(text, 'utf8') > MAX_MINUTES_BYTES) {
    const kb = Math.ceil(Buffer.byteLength(text, 'utf8') / 1024);
    return {
      ok: false,
      problems: [
        `the minutes are ${kb} KB long; at most ${MAX_MINUTES_BYTES / 1024} KB are accepted: shorten the notes, ` +
          'and keep supporting documents out of the minutes',
      ],
    };
  }
  const source = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .replace(ODD_SPACES, ' ');
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
  });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        const what = error.message.split('\n')[0];
        return `line ${line}, column ${col}: YAML syntax: ${what}; keep the layout of the template (spaces, not tabs, and "name: value" on each line)`;
      }),
    };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      problems: ['the minutes are empty; fill in the minutes template and send it back'],
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return { ok: false, problems: [`line 1: YAML: ${(error as Error).message}`] };
  }

  const schemaProblems: Problem[] = [];
  const schemaPaths = new Set<string>();
  const parsed = MinutesDocument.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
      if (issue.code === 'unrecognized_keys') {
        const known = KNOWN_FIELDS[fieldKind(path)] ?? [];
        for (const key of issue.keys) {
          schemaPaths.add(formatPath([...path, key]));
          schemaProblems.push({
            path: [...path, key],
            message: `"${key}" is not a known field here${didYouMean(key, known)}; expected ${inWords([...known])}`,
          });
        }
      } else {
        schemaPaths.add(formatPath(path));
        schemaProblems.push({ path, message: issue.message });
      }
    }
  }
  // The meaning checks read the raw values defensively; on a field the schema already faulted,
  // its problem is the more basic one and the meaning problem is dropped.
  const meaningProblems: Problem[] = [];
  const checked = checkMeaning(raw, ctx, (path, message) => {
    if (!schemaPaths.has(formatPath(path))) meaningProblems.push({ path, message });
  });
  const problems = [...schemaProblems, ...meaningProblems];
  if (problems.length > 0 || !parsed.success || !checked) {
    return { ok: false, problems: format(problems, doc, lineCounter) };
  }
  return { ok: true, minutes: build(parsed.data, checked, ctx) };
}

/** `attendees[2]` → `attendees`; `assessment.adequacy` stays. */
function fieldKind(path: Path): string {
  return path.filter((segment) => typeof segment === 'string').join('.');
}

interface Checked {
  readonly heldAt: DateTime;
  readonly meeting: { date: string; time: string };
  readonly attendees: ResolvedAttendee[];
  readonly notes: ReadonlyMap<string, string>;
  readonly categories: ReadonlyMap<number, DecisionCategory>;
  readonly decisionInputs: ReadonlyMap<number, string>;
  /** Ref (lower case) → index of the decision. */
  readonly refs: ReadonlyMap<string, number>;
  readonly owners: ReadonlyMap<number, Person>;
}

/**
 * The checks that relate the text to the programme and the cycle. Returns what it resolved, or
 * undefined when something could not be resolved (the problem is reported either way).
 */
function checkMeaning(
  raw: unknown,
  ctx: MinutesContext,
  problem: (path: Path, message: string) => void,
): Checked | undefined {
  const { programme } = ctx;
  const zone = programme.organisation.timeZone;
  const now = DateTime.fromJSDate(ctx.now, { zone });
  const today = now.toISODate()!;
  const top = asObject(raw) ?? {};
  let complete = true;

  // The review these minutes are for.
  const cycleField = asText(top.cycle);
  if (cycleField !== undefined && cycleField !== ctx.cycle.id) {
    problem(
      ['cycle'],
      `these minutes say they are for review ${cycleField}, but they were submitted for ${ctx.cycle.id}; ` +
        'check that you are answering the right review, or correct the line',
    );
  }

  // When the meeting was held.
  const meeting = asObject(top.meeting) ?? {};
  const date = asText(meeting.date);
  const time = asText(meeting.time);
  let heldAt: DateTime | undefined;
  if (date !== undefined && !isRealDate(date)) {
    problem(['meeting', 'date'], `${showValue(date)} is not a date; write yyyy-mm-dd, e.g. ${today}`);
  }
  const clock = time === undefined ? undefined : TIME.exec(time);
  if (time !== undefined && !clock) {
    problem(
      ['meeting', 'time'],
      `${showValue(time)} is not a time; write hh:mm on the 24-hour clock, e.g. 09:30`,
    );
  }
  if (date !== undefined && isRealDate(date) && clock) {
    const [hour, minute] = [Number(clock[1]), Number(clock[2])];
    const local = DateTime.fromISO(date, { zone }).set({ hour, minute });
    const written = `${date} ${time}`;
    const opened = DateTime.fromISO(ctx.cycle.openedAt, { zone });
    if (local.hour !== hour || local.minute !== minute) {
      problem(
        ['meeting', 'time'],
        `${written} does not exist in ${zone} (the clocks went forward that night); write the time the clocks showed`,
      );
    } else if (local > now) {
      problem(
        ['meeting', 'date'],
        `${written} (${zone}) is in the future (it is now ${now.toFormat('yyyy-MM-dd HH:mm')}); write when the meeting was held`,
      );
    } else if (local < opened) {
      problem(
        ['meeting', 'date'],
        `${written} (${zone}) is before review ${ctx.cycle.id} opened (${opened.toFormat('yyyy-MM-dd HH:mm')}); ` +
          "write when this review's meeting was held",
      );
    } else {
      heldAt = local;
    }
  }

  // Who attended.
  const attendees: ResolvedAttendee[] = [];
  const firstListed = new Map<string, number>();
  asList(top.attendees).forEach((value, index) => {
    const entry = asObject(value);
    if (!entry) return;
    const at = (field: string): Path => ['attendees', index, field];
    const written = asText(entry.person);
    let person: Person | undefined;
    let maybe: Person[] = [];
    if (written !== undefined) {
      person = findPerson(programme, written);
      if (!person) {
        maybe = closestPeople(programme, written);
        problem(at('person'), unknownPerson(programme, written));
      } else if (firstListed.has(person.id)) {
        problem(
          at('person'),
          `${describe(person)} is listed twice (also attendees[${firstListed.get(person.id)}]); list each person once`,
        );
      } else firstListed.set(person.id, index);
    }
    const statusText = asText(entry.status)?.toLowerCase();
    const status =
      statusText === 'present' || statusText === 'absent' || statusText === 'proxy' ? statusText : undefined;
    const who = person ? describe(person) : (written ?? `attendees[${index}]`);
    const proxyWritten = asText(entry.proxyFor);
    let proxyFor: Person | undefined;
    if (proxyWritten !== undefined) {
      proxyFor = findPerson(programme, proxyWritten);
      if (!proxyFor) problem(at('proxyFor'), unknownPerson(programme, proxyWritten));
      else if (status !== undefined && status !== 'proxy') {
        problem(
          at('proxyFor'),
          `only a proxy names someone in proxyFor, and ${who} is marked ${status}; write "status: proxy" or remove proxyFor`,
        );
      } else if (person && proxyFor.id === person.id) {
        problem(at('proxyFor'), `${who} cannot stand in for themselves; name the person they stood in for`);
      }
    } else if (status === 'proxy') {
      problem(
        at('proxyFor'),
        `is missing; ${who} attended as a proxy: write whom they stood in for (proxyFor: <id or email>)`,
      );
    }
    attendees.push({ index, person, maybe, status, proxyFor, role: asText(entry.role) });
  });
  for (const attendee of attendees) {
    const represented = attendee.proxyFor;
    if (!represented || attendee.status !== 'proxy') continue;
    const alsoPresent = attendees.find(
      (other) => other.person?.id === represented.id && other.status === 'present',
    );
    if (alsoPresent) {
      problem(
        ['attendees', attendee.index, 'proxyFor'],
        `${describe(represented)} is listed as present (attendees[${alsoPresent.index}]); a proxy stands in ` +
          'for someone who did not attend: correct the status of one of them',
      );
    }
  }
  const { chair, members } = topManagement(programme);
  const topIds = new Set([chair.id, ...members.map((member) => member.id)]);
  if (asList(top.attendees).length > 0) {
    const inPerson = attendees.some(
      (attendee) => attendee.person && topIds.has(attendee.person.id) && attendee.status === 'present',
    );
    // Whether top management attended is unknown while a member is listed without a valid status,
    // or someone present is not found and is probably a member: those problems are reported instead.
    const undecided = attendees.some(
      (attendee) =>
        (attendee.person && topIds.has(attendee.person.id) && attendee.status === undefined) ||
        (!attendee.person &&
          attendee.status !== 'absent' &&
          attendee.maybe.some((person) => topIds.has(person.id))),
    );
    if (!inPerson && !undecided) {
      const names = [chair, ...members].map(
        (person) => `${person.name} (${person.id}${person.id === chair.id ? ', chair' : ''})`,
      );
      const proxies = attendees.filter(
        (attendee) => attendee.status === 'proxy' && attendee.proxyFor && topIds.has(attendee.proxyFor.id),
      );
      const proxyNote = proxies.length
        ? `; a proxy does not count: ${proxies
            .map(
              (attendee) => `${attendee.person?.name ?? 'someone'} stood in for ${attendee.proxyFor!.name}`,
            )
            .join(', ')}`
        : ' (a proxy does not count)';
      problem(
        ['attendees'],
        `no member of top management attended in person${proxyNote}. Top management is ${inWords(names)}: ` +
          'mark those who attended as present. Clause 9.3 asks top management itself to review the ISMS',
      );
    }
  }
  if (attendees.some((attendee) => !attendee.person || !attendee.status)) complete = false;

  // Inputs considered.
  const keyOf = new Map(ctx.catalogueKeys.map((key) => [key.toLowerCase(), key]));
  const keyList = inWords([...ctx.catalogueKeys]);
  const considered = asObject(top.inputsConsidered);
  const notes = new Map<string, string>();
  if (considered) {
    const writtenAs = new Map<string, string>();
    for (const [written, value] of Object.entries(considered)) {
      const path: Path = ['inputsConsidered', written];
      const key = keyOf.get(written.trim().toLowerCase());
      if (key === undefined) {
        problem(
          path,
          `"${written}" is not an input of this review${didYouMean(written, ctx.catalogueKeys)}; its inputs are ${keyList}`,
        );
        continue;
      }
      if (writtenAs.has(key)) {
        problem(path, `input ${key} is listed twice (also as "${writtenAs.get(key)}"); list it once`);
        continue;
      }
      writtenAs.set(key, written);
      if (typeof value === 'string' && value.trim() !== '') notes.set(key, value.trim());
      else if (typeof value === 'number') notes.set(key, String(value));
      else if (value === null || value === undefined || typeof value === 'string') {
        problem(
          path,
          `has no note; input ${key} "${titleOf(key)}" must be recorded as considered: write what was ` +
            'considered, or "considered, nothing to report"',
        );
      } else {
        problem(path, `${showValue(value)} is not a note; write what was considered as text`);
      }
    }
    for (const key of ctx.catalogueKeys) {
      if (writtenAs.has(key)) continue;
      problem(
        ['inputsConsidered'],
        `input ${key} "${titleOf(key)}" is not recorded as considered; add the line "${key}: <what was ` +
          `considered>", or "${key}: considered, nothing to report"`,
      );
    }
  }
  if (notes.size !== ctx.catalogueKeys.length) complete = false;

  // Decisions.
  const refs = new Map<string, number>();
  const categories = new Map<number, DecisionCategory>();
  const decisionInputs = new Map<number, string>();
  const decisions = top.decisions === null ? [] : asList(top.decisions);
  decisions.forEach((value, index) => {
    const entry = asObject(value);
    if (!entry) return;
    const at = (field: string): Path => ['decisions', index, field];
    const ref = asLabel(entry.ref);
    if (ref !== undefined) {
      if (!DECISION_REF.test(ref)) {
        problem(
          at('ref'),
          `${showValue(ref)} is not a short label; use letters, digits, ".", "_" or "-" (at most 16), e.g. D1`,
        );
      } else if (refs.has(ref.toLowerCase())) {
        problem(
          at('ref'),
          `"${ref}" is used twice (also decisions[${refs.get(ref.toLowerCase())}]); give each decision its own ref`,
        );
      } else refs.set(ref.toLowerCase(), index);
    }
    const category = asText(entry.category);
    if (category !== undefined) {
      const known = decisionCategoryOf(category);
      if (known) categories.set(index, known);
      else {
        problem(
          at('category'),
          `${showValue(category)} is not a decision category${didYouMean(category, decisionCategoryNames())}; ` +
            `expected one of: ${CATEGORY_CHOICES}`,
        );
      }
    }
    const input = asText(entry.input);
    if (input !== undefined) {
      const key = keyOf.get(input.toLowerCase());
      if (key === undefined) {
        problem(
          at('input'),
          `"${input}" is not an input of this review${didYouMean(input, ctx.catalogueKeys)}; its inputs are ${keyList}`,
        );
      } else decisionInputs.set(index, key);
    }
  });
  if (categories.size !== decisions.length || refs.size !== decisions.length) complete = false;

  // Actions.
  const owners = new Map<number, Person>();
  const writtenRefs = decisions
    .map((value) => asLabel(asObject(value)?.ref))
    .filter((ref): ref is string => ref !== undefined);
  const actions = top.actions === null ? [] : asList(top.actions);
  actions.forEach((value, index) => {
    const entry = asObject(value);
    if (!entry) return;
    const at = (field: string): Path => ['actions', index, field];
    const owner = asText(entry.owner);
    if (owner !== undefined) {
      const person = findPerson(programme, owner);
      if (person) owners.set(index, person);
      else problem(at('owner'), unknownPerson(programme, owner));
    }
    const due = asText(entry.due);
    if (due !== undefined) {
      if (!isRealDate(due)) {
        problem(
          at('due'),
          `${showValue(due)} is not a date; write the due date as yyyy-mm-dd, e.g. ${now.plus({ days: 30 }).toISODate()}`,
        );
      } else if (due < today) {
        problem(
          at('due'),
          `${due} is in the past (today is ${today} in ${zone}); give a due date from today on`,
        );
      }
    }
    const decision = asLabel(entry.decision);
    if (decision !== undefined && !refs.has(decision.toLowerCase())) {
      problem(
        at('decision'),
        writtenRefs.length === 0
          ? `"${decision}" is not a decision of these minutes: they record no decisions; add the decision under decisions, or remove this line`
          : `"${decision}" is not a decision of these minutes${didYouMean(decision, writtenRefs)}; its decisions are ${inWords(writtenRefs)}`,
      );
    }
  });
  if (owners.size !== actions.length) complete = false;

  if (!heldAt || !date || !time || !complete) return undefined;
  return { heldAt, meeting: { date, time }, attendees, notes, categories, decisionInputs, refs, owners };
}

/** The validated minutes in the model's types (only called when nothing was wrong). */
function build(document: MinutesDocument, checked: Checked, ctx: MinutesContext): ValidMinutes {
  const { programme } = ctx;
  const { chair, members } = topManagement(programme);
  const topIds = new Set([chair.id, ...members.map((member) => member.id)]);
  const first = ctx.firstDecisionNumber ?? 1;
  const decisionIds = document.decisions.map((_, index) => decisionIdFor(ctx.cycle.id, first + index));
  const attendance: Attendance[] = checked.attendees.map((attendee) => {
    const person = attendee.person!;
    const role = attendee.role ?? (person.id === chair.id ? `Chair, ${person.role}` : person.role);
    return {
      personId: person.id,
      role,
      topManagement: topIds.has(person.id),
      status: attendee.status!,
      ...(attendee.proxyFor ? { proxyFor: attendee.proxyFor.id } : {}),
    };
  });
  const [hour, minute] = checked.meeting.time.split(':');
  return ValidMinutes.parse({
    cycleId: ctx.cycle.id,
    heldAt: checked.heldAt.toUTC().toISO(),
    meeting: {
      date: checked.meeting.date,
      time: `${hour!.padStart(2, '0')}:${minute}`,
      timeZone: programme.organisation.timeZone,
    },
    attendance,
    inputsConsidered: ctx.catalogueKeys.map((key) => ({
      key,
      title: titleOf(key),
      note: checked.notes.get(key),
    })),
    decisions: document.decisions.map((decision, index) => ({
      id: decisionIds[index],
      category: checked.categories.get(index),
      text: decision.text.trim(),
      ...(checked.decisionInputs.has(index) ? { inputKey: checked.decisionInputs.get(index) } : {}),
    })),
    decisionRefs: Object.fromEntries(
      document.decisions.map((decision, index) => [decisionIds[index], decision.ref.trim()]),
    ),
    actions: document.actions.map((action, index) => {
      const decisionIndex =
        action.decision === undefined || action.decision === null
          ? undefined
          : checked.refs.get(action.decision.trim().toLowerCase());
      const description = action.description?.trim();
      return {
        title: action.title.trim(),
        ...(description ? { description } : {}),
        ownerId: checked.owners.get(index)!.id,
        dueDate: action.due.trim(),
        corrective: action.corrective ?? false,
        ...(decisionIndex === undefined
          ? {}
          : {
              decisionId: decisionIds[decisionIndex],
              ...(checked.decisionInputs.has(decisionIndex)
                ? { inputKey: checked.decisionInputs.get(decisionIndex) }
                : {}),
            }),
      };
    }),
    assessment: Object.fromEntries(
      ASSESSMENT_ASPECTS.map((aspect) => [
        aspect,
        {
          verdict: document.assessment[aspect].verdict,
          rationale: document.assessment[aspect].rationale.trim(),
        },
      ]),
    ),
    ...(document.replaces ? { replaces: document.replaces } : {}),
  });
}

/**
 * The version the text says it replaces (`replaces: n`), read without validating anything else;
 * undefined when it says none or cannot be read.
 */
export function declaredReplaces(text: string): number | undefined {
  const doc = parseDocument(text.replace(ODD_SPACES, ' '), { version: '1.2', prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  try {
    const value = asObject(doc.toJS({ maxAliasCount: 50 }))?.replaces;
    return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(top level)' : out;
}

function format(problems: readonly Problem[], doc: Document, lineCounter: LineCounter): string[] {
  const far = Number.MAX_SAFE_INTEGER;
  return problems
    .map((entry, index) => ({ entry, index, line: positionOf(doc, lineCounter, entry.path) }))
    .sort((a, b) => (a.line ?? far) - (b.line ?? far) || a.index - b.index)
    .map(
      ({ entry, line }) =>
        `${line === undefined ? '' : `line ${line} `}${formatPath(entry.path)}: ${entry.message}`,
    );
}

/**
 * The line of a field: its name's line when it exists, else the line of the deepest part of the
 * path that exists (the list item, or the parent field's name, where the missing field belongs).
 */
function positionOf(doc: Document, lineCounter: LineCounter, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let best: Node | undefined = hasRange(node) ? node : undefined;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      if (hasRange(pair.key)) best = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (!hasRange(node)) break;
      best = node;
    } else break;
  }
  return best?.range ? lineCounter.linePos(best.range[0]).line : undefined;
}

function hasRange(value: unknown): value is Node {
  return (isMap(value) || isSeq(value) || isScalar(value) || isAlias(value)) && Array.isArray(value.range);
}
