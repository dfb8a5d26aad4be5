/** Times people type in a form (`yyyy-mm-ddTHH:MM`, the browser's datetime-local), read in a time zone. */
import { DateTime } from 'luxon';

/** The text is not a time that exists in the zone. */
export class BadLocalTime extends Error {
  override name = 'BadLocalTime' as const;
}

/** The UTC instant (ISO) of a local date and time in `timeZone`; BadLocalTime saying what to type. */
export function utcOfLocal(text: string, timeZone: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(text.trim());
  if (!match) {
    throw new BadLocalTime(
      'the new meeting time is not a date and time; expected yyyy-mm-dd HH:MM, e.g. 2027-04-02 14:00',
    );
  }
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const local = DateTime.fromObject({ year, month, day, hour, minute }, { zone: timeZone });
  if (!local.isValid) {
    throw new BadLocalTime(`${text.trim()} is not a real date and time; check the day and the hour`);
  }
  if (
    local.year !== year ||
    local.month !== month ||
    local.day !== day ||
    local.hour !== hour ||
    local.minute !== minute
  ) {
    throw new BadLocalTime(
      `${text.trim()} does not exist in ${timeZone}: the clocks go forward then; choose another time`,
    );
  }
  return local.toUTC().toISO({ suppressMilliseconds: false }) ?? '';
}
