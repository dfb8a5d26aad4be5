/**
 * What the minutes tests start from: the small valid programme (Acme Ltd, Europe/London; chair
 * ceo, member cto, ISMS manager alice), a quarterly cycle whose meeting is on 29 October 2026, and
 * minutes of that meeting that are valid; each test breaks what it is about.
 */
import { readFileSync } from 'node:fs';
import { FixedClock } from '#shared/clock.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { parseProgramme } from '#shared/programme/load.ts';
import { programmeCatalogue } from '#shared/programme/queries.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { MinutesContext } from '#shared/minutes/validate.ts';
import { aCycle } from '#test/unit/model/builders.ts';

export function theProgramme(): Programme {
  const text = readFileSync(new URL('../../fixtures/programmes/valid-minimal.yaml', import.meta.url), 'utf8');
  const result = parseProgramme(text, 'valid-minimal.yaml', {
    clock: new FixedClock(new Date('2026-09-01T00:00:00Z')),
  });
  if (!result.ok) throw new Error(`fixture programme invalid: ${JSON.stringify(result.errors)}`);
  return result.programme;
}

export const OPENED_AT = new Date('2026-10-01T08:00:00.000Z');
/** The day after the meeting, mid-morning in London (GMT since 25 October). */
export const NOW = new Date('2026-10-30T10:00:00.000Z');

export function theCycle(overrides: Partial<Cycle> = {}): Cycle {
  const programme = { programmeId: 'acme', version: 1, hash: 'a'.repeat(64) };
  return aCycle({ programmeId: 'acme', programme, phase: 'AWAITING_MINUTES', ...overrides }, OPENED_AT);
}

export const CYCLE_ID = cycleIdFor('quarterly', OPENED_AT);

export function theCatalogueKeys(programme: Programme = theProgramme()): string[] {
  return programmeCatalogue(programme).map((input) => input.key);
}

export function theContext(overrides: Partial<MinutesContext> = {}): MinutesContext {
  const programme = overrides.programme ?? theProgramme();
  return {
    programme,
    cycle: theCycle(),
    catalogueKeys: theCatalogueKeys(programme),
    now: NOW,
    ...overrides,
  };
}

/** Valid minutes of the meeting of 29 October 2026. */
export const VALID_MINUTES = `# Minutes of the quarterly management review
cycle: ${CYCLE_ID}
meeting:
  date: 2026-10-29
  time: '09:30'
attendees:
  - person: ceo
    status: present
  - person: CTO@example.com
    status: absent
  - person: ciso
    status: proxy
    proxyFor: cto
    role: Deputy for the CTO
  - person: alice
    status: present
inputsConsidered:
  a: Two actions from the last review are overdue; both discussed.
  b: Cloud migration; climate change considered, not a relevant issue.
  c: considered, nothing to report
  d1: Four nonconformities open, down from seven.
  d2: Patch compliance 97%, below the 98% target.
  d3: Internal audit of HR held; two minor findings.
  d4: Three of four objectives met.
  e: considered, nothing to report
  f: Two risks above acceptance; treatment plan on track.
  g: Phishing-resistant MFA proposed.
decisions:
  - ref: D1
    category: Improvements to processes and controls
    text: Roll out phishing-resistant MFA to all administrators.
    input: g
  - ref: D2
    category: resource_allocation
    text: Fund a second security engineer.
actions:
  - title: Enforce MFA for administrator accounts
    owner: ciso
    due: 2027-01-31
    decision: D1
    description: Hardware keys for the 12 administrators.
  - title: Close the two HR audit findings
    owner: auditor@example.com
    due: 2026-12-15
    corrective: true
changesToTheIsms: Phishing-resistant MFA for administrators becomes an ISMS control (D1).
resourceNeeds: A second security engineer is funded (D2).
assessment:
  suitability:
    verdict: yes
    rationale: Scope still matches the business after the cloud migration.
  adequacy:
    verdict: partly
    rationale: One engineer short; decision D2 addresses it.
  effectiveness:
    verdict: Yes
    rationale: Three of four objectives met; incidents down.
  alignment:
    verdict: yes
    rationale: Supports the 2027 growth strategy.
`;

/** The valid minutes with one line replaced (the first line containing `from`). */
export function withLine(from: string, to: string, text = VALID_MINUTES): string {
  if (!text.includes(from)) throw new Error(`the minutes have no line with ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** `line <n>` of the first line of `text` that contains `needle` (1-based, as problems count). */
export function lineOf(text: string, needle: string): string {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`no line contains ${JSON.stringify(needle)}`);
  return `line ${index + 1}`;
}
