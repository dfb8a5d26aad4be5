/**
 * Who an overdue action's escalations go to, on programme.example.yaml (alice the ISMS manager
 * reports to the CTO, who reports to the CEO, the chair; the CISO reports to the CTO): up the
 * owner's reporting line, never to the owner nor to anyone who reports to them, each person and
 * each address once.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detourWords,
  escalationRoute,
  roleWords,
  uniquePeople,
  type EscalationRoute,
  type EscalationStepKind,
} from '#shared/actions/escalation-route.ts';
import { FixedClock } from '#shared/clock.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { UnknownPerson } from '#shared/programme/queries.ts';
import { reportsTo } from '#shared/programme/reporting-line.ts';
import type { Person, Programme } from '#shared/programme/schema.ts';

const example = loadProgrammeFile(
  fileURLToPath(new URL('../../../programme.example.yaml', import.meta.url)),
  {
    clock: new FixedClock(new Date('2026-10-01T00:00:00Z')),
  },
);

/** The example programme with some people changed (a programme read without its checks may be anything). */
function changed(edit: (people: Map<string, Person>, programme: Programme) => void): Programme {
  const programme = structuredClone(example);
  edit(new Map(programme.people.map((person) => [person.id, person])), programme);
  return programme;
}

const ids = (route: EscalationRoute) => ({
  to: route.to.map((addressee) => addressee.person.id),
  cc: route.cc.map((person) => person.id),
});
const notes = (route: EscalationRoute) => route.detours.map((detour) => detourWords(route, detour));
const addresses = (route: EscalationRoute) =>
  [...route.to.map((addressee) => addressee.person), ...route.cc].map((person) => person.email.toLowerCase());

describe('escalation route: bad input', () => {
  it('an owner who is not in the programme is named in the error', () => {
    expect(() => escalationRoute(example, 'mallory', 'escalate-manager')).toThrow(UnknownPerson);
    expect(() => escalationRoute(example, 'mallory', 'escalate-top')).toThrow('"mallory" is not a person');
  });

  it('executives in a circle (CTO reports to the CISO, who reports to the CTO) end the walk, and go to the CEO', () => {
    const circle = changed((people) => {
      people.get('cto')!.executive = 'ciso';
    });
    const manager = escalationRoute(circle, 'cto', 'escalate-manager');
    expect(ids(manager)).toEqual({ to: ['ceo'], cc: ['cto'] });
    expect(notes(manager)).toEqual([
      'The ISMS manager, Alice Morgan, reports to Łukasz Dvořák, so the escalation goes above Łukasz Dvořák instead.',
      "Олена Коваленко, named as Łukasz Dvořák's executive, also reports to Łukasz Dvořák (the reporting line in the review programme goes round in a circle), so the escalation does not go there.",
    ]);
    expect(ids(escalationRoute(circle, 'cto', 'escalate-top'))).toEqual({ to: ['ceo'], cc: ['cto'] });
    // Everyone in the circle is above everyone else in it; nobody outside it is.
    expect(reportsTo(circle, 'ciso', 'cto')).toBe(true);
    expect(reportsTo(circle, 'cto', 'ciso')).toBe(true);
    expect(reportsTo(circle, 'ceo', 'cto')).toBe(false);
  });

  it('a person who is their own executive, and an executive the programme does not know, end the line', () => {
    const broken = changed((people) => {
      people.get('cto')!.executive = 'cto';
      people.get('cfo')!.executive = 'nobody-here';
    });
    expect(ids(escalationRoute(broken, 'cto', 'escalate-manager'))).toEqual({ to: ['ceo'], cc: ['cto'] });
    expect(ids(escalationRoute(broken, 'cfo', 'escalate-manager'))).toEqual({ to: ['alice'], cc: ['cfo'] });
    expect(() => escalationRoute(broken, 'cfo', 'escalate-top')).toThrow(UnknownPerson);
  });
});

describe('escalation route: escalate-manager', () => {
  it('the owner is the ISMS manager: to their executive, never to themself', () => {
    const route = escalationRoute(example, 'alice', 'escalate-manager');
    expect(ids(route)).toEqual({ to: ['cto'], cc: ['alice'] });
    expect(route.to[0]!.roles.map(roleWords)).toEqual(["Alice Morgan's executive"]);
    expect(route.to[0]!.decides).toBe(true);
    expect(notes(route)).toEqual([
      'Alice Morgan is the ISMS manager and owns this action, so the escalation goes above them.',
    ]);
  });

  it('the owner is above the ISMS manager (the CTO): to the CEO, the ISMS manager neither addressed nor copied', () => {
    const route = escalationRoute(example, 'cto', 'escalate-manager');
    expect(ids(route)).toEqual({ to: ['ceo'], cc: ['cto'] });
    expect(route.to[0]!.roles.map(roleWords)).toEqual(["Łukasz Dvořák's executive"]);
    expect(notes(route)).toEqual([
      'The ISMS manager, Alice Morgan, reports to Łukasz Dvořák, so the escalation goes above Łukasz Dvořák instead.',
    ]);
  });

  it('the owner has no executive and is above the ISMS manager: straight to top management', () => {
    const route = escalationRoute(
      changed((people) => delete people.get('cto')!.executive),
      'cto',
      'escalate-manager',
    );
    expect(ids(route)).toEqual({ to: ['ceo'], cc: ['cto'] });
    expect(route.to[0]!.roles.map(roleWords)).toEqual(['the chair of top management']);
    expect(notes(route)).toContain(
      'Łukasz Dvořák has no executive in the review programme, so the escalation goes straight to top management.',
    );
  });

  it('the owner has no executive but is not above the ISMS manager: to the ISMS manager, as usual', () => {
    const noBoss = changed((people) => delete people.get('customer-lead')!.executive);
    const route = escalationRoute(noBoss, 'customer-lead', 'escalate-manager');
    expect(ids(route)).toEqual({ to: ['alice'], cc: ['customer-lead'] });
    expect(route.to[0]).toMatchObject({ decides: false });
    expect(route.detours).toEqual([]);
  });

  it('an owner below the ISMS manager (the CISO, beside them): to the ISMS manager, as usual', () => {
    const route = escalationRoute(example, 'ciso', 'escalate-manager');
    expect(ids(route)).toEqual({ to: ['alice'], cc: ['ciso'] });
    expect(route.to[0]!.roles.map(roleWords)).toEqual(['the ISMS manager']);
  });
});

describe('escalation route: escalate-top', () => {
  it('the owner reports to the chair: the CEO once, as chair and executive (not twice)', () => {
    const route = escalationRoute(example, 'cto', 'escalate-top');
    expect(ids(route)).toEqual({ to: ['ceo'], cc: ['cto'] });
    expect(route.to[0]!.roles.map(roleWords)).toEqual([
      'the chair of top management',
      "Łukasz Dvořák's executive",
    ]);
  });

  it('an ordinary owner: the chair and their executive, the owner and the ISMS manager copied', () => {
    const route = escalationRoute(example, 'ciso', 'escalate-top');
    expect(ids(route)).toEqual({ to: ['ceo', 'cto'], cc: ['ciso', 'alice'] });
    expect(route.to.every((addressee) => addressee.decides)).toBe(true);
  });

  it('an executive outside top management is addressed but does not decide', () => {
    const route = escalationRoute(
      changed((people) => {
        people.get('customer-lead')!.executive = 'risk-owner';
      }),
      'customer-lead',
      'escalate-top',
    );
    expect(route.to.map((addressee) => [addressee.person.id, addressee.decides])).toEqual([
      ['ceo', true],
      ['risk-owner', false],
    ]);
  });
});

describe('escalation route: the owner chairs top management', () => {
  it('everyone reports to the chair: nobody to escalate to, and the reason says so', () => {
    for (const step of ['escalate-manager', 'escalate-top'] as const) {
      const route = escalationRoute(example, 'ceo', step);
      expect(ids(route), step).toEqual({ to: [], cc: ['ceo'] });
      expect(notes(route).at(-1), step).toBe(
        "Nobody in the review programme stands above Daniel Okafor: everyone in top management, and Daniel Okafor's executive if any, is Daniel Okafor or reports to them.",
      );
    }
  });

  it('a member of top management who does not report to the chair takes the escalation', () => {
    const withBoard = changed((_, programme) => {
      programme.people.push({
        id: 'board',
        name: 'Bea Board',
        email: 'bea.board@example.com',
        role: 'Board',
      });
      programme.roles.topManagement.members.push('board');
    });
    for (const step of ['escalate-manager', 'escalate-top'] as const) {
      const route = escalationRoute(withBoard, 'ceo', step);
      expect(ids(route), step).toEqual({ to: ['board'], cc: ['ceo'] });
      expect(route.to[0]!.roles.map(roleWords)).toEqual(['a member of top management']);
    }
  });
});

describe('escalation route: each person and each address once', () => {
  it('the chair and the executive sharing one address (any case) are one addressee', () => {
    const shared = changed((people) => {
      people.get('cfo')!.email = 'DANIEL.OKAFOR@Example.com';
    });
    const route = escalationRoute(shared, 'auditor', 'escalate-top');
    expect(ids(route)).toEqual({ to: ['ceo'], cc: ['auditor', 'alice'] });
    expect(route.to[0]!.roles.map(roleWords)).toEqual([
      'the chair of top management',
      "Hannah Becker's executive",
    ]);
  });

  it('a copy whose address is already addressed is left out', () => {
    const shared = changed((people) => {
      people.get('alice')!.email = 'Lukasz.Dvorak@EXAMPLE.com';
      delete people.get('alice')!.executive;
    });
    const route = escalationRoute(shared, 'ciso', 'escalate-top');
    expect(ids(route)).toEqual({ to: ['ceo', 'cto'], cc: ['ciso'] });
  });

  it('uniquePeople keeps the first of each id and of each address', () => {
    const a = { id: 'a', name: 'A', email: 'a@example.com', role: 'x' };
    const people = [a, { ...a, email: 'other@example.com' }, { ...a, id: 'b', email: ' A@EXAMPLE.COM ' }];
    expect(uniquePeople(people, (p) => p)).toEqual([a]);
    expect(uniquePeople([], (p: Person) => p)).toEqual([]);
  });

  it('in any reporting line, circles included: never the owner, never below them, no address twice', () => {
    const staff = example.people.map((person) => person.id);
    const line = fc.record(
      Object.fromEntries(staff.map((id) => [id, fc.option(fc.constantFrom(...staff), { nil: undefined })])),
    );
    fc.assert(
      fc.property(
        line,
        fc.constantFrom(...staff),
        fc.constantFrom<EscalationStepKind>('escalate-manager', 'escalate-top'),
        (executives, ownerId, step) => {
          const programme = changed((people) => {
            for (const [id, executive] of Object.entries(executives)) {
              if (executive === undefined) delete people.get(id)!.executive;
              else people.get(id)!.executive = executive;
            }
          });
          const route = escalationRoute(programme, ownerId, step);
          for (const { person } of route.to) {
            expect(person.id).not.toBe(ownerId);
            expect(reportsTo(programme, person.id, ownerId)).toBe(false);
          }
          expect(route.cc.map((person) => person.id)).toContain(ownerId);
          expect(new Set(addresses(route)).size).toBe(addresses(route).length);
          // Whenever the ISMS manager reports to the owner, they hear nothing of it.
          if (reportsTo(programme, 'alice', ownerId)) expect(ids(route).to).not.toContain('alice');
          if (reportsTo(programme, 'alice', ownerId)) expect(ids(route).cc).not.toContain('alice');
        },
      ),
      { numRuns: 300 },
    );
  });
});
