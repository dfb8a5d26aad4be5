import { describe, expect, it } from 'vitest';
import { meetingInvitation, vtimezone, type MeetingInvitation } from '#shared/mail/ics.ts';

const invite: MeetingInvitation = {
  uid: 'C-20270104T0900Z-Q@example.com',
  sequence: 0,
  start: new Date('2027-02-01T09:00:00.000Z'),
  timeZone: 'Europe/Berlin',
  durationMinutes: 90,
  summary: 'Quarterly management review, 2027-02-01',
  description: 'Package abc; agenda, decisions',
  organizer: { name: 'Alice Morgan', email: 'alice@example.com' },
  attendees: [
    { name: 'Chief "Exec" Officer', email: 'ceo@example.com' },
    { name: 'Tomasz Nowak', email: 'cto@example.com' },
  ],
  stamp: new Date('2027-01-27T09:00:00.000Z'),
};

/** Unfolded lines (RFC 5545 3.1). */
const lines = (ics: string) => ics.replace(/\r\n /g, '').split('\r\n');

describe('the meeting invitation', () => {
  it('is a METHOD:REQUEST with organiser, every attendee and the start in the organisation time zone', () => {
    const ics = lines(meetingInvitation(invite));
    expect(ics).toContain('METHOD:REQUEST');
    expect(ics).toContain('UID:C-20270104T0900Z-Q@example.com');
    expect(ics).toContain('SEQUENCE:0');
    expect(ics).toContain('DTSTART;TZID=Europe/Berlin:20270201T100000');
    expect(ics).toContain('DURATION:PT90M');
    expect(ics).toContain('ORGANIZER;CN="Alice Morgan":mailto:alice@example.com');
    expect(ics.filter((l) => l.startsWith('ATTENDEE'))).toEqual([
      'ATTENDEE;CN="Chief \'Exec\' Officer";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ceo@example.com',
      'ATTENDEE;CN="Tomasz Nowak";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:cto@example.com',
    ]);
    expect(ics).toContain('DESCRIPTION:Package abc\\; agenda\\, decisions');
  });

  it('carries a VTIMEZONE with the zone’s daylight-saving changes around the meeting', () => {
    const zone = vtimezone('Europe/Berlin', invite.start);
    expect(zone[0]).toBe('BEGIN:VTIMEZONE');
    expect(zone).toContain('TZID:Europe/Berlin');
    // Summer time starts 28 March 2027 at 02:00 local (+0100 → +0200), ends 31 October 2027 03:00 (+0200 → +0100).
    expect(zone.join('\n')).toContain(
      'BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200',
    );
    expect(zone.join('\n')).toContain(
      'BEGIN:STANDARD\nDTSTART:20271031T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100',
    );
    const ics = meetingInvitation(invite);
    expect(ics.indexOf('BEGIN:VTIMEZONE')).toBeLessThan(ics.indexOf('BEGIN:VEVENT'));
  });

  it('handles zones without daylight saving, and a meeting across a DST change keeps its local time', () => {
    expect(vtimezone('Asia/Tokyo', invite.start)).toContain('TZOFFSETTO:+0900');
    const summer = lines(meetingInvitation({ ...invite, start: new Date('2027-04-05T08:00:00.000Z') }));
    expect(summer).toContain('DTSTART;TZID=Europe/Berlin:20270405T100000');
  });

  it('for a moved meeting, sends an update with the same UID and a higher SEQUENCE', () => {
    const first = lines(meetingInvitation(invite));
    const moved = lines(
      meetingInvitation({ ...invite, sequence: 1, start: new Date('2027-02-03T13:00:00.000Z') }),
    );
    const uid = (l: string[]) => l.find((x) => x.startsWith('UID:'));
    const seq = (l: string[]) => Number(l.find((x) => x.startsWith('SEQUENCE:'))!.slice(9));
    expect(uid(moved)).toBe(uid(first));
    expect(seq(moved)).toBeGreaterThan(seq(first));
    expect(moved).toContain('DTSTART;TZID=Europe/Berlin:20270203T140000');
  });

  it('keeps lines at most 75 octets and cannot be broken by text with line breaks', () => {
    const ics = meetingInvitation({ ...invite, summary: `Review\r\nBEGIN:VALARM ${'ü'.repeat(60)}` });
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(lines(ics)).not.toContain('BEGIN:VALARM');
  });

  it('writes UTC when no time zone is given', () => {
    const { timeZone: _zone, ...utc } = invite;
    expect(lines(meetingInvitation(utc))).toContain('DTSTART:20270201T090000Z');
    expect(meetingInvitation(utc)).not.toContain('VTIMEZONE');
  });
});
