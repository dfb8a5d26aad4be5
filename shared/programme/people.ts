/**
 * People named by hand (in minutes, in a reply, on the command line): found by id or email, and
 * when unknown, an error message that suggests who was probably meant.
 */
import { personByEmail } from './queries.ts';
import { closest } from './suggest.ts';
import type { Person, Programme } from './schema.ts';

export function describePerson(person: Person): string {
  return `${person.id} (${person.name})`;
}

export function findPerson(programme: Programme, written: string): Person | undefined {
  if (written.includes('@')) return personByEmail(programme, written);
  const wanted = written.toLowerCase();
  return programme.people.find((person) => person.id === wanted);
}

/** Up to three people whose id, email, name or a word of their name is close to `typed`. */
export function closestPeople(programme: Programme, typed: string): Person[] {
  const candidates = new Map<string, Person>();
  for (const person of programme.people) {
    for (const name of [person.id, person.email, person.name, ...person.name.split(/\s+/)]) {
      if (name.length >= 2 && !candidates.has(name)) candidates.set(name, person);
    }
  }
  const found: Person[] = [];
  while (found.length < 3) {
    const match = closest(typed, candidates.keys());
    if (match === undefined) break;
    const person = candidates.get(match)!;
    found.push(person);
    for (const [name, candidate] of candidates) if (candidate === person) candidates.delete(name);
  }
  return found;
}

export function unknownPerson(programme: Programme, written: string): string {
  const suggestions = closestPeople(programme, written);
  const hint = suggestions.length
    ? ` (did you mean ${suggestions.map(describePerson).join(' or ')}?)`
    : `; the people in the programme are ${peopleList(programme)}`;
  return `${JSON.stringify(written)} is not a person in the programme${hint}; write the id or email of a person in the programme`;
}

export function peopleList(programme: Programme): string {
  const shown = programme.people.slice(0, 15).map(describePerson);
  const more = programme.people.length - shown.length;
  return shown.join(', ') + (more > 0 ? ` and ${more} more` : '');
}
