/**
 * Who an overdue action's escalation goes to: up the owner's reporting line, never down it.
 *
 *   escalate-manager  the ISMS manager, unless the ISMS manager is the owner or reports to the owner
 *                     (directly or not); then the owner's executive; when the owner has none, top
 *                     management.
 *   escalate-top      top management: the chair and the owner's executive.
 *
 * Nobody who reports to the owner, and never the owner, is an addressee: an escalation asks someone
 * with authority over the owner to act, and a subordinate has none. When the chair or the executive is
 * left out for that reason, the other members of top management who do not report to the owner take
 * their place; when no one is left (the owner chairs top management and everyone reports to them),
 * the step goes to nobody and the sweep records why.
 *
 * The owner is copied, so they know who was told; so is the ISMS manager, who runs the process,
 * unless the ISMS manager reports to the owner. A person, or an address, appears once in all.
 */
import type { Person, Programme } from '../programme/schema.ts';
import { executiveOf, ismsManager, personById, topManagement } from '../programme/queries.ts';
import { reportsTo } from '../programme/reporting-line.ts';
import type { LadderStepKind } from './escalation-policy.ts';

export type EscalationStepKind = Extract<LadderStepKind, 'escalate-manager' | 'escalate-top'>;

/** Why a person is an addressee of an escalation. */
export type EscalationRole =
  | { readonly kind: 'isms-manager' }
  | { readonly kind: 'executive'; readonly of: Person }
  | { readonly kind: 'chair' }
  | { readonly kind: 'top-management' };

export interface EscalationAddressee {
  readonly person: Person;
  /** Every reason they are on the list (the chair may also be the owner's executive). */
  readonly roles: readonly EscalationRole[];
  /** A member of top management, who may answer with top management's decision by reply. */
  readonly decides: boolean;
}

/** Why the usual addressees were passed over, in the order the route was worked out. */
export type EscalationDetour =
  | { readonly kind: 'manager-is-owner'; readonly manager: Person }
  | { readonly kind: 'manager-reports-to-owner'; readonly manager: Person }
  | { readonly kind: 'no-executive' }
  | { readonly kind: 'executive-reports-to-owner'; readonly executive: Person }
  | { readonly kind: 'chair-is-owner'; readonly chair: Person }
  | { readonly kind: 'chair-reports-to-owner'; readonly chair: Person }
  | { readonly kind: 'nobody-above' };

export interface EscalationRoute {
  readonly step: EscalationStepKind;
  readonly owner: Person;
  /** The addressees; empty when no one stands above the owner. */
  readonly to: readonly EscalationAddressee[];
  /** Copied: the owner, and the ISMS manager unless they report to the owner. Never an addressee. */
  readonly cc: readonly Person[];
  readonly detours: readonly EscalationDetour[];
}

const addressOf = (person: Person) => person.email.trim().toLowerCase();

/** People in order, each once: a later entry with the same id or the same address (any case) is dropped. */
export function uniquePeople<T>(entries: readonly T[], personOf: (entry: T) => Person): T[] {
  const ids = new Set<string>();
  const addresses = new Set<string>();
  return entries.filter((entry) => {
    const person = personOf(entry);
    const address = addressOf(person);
    if (ids.has(person.id) || addresses.has(address)) return false;
    ids.add(person.id);
    addresses.add(address);
    return true;
  });
}

/** Whether `person` is someone an escalation about `owner` may go to: not the owner, not below them. */
function standsApart(programme: Pick<Programme, 'people'>, owner: Person, person: Person): boolean {
  return (
    person.id !== owner.id &&
    addressOf(person) !== addressOf(owner) &&
    !reportsTo(programme, person.id, owner.id)
  );
}

type Candidate = { person: Person; role: EscalationRole };

/**
 * Top management for an escalation about `owner`: the chair and the owner's executive, or, when
 * both are out of reach, the members who stand apart from the owner.
 */
function topOf(
  programme: Pick<Programme, 'people' | 'roles'>,
  owner: Person,
  detours: EscalationDetour[],
): Candidate[] {
  const { chair, members } = topManagement(programme);
  const executive = executiveOf(programme, owner.id);
  const candidates: Candidate[] = [];
  if (standsApart(programme, owner, chair)) candidates.push({ person: chair, role: { kind: 'chair' } });
  else if (chair.id === owner.id) detours.push({ kind: 'chair-is-owner', chair });
  else detours.push({ kind: 'chair-reports-to-owner', chair });
  if (executive && standsApart(programme, owner, executive)) {
    candidates.push({ person: executive, role: { kind: 'executive', of: owner } });
  } else if (executive) detours.push({ kind: 'executive-reports-to-owner', executive });
  if (candidates.length > 0) return candidates;
  return members
    .filter((member) => standsApart(programme, owner, member))
    .map((person) => ({ person, role: { kind: 'top-management' } }));
}

/** The escalate-manager addressees (see the module comment). */
function managerStep(
  programme: Pick<Programme, 'people' | 'roles'>,
  owner: Person,
  detours: EscalationDetour[],
): Candidate[] {
  const manager = ismsManager(programme);
  if (standsApart(programme, owner, manager)) return [{ person: manager, role: { kind: 'isms-manager' } }];
  detours.push(
    manager.id === owner.id
      ? { kind: 'manager-is-owner', manager }
      : { kind: 'manager-reports-to-owner', manager },
  );
  const executive = executiveOf(programme, owner.id);
  if (executive && standsApart(programme, owner, executive)) {
    return [{ person: executive, role: { kind: 'executive', of: owner } }];
  }
  // Top management instead; an executive who reports to the owner is noted there.
  if (!executive) detours.push({ kind: 'no-executive' });
  return topOf(programme, owner, detours);
}

/** Merges candidates that are one person (by id or address) into one addressee with all their roles. */
function addressees(programme: Pick<Programme, 'roles'>, candidates: Candidate[]): EscalationAddressee[] {
  const { chair, members } = programme.roles.topManagement;
  const top = new Set([chair, ...members]);
  return uniquePeople(candidates, (c) => c.person).map(({ person }) => {
    const same = candidates.filter(
      (c) => c.person.id === person.id || addressOf(c.person) === addressOf(person),
    );
    const roles = uniqueRoles(same.map((c) => c.role));
    return { person, roles, decides: same.some((c) => top.has(c.person.id)) };
  });
}

function uniqueRoles(roles: EscalationRole[]): EscalationRole[] {
  return roles.filter((role, index) => roles.findIndex((other) => other.kind === role.kind) === index);
}

/**
 * Who one escalation step of `ownerId`'s overdue action goes to and who is copied, and why the usual
 * addressees were passed over: the one place this is decided, for the message and for the record.
 */
export function escalationRoute(
  programme: Pick<Programme, 'people' | 'roles'>,
  ownerId: string,
  step: EscalationStepKind,
): EscalationRoute {
  const owner = personById(programme, ownerId);
  const detours: EscalationDetour[] = [];
  const candidates =
    step === 'escalate-manager' ? managerStep(programme, owner, detours) : topOf(programme, owner, detours);
  const to = addressees(programme, candidates);
  if (to.length === 0) detours.push({ kind: 'nobody-above' });
  const manager = ismsManager(programme);
  const copied = [owner, ...(standsApart(programme, owner, manager) ? [manager] : [])];
  const taken = to.map((addressee) => addressee.person);
  // The copies come after the addressees, so anyone already addressed drops out of them.
  const cc = uniquePeople([...taken, ...copied], (person) => person).slice(taken.length);
  return { step, owner, to, cc, detours };
}

/** `Name's`, for "Łukasz Dvořák's executive". */
const possessive = (person: Person) => `${person.name}'s`;

/** What an addressee is, in words that follow "you are" or a name: "Łukasz Dvořák's executive". */
export function roleWords(role: EscalationRole): string {
  switch (role.kind) {
    case 'isms-manager':
      return 'the ISMS manager';
    case 'executive':
      return `${possessive(role.of)} executive`;
    case 'chair':
      return 'the chair of top management';
    case 'top-management':
      return 'a member of top management';
  }
}

/** What a copied person is, in words: the owner, or the ISMS manager. */
export function copiedWords(route: Pick<EscalationRoute, 'owner'>, person: Person): string {
  return person.id === route.owner.id ? 'the owner of the action' : 'the ISMS manager';
}

/** Why the usual addressees were passed over, as a sentence. */
export function detourWords(route: Pick<EscalationRoute, 'owner'>, detour: EscalationDetour): string {
  const owner = route.owner.name;
  switch (detour.kind) {
    case 'manager-is-owner':
      return `${owner} is the ISMS manager and owns this action, so the escalation goes above them.`;
    case 'manager-reports-to-owner':
      return `The ISMS manager, ${detour.manager.name}, reports to ${owner}, so the escalation goes above ${owner} instead.`;
    case 'no-executive':
      return `${owner} has no executive in the review programme, so the escalation goes straight to top management.`;
    case 'executive-reports-to-owner':
      return (
        `${detour.executive.name}, named as ${possessive(route.owner)} executive, also reports to ${owner} ` +
        '(the reporting line in the review programme goes round in a circle), so the escalation does not go there.'
      );
    case 'chair-is-owner':
      return `The chair of top management, ${owner}, owns this action, so the escalation does not go to the chair.`;
    case 'chair-reports-to-owner':
      return `The chair of top management, ${detour.chair.name}, reports to ${owner}, so the escalation does not go to the chair.`;
    case 'nobody-above':
      return (
        `Nobody in the review programme stands above ${owner}: everyone in top management, and ` +
        `${possessive(route.owner)} executive if any, is ${owner} or reports to them.`
      );
  }
}
