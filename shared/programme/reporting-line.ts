/**
 * The reporting line: the person someone reports to (`executive:`), the person that executive
 * reports to, and so on up to someone who reports to no one. Escalations of an overdue action climb
 * it, so that they reach the people above its owner and never someone who reports to the owner.
 *
 * Validation refuses executives that go round in a circle (rules.ts), but a stored programme is read
 * back with the schema alone: the walk stops at the first person it meets again, so a circle can
 * never make it loop.
 */
import type { Person, Programme } from './schema.ts';

/** Where a walk up from one id ended. */
export interface WalkUp {
  /** The ids above the start, nearest first; neither the start nor any id appears twice. */
  readonly above: readonly string[];
  /** The id the walk met again, when the line goes round in a circle. */
  readonly repeats?: string;
}

/** Follows `next` up from `start` until there is no one next or an id comes round again. */
export function walkUp(start: string, next: (id: string) => string | undefined): WalkUp {
  const seen = new Set([start]);
  const above: string[] = [];
  for (let id = next(start); id !== undefined; id = next(id)) {
    if (seen.has(id)) return { above, repeats: id };
    seen.add(id);
    above.push(id);
  }
  return { above };
}

/**
 * The people above `personId`, nearest first: their executive, that executive's executive, ... An
 * id the programme does not know ends the line (validation reports it), as does a repeat.
 */
export function reportingLine(programme: Pick<Programme, 'people'>, personId: string): Person[] {
  const byId = new Map(programme.people.map((person) => [person.id, person]));
  const { above } = walkUp(personId, (id) => byId.get(id)?.executive);
  return above.flatMap((id) => byId.get(id) ?? []);
}

/** Whether `personId` reports to `superiorId`, directly or through their executives. */
export function reportsTo(
  programme: Pick<Programme, 'people'>,
  personId: string,
  superiorId: string,
): boolean {
  return reportingLine(programme, personId).some((person) => person.id === superiorId);
}
