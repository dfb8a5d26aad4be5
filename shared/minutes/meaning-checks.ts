/**
 * The checks that relate the minutes to the programme and the cycle, part by part: the review they
 * are for, when the meeting was held and that it could have ended, who attended
 * (attendance-checks.ts), the inputs considered, the decisions and the actions, and what the notes
 * and the clause 9.3.3 outcomes must say (consideration-checks.ts). Every problem is reported; what
 * could be resolved is returned.
 */
import { DateTime } from 'luxon';
import type { DecisionCategory } from '../model/meeting.ts';
import {
  CATEGORY_CHOICES,
  decisionCategoryNames,
  decisionCategoryOf,
  DECISION_REF,
  showValue,
} from '../model/minutes.ts';
import { findPerson, unknownPerson } from '../programme/people.ts';
import { meetingMinutesOf } from '../programme/queries.ts';
import type { Person } from '../programme/schema.ts';
import { didYouMean } from '../programme/suggest.ts';
import { checkAttendees, type ResolvedAttendee } from './attendance-checks.ts';
import { checkConsideration, checkOutcomes } from './consideration-checks.ts';
import {
  asLabel,
  asList,
  asObject,
  asText,
  forEachEntry,
  inWords,
  isRealDate,
  titleOf,
  type MinutesContext,
  type Path,
  type Reading,
} from './reading.ts';
import { zoneInWords } from '../mail/templates/format.ts';

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/**
 * How much earlier than planned a meeting may have been held. A meeting moved to another day is
 * moved in the review (its planned time changes), so the minutes of a meeting held days before the
 * planned time are of some other meeting; a day covers a meeting brought forward at short notice.
 */
const HELD_EARLY_TOLERANCE = { days: 1 } as const;

/** A moment as the messages show it: 2026-10-29 09:30. */
const shown = (at: DateTime) => at.toFormat('yyyy-MM-dd HH:mm');

/** What the checks resolved, for building the valid minutes. */
export interface Checked {
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
export function checkMeaning(
  raw: unknown,
  ctx: MinutesContext,
  problem: (path: Path, message: string) => void,
): Checked | undefined {
  const zone = ctx.programme.organisation.timeZone;
  const now = DateTime.fromJSDate(ctx.now, { zone });
  const reading: Reading = { ctx, top: asObject(raw) ?? {}, zone, now, today: now.toISODate()!, problem };
  checkCycle(reading);
  checkSentAfterMeeting(reading);
  const { date, time, heldAt } = checkMeeting(reading);
  const attendance = checkAttendees(reading);
  const inputs = checkInputsConsidered(reading);
  const decisions = checkDecisions(reading);
  checkConsideration(reading, { ...inputs, decisionInputs: decisions.decisionInputs });
  const actions = checkActions(reading, decisions.refs);
  checkOutcomes(reading);
  const complete = attendance.complete && inputs.complete && decisions.complete && actions.complete;
  if (!heldAt || !date || !time || !complete) return undefined;
  return {
    heldAt,
    meeting: { date, time },
    attendees: attendance.attendees,
    notes: inputs.notes,
    categories: decisions.categories,
    decisionInputs: decisions.decisionInputs,
    refs: decisions.refs,
    owners: actions.owners,
  };
}

/** The review these minutes are for. */
function checkCycle(reading: Reading): void {
  const { ctx, top, problem } = reading;
  const cycleField = asText(top.cycle);
  if (cycleField !== undefined && cycleField !== ctx.cycle.id) {
    problem(
      ['cycle'],
      `these minutes say they are for review ${cycleField}, but they were submitted for ${ctx.cycle.id}; ` +
        'check that you are answering the right review, or correct the line',
    );
  }
}

/**
 * Minutes are of a meeting that has ended: they are not sent before the meeting's planned start plus
 * its planned length (a meeting moved is planned at its new time).
 */
function checkSentAfterMeeting(reading: Reading): void {
  const { ctx, zone, now, problem } = reading;
  const length = meetingMinutesOf(ctx.programme, ctx.cycle.type);
  const start = DateTime.fromISO(ctx.cycle.plannedMeetingAt, { zone });
  const end = start.plus({ minutes: length });
  if (now < end) {
    problem(
      [],
      `these minutes were sent at ${shown(now)} ${zoneInWords(zone)}, before the meeting planned for ${shown(start)} ` +
        `could have ended (it is planned to last ${length} minutes); send them from ${shown(end)} ${zoneInWords(zone)} on`,
    );
  }
}

/**
 * When the meeting was held: a real date and time, after the review opened, not more than a day
 * before the planned meeting and not in the future.
 */
function checkMeeting(reading: Reading): { date?: string; time?: string; heldAt?: DateTime } {
  const { ctx, top, zone, now, today, problem } = reading;
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
    const planned = DateTime.fromISO(ctx.cycle.plannedMeetingAt, { zone });
    if (local.hour !== hour || local.minute !== minute) {
      problem(
        ['meeting', 'time'],
        `${written} does not exist in ${zoneInWords(zone)} (the clocks went forward that night); write the time the clocks showed`,
      );
    } else if (local > now) {
      problem(
        ['meeting', 'date'],
        `${written} ${zoneInWords(zone)} is in the future (it is now ${shown(now)}); write when the meeting was held`,
      );
    } else if (local < opened) {
      problem(
        ['meeting', 'date'],
        `${written} ${zoneInWords(zone)} is before review ${ctx.cycle.id} opened (${shown(opened)}); ` +
          "write when this review's meeting was held",
      );
    } else if (local < planned.minus(HELD_EARLY_TOLERANCE)) {
      problem(
        ['meeting', 'date'],
        `${written} ${zoneInWords(zone)} is more than a day before the meeting of review ${ctx.cycle.id}, planned for ` +
          `${shown(planned)}; write when this review's meeting was held (a meeting brought forward is moved ` +
          'in the review, with "isms-review cycle move", before it is held)',
      );
    } else {
      heldAt = local;
    }
  }
  return { date, time, heldAt };
}

/**
 * Reads an input key as written (any case, outer space) into the catalogue's key, or reports that
 * the review has no such input.
 */
function inputKeyReader(reading: Reading): (written: string, path: Path) => string | undefined {
  const { ctx, problem } = reading;
  const keyOf = new Map(ctx.catalogueKeys.map((key) => [key.toLowerCase(), key]));
  const keyList = inWords([...ctx.catalogueKeys]);
  return (written, path) => {
    const key = keyOf.get(written.trim().toLowerCase());
    if (key === undefined) {
      problem(
        path,
        `"${written}" is not an input of this review${didYouMean(written, ctx.catalogueKeys)}; its inputs are ${keyList}`,
      );
    }
    return key;
  };
}

/** Every input of the catalogue recorded as considered, once, with a note. */
function checkInputsConsidered(reading: Reading): {
  notes: Map<string, string>;
  /** Input key → the key as written. */
  writtenAs: Map<string, string>;
  complete: boolean;
} {
  const { ctx, top, problem } = reading;
  const inputKey = inputKeyReader(reading);
  const considered = asObject(top.inputsConsidered);
  const notes = new Map<string, string>();
  const writtenAs = new Map<string, string>();
  if (considered) {
    for (const [written, value] of Object.entries(considered)) {
      const path: Path = ['inputsConsidered', written];
      const key = inputKey(written, path);
      if (key === undefined) continue;
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
      const status = ctx.inputStatuses?.[key];
      const missing = status === 'NOT_PROVIDED' || status === 'REQUESTED';
      problem(
        ['inputsConsidered'],
        `input ${key} "${titleOf(key)}" is not recorded as considered; add the line ` +
          (missing
            ? `"${key}: not provided; <what the meeting did about it>" (nobody provided it)`
            : `"${key}: <what was considered>", or "${key}: considered, nothing to report"`),
      );
    }
  }
  return { notes, writtenAs, complete: notes.size === ctx.catalogueKeys.length };
}

/** Each decision: a unique ref, a known category, and the input it is about, if any. */
function checkDecisions(reading: Reading): {
  refs: Map<string, number>;
  categories: Map<number, DecisionCategory>;
  decisionInputs: Map<number, string>;
  complete: boolean;
} {
  const { top, problem } = reading;
  const refs = new Map<string, number>();
  const categories = new Map<number, DecisionCategory>();
  const decisionInputs = new Map<number, string>();
  const inputKey = inputKeyReader(reading);
  const decisions = asList(top.decisions);
  forEachEntry(decisions, 'decisions', (entry, at, index) => {
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
      const key = inputKey(input, at('input'));
      if (key !== undefined) decisionInputs.set(index, key);
    }
  });
  return {
    refs,
    categories,
    decisionInputs,
    complete: categories.size === decisions.length && refs.size === decisions.length,
  };
}

/** Each action: a known owner, a real due date from today on, and a decision of these minutes. */
function checkActions(
  reading: Reading,
  refs: ReadonlyMap<string, number>,
): { owners: Map<number, Person>; complete: boolean } {
  const { ctx, top, zone, now, today, problem } = reading;
  const { programme } = ctx;
  const owners = new Map<number, Person>();
  const writtenRefs = asList(top.decisions)
    .map((value) => asLabel(asObject(value)?.ref))
    .filter((ref): ref is string => ref !== undefined);
  const actions = asList(top.actions);
  forEachEntry(actions, 'actions', (entry, at, index) => {
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
          `${due} is in the past (today is ${today}, ${zoneInWords(zone)}); give a due date from today on`,
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
  return { owners, complete: owners.size === actions.length };
}
