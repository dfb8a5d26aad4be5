/**
 * Who attended: each attendee resolved to a person of the programme (with the closest names when
 * not found), a valid status, proxies that name whom they stood in for, and at least one member of
 * top management present in person (clause 9.3; a proxy does not count).
 */
import type { Attendance } from '../model/meeting.ts';
import { closestPeople, describePerson as describe, findPerson, unknownPerson } from '../programme/people.ts';
import { topManagement } from '../programme/queries.ts';
import type { Person, Programme } from '../programme/schema.ts';
import { asList, asText, forEachEntry, inWords, type Reading } from './reading.ts';

export interface ResolvedAttendee {
  readonly index: number;
  readonly person?: Person;
  /** For a person the programme does not know: who they probably are. */
  readonly maybe: readonly Person[];
  readonly status?: Attendance['status'];
  readonly proxyFor?: Person;
  readonly role?: string;
}

/** The chair and the members of top management, and all their ids. */
export function topManagementOf(programme: Programme): {
  chair: Person;
  members: readonly Person[];
  ids: ReadonlySet<string>;
} {
  const { chair, members } = topManagement(programme);
  return { chair, members, ids: new Set([chair.id, ...members.map((member) => member.id)]) };
}

/**
 * Checks the attendees (see the module note). `complete` is false when someone could not be
 * resolved or has no valid status (the problem is reported either way).
 */
export function checkAttendees(reading: Reading): { attendees: ResolvedAttendee[]; complete: boolean } {
  const { top, problem } = reading;
  const { programme } = reading.ctx;
  const attendees: ResolvedAttendee[] = [];
  const firstListed = new Map<string, number>();
  forEachEntry(asList(top.attendees), 'attendees', (entry, at, index) => {
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
  const { chair, members, ids: topIds } = topManagementOf(programme);
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
  return { attendees, complete: !attendees.some((attendee) => !attendee.person || !attendee.status) };
}
