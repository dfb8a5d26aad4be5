/**
 * The calendar invitation for the review meeting (RFC 5545, METHOD:REQUEST). The UID is fixed per
 * cycle, so a moved meeting sends an update with the same UID and a higher SEQUENCE.
 *
 * With a time zone, the start is written in local time with TZID and the invitation carries a
 * VTIMEZONE giving that zone's UTC offsets (and daylight-saving changes) around the meeting, so
 * calendars show the meeting at the organisation's local time even across a DST change.
 */
import { DateTime } from 'luxon';

export interface MeetingInvitation {
  readonly uid: string;
  readonly sequence: number;
  readonly start: Date;
  /** IANA time zone of the meeting (e.g. Europe/Berlin); absent: the start is written in UTC. */
  readonly timeZone?: string;
  readonly durationMinutes: number;
  readonly summary: string;
  readonly description: string;
  readonly organizer: { name: string; email: string };
  readonly attendees: readonly { name: string; email: string }[];
  readonly stamp: Date;
}

const utc = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
/** TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11). */
const text = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
/** Quoted parameter values cannot hold a double quote. */
const param = (value: string) => `"${value.replace(/["\r\n]/g, "'")}"`;

/** Lines longer than 75 octets are folded (RFC 5545 3.1). */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const char of line) {
    if (Buffer.byteLength(current + char, 'utf8') > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += char;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const offset = (minutes: number) => {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
};
const local = (dt: DateTime) => dt.toFormat("yyyyMMdd'T'HHmmss");

/** The zone's offset changes from a year before to a year after `around`, found to the minute. */
function transitions(zone: string, around: Date): { at: DateTime; from: number; to: number }[] {
  const found: { at: DateTime; from: number; to: number }[] = [];
  const end = DateTime.fromJSDate(around, { zone }).plus({ years: 1 });
  let day = DateTime.fromJSDate(around, { zone }).minus({ years: 1 }).startOf('day');
  while (day < end) {
    const next = day.plus({ days: 1 });
    if (day.offset !== next.offset) {
      let lo = day.toMillis();
      let hi = next.toMillis();
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (DateTime.fromMillis(mid, { zone }).offset === day.offset) lo = mid;
        else hi = mid;
      }
      found.push({ at: DateTime.fromMillis(hi, { zone: 'utc' }), from: day.offset, to: next.offset });
    }
    day = next;
  }
  return found;
}

/** A VTIMEZONE for `zone` valid around `around` (RFC 5545 3.6.5). */
export function vtimezone(zone: string, around: Date): string[] {
  const changes = transitions(zone, around);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  if (changes.length === 0) {
    const fixed = DateTime.fromJSDate(around, { zone }).offset;
    lines.push(
      'BEGIN:STANDARD',
      'DTSTART:19700101T000000',
      `TZOFFSETFROM:${offset(fixed)}`,
      `TZOFFSETTO:${offset(fixed)}`,
      'END:STANDARD',
    );
  }
  for (const change of changes) {
    const kind = change.to > change.from ? 'DAYLIGHT' : 'STANDARD';
    // DTSTART is the local time of the change, as read in the offset before it.
    const at = change.at.plus({ minutes: change.from });
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${local(at.setZone('utc'))}`,
      `TZOFFSETFROM:${offset(change.from)}`,
      `TZOFFSETTO:${offset(change.to)}`,
      `END:${kind}`,
    );
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

export function meetingInvitation(invite: MeetingInvitation): string {
  const zone =
    invite.timeZone && DateTime.local().setZone(invite.timeZone).isValid ? invite.timeZone : undefined;
  const start = zone
    ? `DTSTART;TZID=${zone}:${local(DateTime.fromJSDate(invite.start, { zone }))}`
    : `DTSTART:${utc(invite.start)}`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//isms-review//management review//EN',
    'METHOD:REQUEST',
    'CALSCALE:GREGORIAN',
    ...(zone ? vtimezone(zone, invite.start) : []),
    'BEGIN:VEVENT',
    `UID:${invite.uid}`,
    `SEQUENCE:${invite.sequence}`,
    `DTSTAMP:${utc(invite.stamp)}`,
    start,
    `DURATION:PT${Math.max(1, Math.round(invite.durationMinutes))}M`,
    `SUMMARY:${text(invite.summary)}`,
    `DESCRIPTION:${text(invite.description)}`,
    `ORGANIZER;CN=${param(invite.organizer.name)}:mailto:${invite.organizer.email}`,
    ...invite.attendees.map(
      (a) =>
        `ATTENDEE;CN=${param(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${a.email}`,
    ),
    'STATUS:CONFIRMED',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
