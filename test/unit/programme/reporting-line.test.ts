/**
 * The reporting line (`executive:` upwards) and the check that refuses executives going round in a
 * circle, on the small valid programme (ciso reports to cto, cto to ceo; alice and the auditor
 * report to no one).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import { parseProgramme, type ProgrammeIssue } from '#shared/programme/load.ts';
import { reportingLine, reportsTo, walkUp } from '#shared/programme/reporting-line.ts';

const valid = readFileSync(new URL('../../fixtures/programmes/valid-minimal.yaml', import.meta.url), 'utf8');
const clock = new FixedClock(new Date('2026-01-15T12:00:00Z'));
const parse = (text: string) => parseProgramme(text, 'programme.yaml', { clock });
/** The valid fixture with one text replaced (it must occur exactly once). */
const edit = (text: string, from: string, to: string) => {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
};
const errorsOf = (text: string): ProgrammeIssue[] => {
  const result = parse(text);
  if (result.ok) throw new Error('expected the programme to be rejected');
  return result.errors;
};
const programme = (() => {
  const result = parse(valid);
  if (!result.ok) throw new Error('the fixture is valid');
  return result.programme;
})();

describe('walkUp: bad input', () => {
  it('stops at the first repeat, naming it, and never returns the start', () => {
    const next = { a: 'b', b: 'c', c: 'a', d: 'd' } as Record<string, string>;
    expect(walkUp('a', (id) => next[id])).toEqual({ above: ['b', 'c'], repeats: 'a' });
    expect(walkUp('d', (id) => next[id])).toEqual({ above: [], repeats: 'd' });
    expect(walkUp('x', (id) => next[id])).toEqual({ above: [] });
  });

  it('a line that runs into a circle stops where the circle closes', () => {
    const next = { alice: 'cto', cto: 'ciso', ciso: 'cto' } as Record<string, string>;
    expect(walkUp('alice', (id) => next[id])).toEqual({ above: ['cto', 'ciso'], repeats: 'cto' });
  });
});

describe('reporting line', () => {
  it('the people above someone, nearest first; nobody above the top', () => {
    expect(reportingLine(programme, 'ciso').map((person) => person.id)).toEqual(['cto', 'ceo']);
    expect(reportingLine(programme, 'ceo')).toEqual([]);
    expect(reportsTo(programme, 'ciso', 'ceo')).toBe(true);
    expect(reportsTo(programme, 'ceo', 'ciso')).toBe(false);
    expect(reportsTo(programme, 'ciso', 'ciso')).toBe(false);
    expect(reportsTo(programme, 'alice', 'ceo')).toBe(false);
  });
});

describe('programme validation: executives in a circle', () => {
  it('a circle of three is reported once, at its first person, with the whole circle', () => {
    const text = edit(
      valid,
      '    role: Chief Executive Officer\n',
      '    role: Chief Executive Officer\n    executive: ciso\n',
    );
    expect(errorsOf(text)).toEqual([
      {
        path: 'people[1].executive',
        line: 29,
        column: 16,
        message:
          '"ceo" is in a circle of executives ("ceo" reports to "ciso", who reports to "cto", who reports to "ceo"); escalations of ' +
          'overdue actions climb this line, so it must end with someone who reports to no one: remove or change the ' +
          'executive of one of "ceo", "ciso", "cto"',
      },
    ]);
  });

  it('a person who is their own executive gets the one message it had; a line into a circle is not blamed', () => {
    const own = edit(valid, '    executive: ceo\n', '    executive: cto\n');
    expect(errorsOf(own).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'people[2].executive: "cto" is this person; expected the executive they report to',
    ]);
    // alice -> ciso -> cto -> ciso: the circle is ciso and cto; alice only leads into it.
    const into = edit(
      edit(valid, '    role: ISMS Manager\n', '    role: ISMS Manager\n    executive: ciso\n'),
      '    executive: ceo\n',
      '    executive: ciso\n',
    );
    expect(errorsOf(into).map((issue) => issue.path)).toEqual(['people[2].executive']);
    expect(errorsOf(into)[0]!.message).toContain('("cto" reports to "ciso", who reports to "cto")');
  });
});
