/** IANA time zone names, as EventBridge Scheduler and luxon accept them. */
import { IANAZone } from 'luxon';
import { closest } from './suggest.ts';

/** Segments start with a capital letter, as IANA writes them: "Europe/London", "UTC", "Etc/GMT+5". */
const IANA_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;

/** Answers already given: checking a zone builds an Intl.DateTimeFormat, which is slow to repeat. */
const checked = new Map<string, boolean>();
const MAX_CHECKED = 1000;

export function isIanaTimeZone(name: string): boolean {
  const known = checked.get(name);
  if (known !== undefined) return known;
  const valid = IANA_SHAPE.test(name) && IANAZone.isValidZone(name);
  if (checked.size < MAX_CHECKED) checked.set(name, valid);
  return valid;
}

let known: string[] | undefined;

/** The closest known time zone name to `typed` ("europe/londn", "London"), for a "did you mean" hint. */
export function suggestTimeZone(typed: string): string | undefined {
  known ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  const byName = closest(typed, known);
  if (byName) return byName;
  const cities = new Map(known.map((name) => [name.split('/').pop() ?? name, name]));
  const city = closest(typed.split('/').pop() ?? typed, cities.keys());
  return city === undefined ? undefined : cities.get(city);
}
