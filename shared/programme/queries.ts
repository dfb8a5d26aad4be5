/** Small questions about a validated programme: who is who, who owns which input. */
import { catalogueFor, type CatalogueInput } from '#shared/catalogue/catalogue.ts';
import { DEFAULT_MEETING_MINUTES, type Person, type Programme, type ReviewType } from './schema.ts';

export class UnknownPerson extends Error {
  override name = 'UnknownPerson' as const;
  constructor(readonly personId: string) {
    super(`"${personId}" is not a person in the programme; check people[] in the programme file`);
  }
}

/** The person with this id; throws UnknownPerson if the programme has none. */
export function personById(programme: Pick<Programme, 'people'>, id: string): Person {
  const person = programme.people.find((candidate) => candidate.id === id);
  if (!person) throw new UnknownPerson(id);
  return person;
}

/** The person with this email address (case-insensitive), if any. */
export function personByEmail(programme: Pick<Programme, 'people'>, email: string): Person | undefined {
  const wanted = email.trim().toLowerCase();
  return programme.people.find((person) => person.email.toLowerCase() === wanted);
}

/** The inputs this programme requests or fills, merged across its standards, in package order. */
export function programmeCatalogue(programme: Pick<Programme, 'managementSystems'>): CatalogueInput[] {
  return catalogueFor(programme.managementSystems);
}

/** The owner of an input, or undefined for an automatic input (or a key outside the catalogue). */
export function ownerOf(programme: Pick<Programme, 'people' | 'inputs'>, key: string): Person | undefined {
  const id = programme.inputs.owners[key];
  return id === undefined ? undefined : personById(programme, id);
}

export interface OwnedInputs {
  readonly owner: Person;
  /** Keys in package order. */
  readonly keys: readonly string[];
  readonly inputs: readonly CatalogueInput[];
}

/** Per owner, the inputs they are asked for; owners in the order of their first input. */
export function inputOwners(
  programme: Pick<Programme, 'people' | 'inputs' | 'managementSystems'>,
): OwnedInputs[] {
  const byOwner = new Map<string, CatalogueInput[]>();
  for (const input of programmeCatalogue(programme)) {
    if (input.automatic) continue;
    const ownerId = programme.inputs.owners[input.key];
    if (ownerId === undefined) continue;
    byOwner.set(ownerId, [...(byOwner.get(ownerId) ?? []), input]);
  }
  return [...byOwner].map(([ownerId, inputs]) => ({
    owner: personById(programme, ownerId),
    keys: inputs.map((input) => input.key),
    inputs,
  }));
}

/** The chair and the other members of top management. */
export function topManagement(programme: Pick<Programme, 'people' | 'roles'>): {
  chair: Person;
  members: Person[];
} {
  const { chair, members } = programme.roles.topManagement;
  return { chair: personById(programme, chair), members: members.map((id) => personById(programme, id)) };
}

/** The ISMS manager. */
export function ismsManager(programme: Pick<Programme, 'people' | 'roles'>): Person {
  return personById(programme, programme.roles.ismsManager);
}

/** The people who may answer for `personId`. */
export function delegatesOf(programme: Pick<Programme, 'people' | 'inputs'>, personId: string): Person[] {
  return programme.inputs.delegates
    .filter((delegation) => delegation.for === personId)
    .map((delegation) => personById(programme, delegation.delegate));
}

/** The executive a person reports to (for escalations), if set. */
export function executiveOf(programme: Pick<Programme, 'people'>, personId: string): Person | undefined {
  const executive = personById(programme, personId).executive;
  return executive === undefined ? undefined : personById(programme, executive);
}

/** Whether `senderId` may answer for `personId`: the person themself or a registered delegate. */
export function mayAnswerFor(
  programme: Pick<Programme, 'people' | 'inputs'>,
  senderId: string,
  personId: string,
): boolean {
  return (
    senderId === personId ||
    programme.inputs.delegates.some(
      (delegation) => delegation.for === personId && delegation.delegate === senderId,
    )
  );
}

/** The planned length of a meeting of this review type, in minutes (the default when not set). */
export function meetingMinutesOf(programme: Pick<Programme, 'schedule'>, type: ReviewType): number {
  const review = programme.schedule.reviews.find((candidate) => candidate.type === type);
  return review?.durationMinutes ?? DEFAULT_MEETING_MINUTES;
}
