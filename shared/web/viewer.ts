/**
 * Who is looking: a programme member and the roles the programme gives them. Roles come from the
 * current programme at every request, so a person removed from it (or an auditor past their end
 * date) loses access at once, whatever their session says.
 *
 * - isms-manager: `roles.ismsManager`;
 * - top-management: the chair and the members;
 * - owner: owns an input (or answers for someone who does, as a registered delegate), or owns an action;
 * - auditor: listed in `roles.auditors` with an end date (`until`, in the organisation's time zone)
 *   not yet past. Read-only.
 */
import { DateTime } from 'luxon';
import { personByEmail } from '../programme/queries.ts';
import type { Person, Programme } from '../programme/schema.ts';

export const ROLES = ['isms-manager', 'top-management', 'owner', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Viewer {
  readonly person: Person;
  readonly programmeId: string;
  readonly roles: ReadonlySet<Role>;
  /** The person's own id and the ids of everyone they may answer for as a registered delegate. */
  readonly answersFor: ReadonlySet<string>;
  /** The zone dates are shown in: the person's own, else the organisation's. */
  readonly timeZone: string;
}

/** The auditors whose access has not ended on `now` (their `until` day, in the organisation's zone). */
export function activeAuditors(programme: Programme, now: Date): Set<string> {
  const today = DateTime.fromJSDate(now, { zone: programme.organisation.timeZone }).toISODate();
  return new Set(
    (programme.roles.auditors ?? [])
      .filter((auditor) => today !== null && auditor.until >= today)
      .map((auditor) => auditor.person),
  );
}

/**
 * The viewer a person is in the programme, or undefined when they have no role in it (not listed,
 * or listed only as an auditor whose access has ended). `ownsActions`: whether the action register
 * holds an action of theirs.
 */
export function viewerOf(
  programme: Programme,
  personId: string,
  options: { now: Date; ownsActions: boolean },
): Viewer | undefined {
  const person = programme.people.find((p) => p.id === personId);
  if (!person) return undefined;
  const roles = new Set<Role>();
  if (programme.roles.ismsManager === person.id) roles.add('isms-manager');
  const top = programme.roles.topManagement;
  if (top.chair === person.id || top.members.includes(person.id)) roles.add('top-management');
  const answersFor = new Set<string>([
    person.id,
    ...programme.inputs.delegates.filter((d) => d.delegate === person.id).map((d) => d.for),
  ]);
  const owners = new Set(Object.values(programme.inputs.owners));
  if (options.ownsActions || [...answersFor].some((id) => owners.has(id))) roles.add('owner');
  if (activeAuditors(programme, options.now).has(person.id)) roles.add('auditor');
  if (roles.size === 0) return undefined;
  return {
    person,
    programmeId: programme.organisation.id,
    roles,
    answersFor,
    timeZone: person.timeZone ?? programme.organisation.timeZone,
  };
}

/** The programme member with this address, if any (case-insensitive, surrounding spaces ignored). */
export function memberByEmail(programme: Programme, email: string): Person | undefined {
  return personByEmail(programme, email);
}
