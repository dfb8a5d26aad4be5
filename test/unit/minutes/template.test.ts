/**
 * The minutes form and the renditions of accepted minutes: the form is refused until it is filled
 * in, accepted once it is, and the renditions show everything with user text escaped in HTML.
 */
import { describe, it, expect } from 'vitest';
import { parseDocument } from 'yaml';
import { ASSESSMENT_ASPECTS } from '#shared/model/meeting.ts';
import { renderMinutesHtml, renderMinutesTemplate, renderMinutesText } from '#shared/minutes/template.ts';
import { validateMinutes } from '#shared/minutes/validate.ts';
import { programmeCatalogue } from '#shared/programme/queries.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { theContext, theCycle, theProgramme, VALID_MINUTES, withLine } from './support.ts';

function template(programme: Programme = theProgramme()): string {
  return renderMinutesTemplate({ programme, cycle: theCycle(), catalogue: programmeCatalogue(programme) });
}

/** The form as the ISMS manager fills it in: every empty field answered. */
function fill(form: string): string {
  const doc = parseDocument(form);
  doc.setIn(['meeting', 'date'], '2026-10-29');
  doc.setIn(['meeting', 'time'], '08:00');
  const attendees = doc.get('attendees') as { items: unknown[] };
  attendees.items.forEach((_, index) => doc.setIn(['attendees', index, 'status'], 'present'));
  for (const key of theContext().catalogueKeys)
    doc.setIn(['inputsConsidered', key], 'considered, nothing to report');
  doc.set('changesToTheIsms', 'no changes needed: scope, risks and controls unchanged');
  doc.set('resourceNeeds', 'no additional resources needed: the team covers the treatment plan');
  for (const aspect of ASSESSMENT_ASPECTS) {
    doc.setIn(['assessment', aspect, 'verdict'], 'yes');
    doc.setIn(['assessment', aspect, 'rationale'], `The ${aspect} was discussed and confirmed.`);
  }
  return doc.toString();
}

function problemsOf(text: string): string[] {
  const result = validateMinutes(text, theContext());
  if (result.ok) throw new Error('expected the minutes to be refused');
  return result.problems;
}

describe('the minutes form', () => {
  it('is refused unfilled, with one problem per empty answer and nothing else', () => {
    const problems = problemsOf(template());
    const fields = problems.map((problem) => problem.replace(/^line \d+ /, '').replace(/:.*/, ''));
    expect(fields).toEqual([
      'meeting.date',
      'meeting.time',
      'attendees[0].status',
      'attendees[1].status',
      'attendees[2].status',
      ...theContext().catalogueKeys.map((key) => `inputsConsidered.${key}`),
      'changesToTheIsms',
      'resourceNeeds',
      ...ASSESSMENT_ASPECTS.flatMap((aspect) => [
        `assessment.${aspect}.verdict`,
        `assessment.${aspect}.rationale`,
      ]),
    ]);
    expect(problems).toContain(
      'line 11 meeting.date: is missing; write the day the meeting was held as yyyy-mm-dd, e.g. 2026-10-29',
    );
  });

  it('is accepted once filled in', () => {
    const result = validateMinutes(fill(template()), theContext());
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.minutes.attendance.map((entry) => [entry.personId, entry.topManagement])).toEqual([
      ['ceo', true],
      ['cto', true],
      ['alice', false],
    ]);
    expect(result.minutes.heldAt).toBe('2026-10-29T08:00:00.000Z');
    expect(result.minutes.decisions).toEqual([]);
    expect(result.minutes.actions).toEqual([]);
  });

  it('has example entries that are valid once uncommented', () => {
    // The example decision answers input g, so g's note says what led to it.
    const examples = fill(template())
      .replace(/^ {2}# ( {2}|- )(ref|category|text|input|title|owner|due|decision|corrective):/gm, '  $1$2:')
      .replace(/^( {2}g:) considered, nothing to report/m, '$1 MFA for administrators proposed');
    const result = validateMinutes(examples, theContext());
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.minutes.decisions).toHaveLength(1);
    expect(result.minutes.decisions[0]).toMatchObject({ category: 'processes_and_controls', inputKey: 'g' });
    expect(result.minutes.actions).toEqual([
      expect.objectContaining({
        ownerId: 'ciso',
        dueDate: '2027-01-27',
        decisionId: result.minutes.decisions[0]!.id,
      }),
    ]);
  });

  it('lists top management, the ISMS manager and every input with its title, in the organisation time zone', () => {
    const form = template();
    expect(form).toContain('# Meeting planned for Thursday 29 October 2026, 08:00 UK time.');
    expect(form).toContain('  - person: ceo   # Carol Chief, Chief Executive Officer: chair, top management');
    expect(form).toContain('  - person: cto   # Tom Tech, Chief Technology Officer: top management');
    expect(form).toContain('  - person: alice # Alice Example, ISMS Manager: ISMS manager');
    for (const input of programmeCatalogue(theProgramme())) {
      expect(form).toMatch(new RegExp(`^  ${input.key}: +# ${input.title}$`, 'm'));
    }
    // Categories by their titles, never their codes (which the parser still accepts).
    expect(form).toContain('#   Changes to the risk treatment approach\n');
    expect(form).not.toMatch(/\b[a-z]+(?:_[a-z]+)+\b/);
  });

  it('lists an ISMS manager who is also top management once', () => {
    const programme = theProgramme();
    const merged: Programme = { ...programme, roles: { ...programme.roles, ismsManager: 'cto' } };
    expect(template(merged).match(/- person: cto/g)).toHaveLength(1);
  });
});

describe('accepted minutes for people', () => {
  const hostile = withLine(
    '  b: Cloud migration; climate change considered, not a relevant issue.',
    '  b: "<script>alert(1)</script> & <b>bold</b>"',
  )
    .replace('    role: Deputy for the CTO', '    role: "Deputy <img src=x onerror=alert(1)>"')
    .replace(
      '    text: Fund a second security engineer.',
      '    text: "Fund <a href=\'javascript:alert(1)\'>this</a>"',
    )
    .replace(
      '    rationale: Supports the 2027 growth strategy.',
      '    rationale: "Aligned\u202e with strategy \\" onmouseover=x"',
    )
    .replace(
      '    description: Hardware keys for the 12 administrators.',
      '    description: "<iframe src=evil>"',
    );

  function minutesOf(text: string) {
    const result = validateMinutes(text, theContext());
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return result.minutes;
  }

  it('read as plain text with names, dates in the organisation zone and the action ids', () => {
    const text = renderMinutesText(minutesOf(VALID_MINUTES), theProgramme(), {
      version: 2,
      actionIds: ['A-20261001T0800Z-Q-003', 'A-20261001T0800Z-Q-004'],
    });
    expect(text).toContain('Held: Thursday 29 October 2026, 09:30 UK time, review C-20261001T0800Z-Q');
    expect(text).toContain('Version 2 of these minutes, replacing version 1.');
    expect(text).toContain('- Carol Chief, Chair, Chief Executive Officer (top management)');
    expect(text).toContain('- Sam Secure, Deputy for the CTO: proxy for Tom Tech');
    expect(text).toContain('Absent: Tom Tech, Chief Technology Officer (top management)');
    expect(text).toContain('- d3. Audit results: Internal audit of HR held; two minor findings.');
    expect(text).toContain(
      '- D1 Improvements to processes and controls (input g): Roll out phishing-resistant MFA to all administrators.',
    );
    expect(text).toContain(
      '- A-20261001T0800Z-Q-003: Enforce MFA for administrator accounts (owner Sam Secure, due 31 January 2027, decision D1)',
    );
    expect(text).toContain('(owner Ann Auditor, due 15 December 2026, corrective)');
    expect(text).toContain('- Adequacy: partly. One engineer short; decision D2 addresses it.');
    expect(text).toContain(
      '- Changes to the ISMS: Phishing-resistant MFA for administrators becomes an ISMS control (D1).',
    );
    expect(text).toContain('- Resources: A second security engineer is funded (D2).');
  });

  it('escape every piece of user text in HTML', () => {
    const programme = theProgramme();
    const people = programme.people.map((person) =>
      person.id === 'ceo' ? { ...person, name: 'Carol <Chief> & "Co"' } : person,
    );
    const page = renderMinutesHtml(minutesOf(hostile), { ...programme, people });
    expect(page).toMatch(/^<!DOCTYPE html>/);
    for (const markup of [
      '<script',
      '<b>bold',
      '<img',
      "<a href='javascript",
      '<iframe',
      '<Chief>',
      '\u202e',
    ]) {
      expect(page).not.toContain(markup);
    }
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expect(page).toContain('Deputy &lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('Fund &lt;a href=&#39;javascript:alert(1)&#39;&gt;this&lt;/a&gt;');
    expect(page).toContain('Aligned with strategy &quot; onmouseover=x');
    expect(page).toContain('&lt;iframe src=evil&gt;');
    expect(page).toContain('Carol &lt;Chief&gt; &amp; &quot;Co&quot;');
  });

  it('say so when nothing was decided', () => {
    const none = VALID_MINUTES.replace(/decisions:\n( {2}.*\n)+/, 'decisions: []\n').replace(
      /actions:\n( {2}.*\n)+/,
      'actions: []\n',
    );
    const minutes = minutesOf(none);
    expect(renderMinutesText(minutes, theProgramme())).toContain('No decisions were recorded.');
    expect(renderMinutesHtml(minutes, theProgramme())).toContain('No actions were decided.');
  });
});
