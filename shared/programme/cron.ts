/**
 * EventBridge Scheduler cron expressions, evaluated in an IANA time zone.
 *
 *   cron(minutes hours day-of-month month day-of-week year)
 *
 * | field        | values              | wildcards       |
 * | ------------ | ------------------- | --------------- |
 * | minutes      | 0-59                | , - * /         |
 * | hours        | 0-23                | , - * /         |
 * | day-of-month | 1-31                | , - * ? / L W   |
 * | month        | 1-12 or JAN-DEC     | , - * /         |
 * | day-of-week  | 1-7 or SUN-SAT      | , - * ? L #     |
 * | year         | 1970-2199           | , - * /         |
 *
 * One of day-of-month and day-of-week must be `?` and the other must not. `L` alone is the last
 * day of the month (day-of-month) or Saturday (day-of-week); `5L` is the last Thursday of the
 * month; `LW` the last weekday of the month; `15W` the weekday nearest the 15th, within the month;
 * `2#1` the first Monday. `L`, `W` and `#` stand alone in their field. Ranges do not wrap around.
 *
 * Daylight saving, as EventBridge Scheduler does it: the expression is matched against the local
 * wall clock, so a 09:00 schedule stays at 09:00 local time all year. A local time that does not
 * exist (skipped when clocks go forward) has no occurrence that day. A local time that happens
 * twice (clocks go back) occurs once, at its first instant (the earlier UTC time).
 */
import { DateTime, IANAZone } from 'luxon';

export class InvalidCron extends Error {
  override name = 'InvalidCron' as const;
  constructor(
    readonly expression: string,
    /** What is wrong, without the expression, e.g. `minutes "75" is out of range; expected 0-59`. */
    readonly reason: string,
  ) {
    super(`"${expression}" is not a valid cron expression: ${reason}`);
  }
}

/** Thrown inside the parser; parseCron turns it into InvalidCron with the expression. */
class CronReason extends Error {
  override name = 'CronReason' as const;
}

export class UnknownTimeZone extends Error {
  override name = 'UnknownTimeZone' as const;
  constructor(readonly timeZone: string) {
    super(`"${timeZone}" is not an IANA time zone; expected a name like Europe/London`);
  }
}

export type DayOfMonthRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  | { readonly kind: 'last' }
  | { readonly kind: 'last-weekday' }
  | { readonly kind: 'nearest-weekday'; readonly day: number };

/** Days of week are 1 (Sunday) to 7 (Saturday), as in EventBridge. */
export type DayOfWeekRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  | { readonly kind: 'last-of-month'; readonly day: number }
  | { readonly kind: 'nth'; readonly day: number; readonly nth: number };

export interface CronExpression {
  readonly source: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly dayOfMonth: DayOfMonthRule;
  readonly months: readonly number[];
  readonly dayOfWeek: DayOfWeekRule;
  readonly years: readonly number[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly rangeText: string;
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59, rangeText: '0-59' },
  hours: { name: 'hours', min: 0, max: 23, rangeText: '0-23' },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, rangeText: '1-31' },
  month: { name: 'month', min: 1, max: 12, names: MONTHS, rangeText: '1-12 or JAN-DEC' },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, rangeText: '1-7 or SUN-SAT' },
  year: { name: 'year', min: MIN_YEAR, max: MAX_YEAR, rangeText: `${MIN_YEAR}-${MAX_YEAR}` },
} as const satisfies Record<string, FieldSpec>;

const SHAPE =
  'expected cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 9 1 1,4,7,10 ? *)';

function fail(reason: string): never {
  throw new CronReason(reason);
}

function value(token: string, spec: FieldSpec): number {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(token)) fail(`${spec.name} "${token}" is not a value; expected ${spec.rangeText}`);
  const number = Number(token);
  if (number < spec.min || number > spec.max) {
    fail(`${spec.name} "${token}" is out of range; expected ${spec.rangeText}`);
  }
  return number;
}

/** A list of values, ranges, `*` and steps, e.g. "1,15", "MON-FRI", "0/15", "*". */
function valueSet(field: string, spec: FieldSpec): number[] {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    if (part === '') fail(`${spec.name} "${field}" has an empty list item; expected ${spec.rangeText}`);
    const [base = '', step, extra] = part.split('/');
    if (extra !== undefined) fail(`${spec.name} "${part}" has more than one "/"`);
    let from: number;
    let to: number;
    if (base === '*') {
      from = spec.min;
      to = spec.max;
    } else if (base.includes('-')) {
      const [a = '', b = '', more] = base.split('-');
      if (more !== undefined) fail(`${spec.name} "${base}" is not a range; expected start-end`);
      from = value(a, spec);
      to = value(b, spec);
      if (from > to) fail(`${spec.name} range "${base}" runs backwards; expected start <= end`);
    } else {
      from = value(base, spec);
      to = step === undefined ? from : spec.max;
    }
    let increment = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1) {
        fail(`${spec.name} step "/${step}" is not a positive whole number`);
      }
      increment = Number(step);
    }
    for (let n = from; n <= to; n += increment) out.add(n);
  }
  return [...out].sort((x, y) => x - y);
}

function plainField(field: string, spec: FieldSpec): number[] {
  const bad = field.match(/[^0-9A-Za-z,\-*/]/);
  if (bad || field.includes('?')) {
    fail(`${spec.name} "${field}" uses "${bad?.[0] ?? '?'}", which that field does not allow`);
  }
  if (/[LW#]/.test(field.replace(/[A-Za-z]{3}/g, ''))) {
    fail(`${spec.name} "${field}" uses L, W or #, which only the day fields allow`);
  }
  return valueSet(field, spec);
}

function dayOfMonthRule(field: string): DayOfMonthRule {
  const spec = FIELDS.dayOfMonth;
  if (field === '?') return { kind: 'any' };
  const upper = field.toUpperCase();
  if (upper === 'L') return { kind: 'last' };
  if (upper === 'LW') return { kind: 'last-weekday' };
  const nearest = upper.match(/^(\d+)W$/);
  if (nearest?.[1] !== undefined) return { kind: 'nearest-weekday', day: value(nearest[1], spec) };
  if (/[LW]/.test(upper)) {
    fail(`day-of-month "${field}" is not valid; L, LW and nW (e.g. 15W) stand alone in the field`);
  }
  if (/[#]/.test(field)) fail(`day-of-month "${field}" uses "#", which only day-of-week allows`);
  return { kind: 'days', days: plainField(field, spec) };
}

function dayOfWeekRule(field: string): DayOfWeekRule {
  const spec = FIELDS.dayOfWeek;
  if (field === '?') return { kind: 'any' };
  const upper = field.toUpperCase();
  if (upper === 'L') return { kind: 'days', days: [7] };
  const last = upper.match(/^([0-9A-Z]+?)L$/);
  if (last?.[1] !== undefined && !upper.includes(',') && !upper.includes('-')) {
    return { kind: 'last-of-month', day: value(last[1], spec) };
  }
  if (upper.includes('#')) {
    const nth = upper.match(/^([0-9A-Z]+)#(\d+)$/);
    if (!nth?.[1] || !nth[2]) {
      fail(`day-of-week "${field}" is not valid; "#" takes one day and one number, e.g. 2#1 (first Monday)`);
    }
    const n = Number(nth[2]);
    if (n < 1 || n > 5) fail(`day-of-week "${field}": the week number after "#" must be 1-5`);
    return { kind: 'nth', day: value(nth[1], spec), nth: n };
  }
  if (upper.includes('/')) fail(`day-of-week "${field}" uses "/", which day-of-week does not allow`);
  if (/L/.test(upper.replace(/[A-Z]{3}/g, ''))) {
    fail(`day-of-week "${field}" is not valid; L and nL (e.g. 6L, last Friday) stand alone in the field`);
  }
  return { kind: 'days', days: plainField(field, spec) };
}

/** Parses `cron(...)`; throws InvalidCron with a reason that says what is wrong. */
export function parseCron(expression: string): CronExpression {
  try {
    return parseFields(expression);
  } catch (error) {
    if (error instanceof CronReason) throw new InvalidCron(expression, error.message);
    throw error;
  }
}

function parseFields(expression: string): CronExpression {
  const match = expression.trim().match(/^cron\((.*)\)$/s);
  if (!match?.[1]) fail(`it is not of the form cron(...); ${SHAPE}`);
  const fields = match[1].trim().split(/\s+/);
  if (fields.length !== 6) fail(`it has ${fields.length} fields, not 6; ${SHAPE}`);
  const [min = '', hour = '', dom = '', month = '', dow = '', year = ''] = fields;
  if ((dom === '?') === (dow === '?')) {
    fail(
      `exactly one of day-of-month ("${dom}") and day-of-week ("${dow}") must be "?", ` +
        'e.g. cron(0 9 1 * ? *) or cron(0 9 ? * MON *)',
    );
  }
  return {
    source: expression.trim(),
    minutes: plainField(min, FIELDS.minutes),
    hours: plainField(hour, FIELDS.hours),
    dayOfMonth: dayOfMonthRule(dom),
    months: plainField(month, FIELDS.month),
    dayOfWeek: dayOfWeekRule(dow),
    years: plainField(year, FIELDS.year),
  };
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (Sunday) to 7 (Saturday). */
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWeekday = (year: number, month: number, day: number) => {
  const weekday = weekdayOf(year, month, day);
  return weekday !== 1 && weekday !== 7;
};

function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const length = daysIn(year, month);
  if (day > length) return undefined;
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day > 1 ? day - 1 : day + 2; // Saturday: Friday, or Monday if the 1st
  if (weekday === 1) return day < length ? day + 1 : day - 2; // Sunday: Monday, or Friday if the last
  return day;
}

/** Whether the calendar date matches the day-of-month, month, day-of-week and year fields. */
export function dateMatches(cron: CronExpression, year: number, month: number, day: number): boolean {
  if (!cron.years.includes(year) || !cron.months.includes(month)) return false;
  const length = daysIn(year, month);
  if (day < 1 || day > length) return false;
  const dom = cron.dayOfMonth;
  switch (dom.kind) {
    case 'days':
      if (!dom.days.includes(day)) return false;
      break;
    case 'last':
      if (day !== length) return false;
      break;
    case 'last-weekday': {
      let last = length;
      while (!isWeekday(year, month, last)) last -= 1;
      if (day !== last) return false;
      break;
    }
    case 'nearest-weekday':
      if (nearestWeekday(year, month, dom.day) !== day) return false;
      break;
    case 'any':
      break;
  }
  const dow = cron.dayOfWeek;
  const weekday = weekdayOf(year, month, day);
  switch (dow.kind) {
    case 'days':
      return dow.days.includes(weekday);
    case 'last-of-month':
      return weekday === dow.day && day + 7 > length;
    case 'nth':
      return weekday === dow.day && Math.ceil(day / 7) === dow.nth;
    case 'any':
      return true;
  }
}

/** Whether the instant, seen on the wall clock of `timeZone`, matches the expression. */
export function cronMatches(cron: CronExpression, instant: Date, timeZone: string): boolean {
  const local = DateTime.fromJSDate(instant, { zone: zoneOf(timeZone) });
  return (
    local.second === 0 &&
    local.millisecond === 0 &&
    cron.minutes.includes(local.minute) &&
    cron.hours.includes(local.hour) &&
    dateMatches(cron, local.year, local.month, local.day)
  );
}

export function zoneOf(timeZone: string): IANAZone {
  if (!IANAZone.isValidZone(timeZone)) throw new UnknownTimeZone(timeZone);
  return IANAZone.create(timeZone);
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The UTC instant at which the zone's wall clock shows the given local time: the first such
 * instant if the time happens twice, undefined if the time is skipped.
 */
export function instantOfLocal(
  zone: IANAZone,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number | undefined {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsets = new Set([zone.offset(wall - DAY_MS), zone.offset(wall), zone.offset(wall + DAY_MS)]);
  const instants = [...offsets]
    .map((offset) => wall - offset * MINUTE_MS)
    .filter((instant) => instant === wall - zone.offset(instant) * MINUTE_MS);
  return instants.length === 0 ? undefined : Math.min(...instants);
}

/**
 * The zone's UTC offset (minutes) if it is the same from a day before to two days after the local
 * date, so every local time that day maps to exactly one instant; undefined near a clock change.
 * (Clock changes are months apart in every zone; two within a day of each other are not handled.)
 */
function steadyOffset(
  offsetAt: (at: number) => number,
  year: number,
  month: number,
  day: number,
): number | undefined {
  const midnight = Date.UTC(year, month - 1, day);
  const offset = offsetAt(midnight);
  for (const at of [midnight - DAY_MS, midnight + DAY_MS, midnight + 2 * DAY_MS]) {
    if (offsetAt(at) !== offset) return undefined;
  }
  return offset;
}

/**
 * The next `count` occurrences strictly after `after`, in increasing order, as UTC instants.
 * Fewer are returned when the expression runs out (its years end).
 */
export function nextOccurrences(
  expression: string | CronExpression,
  timeZone: string,
  after: Date,
  count: number,
): Date[] {
  const cron = typeof expression === 'string' ? parseCron(expression) : expression;
  const zone = zoneOf(timeZone);
  const out: Date[] = [];
  if (count <= 0) return out;
  const afterMs = after.getTime();
  // Consecutive days sample the same midnights: ask the zone once per instant.
  const sampled = new Map<number, number>();
  const offsetAt = (at: number) => {
    let offset = sampled.get(at);
    if (offset === undefined) sampled.set(at, (offset = zone.offset(at)));
    return offset;
  };
  // Start a day early in local time so that nothing between midnight UTC and local midnight is missed.
  const start = DateTime.fromMillis(afterMs - DAY_MS, { zone });
  for (const year of cron.years) {
    if (year < start.year) continue;
    for (const month of cron.months) {
      if (year === start.year && month < start.month) continue;
      const length = daysIn(year, month);
      for (let day = 1; day <= length; day += 1) {
        if (!dateMatches(cron, year, month, day)) continue;
        const instants: number[] = [];
        const steady = steadyOffset(offsetAt, year, month, day);
        for (const hour of cron.hours) {
          for (const minute of cron.minutes) {
            const instant =
              steady === undefined
                ? instantOfLocal(zone, year, month, day, hour, minute)
                : Date.UTC(year, month - 1, day, hour, minute) - steady * MINUTE_MS;
            if (instant !== undefined && instant > afterMs) instants.push(instant);
          }
        }
        for (const instant of instants.sort((a, b) => a - b)) {
          const previous = out[out.length - 1];
          if (previous && previous.getTime() >= instant) continue;
          out.push(new Date(instant));
          if (out.length === count) return out;
        }
      }
    }
  }
  return out;
}

/** Whether the expression has an occurrence within `years` years after `after`. */
export function firesWithin(
  expression: CronExpression,
  timeZone: string,
  after: Date,
  years: number,
): boolean {
  const next = nextOccurrences(expression, timeZone, after, 1)[0];
  if (!next) return false;
  const limit = DateTime.fromJSDate(after, { zone: zoneOf(timeZone) }).plus({ years });
  return next.getTime() <= limit.toMillis();
}
