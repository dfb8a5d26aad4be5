/** IANA time zone names, as EventBridge Scheduler and luxon accept them. */
import { IANAZone } from 'luxon';
import { closest } from './suggest.ts';

/** Segments start with a capital letter, as IANA writes them: "Europe/London", "UTC", "Etc/GMT+5". */
const IANA_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;

export function isIanaTimeZone(name: string): boolean {
  return IANA_SHAPE.test(name) && IANAZone.isValidZone(name);
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
