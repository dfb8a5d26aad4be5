import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import {
  delegatesOf,
  executiveOf,
  inputOwners,
  ismsManager,
  mayAnswerFor,
  ownerOf,
  personByEmail,
  personById,
  programmeCatalogue,
  topManagement,
  UnknownPerson,
} from '#shared/programme/queries.ts';

const clock = new FixedClock(new Date('2026-01-15T12:00:00Z'));
const programme = loadProgrammeFile(
  fileURLToPath(new URL('../../../programme.example.yaml', import.meta.url)),
  {
    clock,
  },
);
const integrated = loadProgrammeFile(
  fileURLToPath(new URL('../../fixtures/programmes/valid-integrated.yaml', import.meta.url)),
  { clock },
);

describe('programme queries: unknown people', () => {
  it('personById throws UnknownPerson naming the id', () => {
    expect(() => personById(programme, 'mallory')).toThrow(UnknownPerson);
    expect(() => personById(programme, 'mallory')).toThrow('"mallory" is not a person in the programme');
  });

  it('personByEmail finds nobody for a stranger, and ignores case for a person', () => {
    expect(personByEmail(programme, 'mallory@evil.example')).toBeUndefined();
    expect(personByEmail(programme, ' Olena.Kovalenko@EXAMPLE.com ')?.id).toBe('ciso');
  });
});

describe('programme queries', () => {
  it('inputOwners groups each owner’s inputs, in package order, with their catalogue entries', () => {
    const owners = inputOwners(programme);
    expect(owners.map((entry) => [entry.owner.id, entry.keys])).toEqual([
      ['ciso', ['b', 'd2']],
      ['risk-owner', ['c', 'f']],
      ['auditor', ['d1', 'd3']],
      ['alice', ['d4', 'g']],
      ['customer-lead', ['e']],
    ]);
    const ciso = owners[0];
    expect(ciso?.inputs.map((input) => input.title)).toEqual([
      'Changes in external and internal issues',
      'Monitoring and measurement results',
    ]);
    expect(owners.flatMap((entry) => entry.keys)).not.toContain('a');
  });

  it('inputOwners covers every requested input of an integrated review exactly once', () => {
    const keys = inputOwners(integrated).flatMap((entry) => entry.keys);
    const requested = programmeCatalogue(integrated)
      .filter((input) => !input.automatic)
      .map((input) => input.key);
    expect([...keys].sort()).toEqual([...requested].sort());
    expect(ownerOf(integrated, 'process-performance')?.id).toBe('cto');
    expect(ownerOf(integrated, 'a')).toBeUndefined();
  });

  it('topManagement, ismsManager, executiveOf', () => {
    const top = topManagement(programme);
    expect(top.chair.name).toBe('Daniel Okafor');
    expect(top.members.map((person) => person.id)).toEqual(['cfo', 'cto']);
    expect(ismsManager(programme).email).toBe('alice.morgan@example.com');
    expect(executiveOf(programme, 'ciso')?.id).toBe('cto');
    expect(executiveOf(programme, 'ceo')).toBeUndefined();
  });

  it('delegatesOf and mayAnswerFor follow inputs.delegates only', () => {
    expect(delegatesOf(programme, 'ciso').map((person) => person.id)).toEqual(['deputy-ciso']);
    expect(delegatesOf(programme, 'auditor')).toEqual([]);
    expect(mayAnswerFor(programme, 'deputy-ciso', 'ciso')).toBe(true);
    expect(mayAnswerFor(programme, 'ciso', 'ciso')).toBe(true);
    expect(mayAnswerFor(programme, 'ciso', 'deputy-ciso')).toBe(false);
    expect(mayAnswerFor(programme, 'alice', 'auditor')).toBe(false);
  });
});
