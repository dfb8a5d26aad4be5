/**
 * validateMinutes: every rejection the ISMS manager can meet, with the message they read, then
 * the valid minutes and what they become.
 */
import { describe, it, expect } from 'vitest';
import { decisionIdFor } from '#shared/model/ids.ts';
import { DECISION_CATEGORIES } from '#shared/model/meeting.ts';
import { decisionCategoryOf, MAX_MINUTES_BYTES } from '#shared/model/minutes.ts';
import { declaredReplaces, validateMinutes, type MinutesContext } from '#shared/minutes/validate.ts';
import { CYCLE_ID, lineOf, theContext, theCycle, VALID_MINUTES, withLine } from './support.ts';

function problemsOf(text: string, ctx: MinutesContext = theContext()): string[] {
  const result = validateMinutes(text, ctx);
  if (result.ok) throw new Error('expected the minutes to be refused, but they were accepted');
  return result.problems;
}

/** The one problem of minutes that break one rule. */
function theProblem(text: string, ctx?: MinutesContext): string {
  const problems = problemsOf(text, ctx);
  expect(problems, problems.join('\n')).toHaveLength(1);
  return problems[0]!;
}

function accepted(text: string, ctx: MinutesContext = theContext()) {
  const result = validateMinutes(text, ctx);
  if (!result.ok) throw new Error(`expected the minutes to be accepted:\n${result.problems.join('\n')}`);
  return result.minutes;
}

describe('text that is not minutes', () => {
  it('reports YAML syntax errors with line and column', () => {
    const text = withLine("  time: '09:30'", "  time: '09:30\n  oops: [");
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^line \d+, column \d+: YAML syntax: /);
    expect(problems[0]).toContain('spaces, not tabs');
  });

  it('reports the line of a tab used for indentation', () => {
    const problems = problemsOf(withLine('    status: absent', '\tstatus: absent'));
    expect(problems[0]).toMatch(/^line 10, column 1: YAML syntax: /);
  });

  it('reports a field written twice', () => {
    const text = withLine('  c: considered, nothing to report', '  c: one\n  c: two');
    expect(problemsOf(text)[0]).toMatch(
      new RegExp(`^${lineOf(text, 'c: two')}, column \\d+: YAML syntax: .*[Uu]nique`),
    );
  });

  it('refuses empty text and text that is not a mapping', () => {
    expect(theProblem('')).toBe('the minutes are empty; fill in the minutes template and send it back');
    expect(theProblem('# only a comment\n')).toContain('the minutes are empty');
    expect(theProblem('We met and agreed everything.')).toBe(
      'line 1 (top level): "We met and agreed everything." is not minutes; expected the minutes template ' +
        '(fields meeting, attendees, inputsConsidered, decisions, actions, changesToTheIsms, resourceNeeds, assessment)',
    );
  });

  it('refuses minutes too long to store, before reading them', () => {
    const text = VALID_MINUTES + `# ${'x'.repeat(MAX_MINUTES_BYTES)}\n`;
    expect(theProblem(text)).toMatch(/^the minutes are 6\d KB long; at most 64 KB are accepted/);
  });
});

describe('unknown fields', () => {
  it('are named with the fields expected there and the likely one', () => {
    const text = withLine('  time:', '  tme: x\n  time:')
      .replace('    status: absent', '    status: absent\n    stauts: x')
      .replace('assessment:', 'asessment: {}\nassessment:');
    expect(problemsOf(text)).toEqual([
      `${lineOf(text, 'tme')} meeting.tme: "tme" is not a known field here (did you mean "time"?); expected date and time`,
      `${lineOf(text, 'stauts')} attendees[1].stauts: "stauts" is not a known field here (did you mean "status"?); expected person, status, proxyFor and role`,
      `${lineOf(text, 'asessment')} asessment: "asessment" is not a known field here (did you mean "assessment"?); expected cycle, replaces, meeting, attendees, inputsConsidered, decisions, actions, changesToTheIsms, resourceNeeds and assessment`,
    ]);
  });

  it('are found inside decisions, actions and assessment aspects too', () => {
    const text = withLine(
      '    text: Fund a second security engineer.',
      '    text: Fund a second security engineer.\n    owner: cto',
    )
      .replace('    corrective: true', '    corrective: true\n    priority: high')
      .replace('    verdict: partly', '    verdict: partly\n    score: 3');
    expect(problemsOf(text)).toEqual([
      `${lineOf(text, 'owner: cto')} decisions[1].owner: "owner" is not a known field here; expected ref, category, text and input`,
      `${lineOf(text, 'priority')} actions[1].priority: "priority" is not a known field here; expected title, owner, due, decision, corrective and description`,
      `${lineOf(text, 'score')} assessment.adequacy.score: "score" is not a known field here; expected verdict and rationale`,
    ]);
  });
});

describe('the meeting', () => {
  it('needs a real date and time', () => {
    expect(theProblem(withLine('  date: 2026-10-29', '  date:'))).toBe(
      'line 4 meeting.date: is missing; write the day the meeting was held as yyyy-mm-dd, e.g. 2026-10-29',
    );
    expect(theProblem(withLine('  date: 2026-10-29', '  date: 29/10/2026'))).toBe(
      'line 4 meeting.date: "29/10/2026" is not a date; write yyyy-mm-dd, e.g. 2026-10-30',
    );
    expect(theProblem(withLine('  date: 2026-10-29', '  date: 2026-02-30'))).toContain(
      '"2026-02-30" is not a date',
    );
    expect(theProblem(withLine("  time: '09:30'", '  time: half past nine'))).toBe(
      'line 5 meeting.time: "half past nine" is not a time; write hh:mm on the 24-hour clock, e.g. 09:30',
    );
    expect(theProblem(withLine("meeting:\n  date: 2026-10-29\n  time: '09:30'\n", ''))).toBe(
      'line 2 meeting: is missing; give the date and time of the meeting (date: yyyy-mm-dd, time: hh:mm)',
    );
  });

  it('cannot be in the future, nor before the review opened', () => {
    expect(theProblem(withLine('  date: 2026-10-29', '  date: 2026-10-31'))).toBe(
      'line 4 meeting.date: 2026-10-31 09:30 UK time is in the future (it is now 2026-10-30 10:00); write when the meeting was held',
    );
    expect(theProblem(withLine('  date: 2026-10-29', '  date: 2026-09-30'))).toBe(
      `line 4 meeting.date: 2026-09-30 09:30 UK time is before review ${CYCLE_ID} opened (2026-10-01 09:00); write when this review's meeting was held`,
    );
  });

  it('refuses a time the clocks skipped', () => {
    const ctx = theContext({ now: new Date('2027-04-01T10:00:00Z') });
    const text = withLine('  date: 2026-10-29', '  date: 2027-03-28').replace("'09:30'", "'01:30'");
    expect(problemsOf(text, ctx)).toContain(
      'line 5 meeting.time: 2027-03-28 01:30 does not exist in UK time (the clocks went forward that night); write the time the clocks showed',
    );
  });

  it('must be for the review it is submitted to', () => {
    expect(theProblem(withLine(`cycle: ${CYCLE_ID}`, 'cycle: C-20260701T0800Z-Q'))).toBe(
      `line 2 cycle: these minutes say they are for review C-20260701T0800Z-Q, but they were submitted for ${CYCLE_ID}; check that you are answering the right review, or correct the line`,
    );
  });
});

describe('attendance', () => {
  it('needs at least one member of top management present in person; a proxy does not count', () => {
    const text = withLine('  - person: ceo\n    status: present', '  - person: ceo\n    status: absent');
    expect(theProblem(text)).toBe(
      'line 6 attendees: no member of top management attended in person; a proxy does not count: Sam Secure ' +
        'stood in for Tom Tech. Top management is Carol Chief (ceo, chair) and Tom Tech (cto): mark those who ' +
        'attended as present. Clause 9.3 asks top management itself to review the ISMS',
    );
  });

  it('names an unknown person with the closest names in the programme', () => {
    expect(theProblem(withLine('  - person: ceo', '  - person: Carol'))).toBe(
      'line 7 attendees[0].person: "Carol" is not a person in the programme (did you mean ceo (Carol Chief)?); write the id or email of a person in the programme',
    );
    expect(theProblem(withLine('  - person: alice', '  - person: alise'))).toBe(
      'line 15 attendees[3].person: "alise" is not a person in the programme (did you mean alice (Alice Example)?); write the id or email of a person in the programme',
    );
    expect(theProblem(withLine('    proxyFor: cto', '    proxyFor: zed@elsewhere.org'))).toBe(
      'line 13 attendees[2].proxyFor: "zed@elsewhere.org" is not a person in the programme; the people in the ' +
        'programme are alice (Alice Example), ceo (Carol Chief), cto (Tom Tech), ciso (Sam Secure), auditor (Ann ' +
        'Auditor); write the id or email of a person in the programme',
    );
  });

  it('needs a status, and a proxy says for whom', () => {
    expect(theProblem(withLine('    status: absent', '    status: late'))).toBe(
      'line 10 attendees[1].status: "late" is not valid; expected present, absent, proxy',
    );
    expect(theProblem(withLine('    status: absent', '    status:'))).toBe(
      'line 10 attendees[1].status: is missing; write present, absent or proxy',
    );
    expect(theProblem(withLine('    proxyFor: cto\n', ''))).toBe(
      'line 11 attendees[2].proxyFor: is missing; ciso (Sam Secure) attended as a proxy: write whom they stood in for (proxyFor: <id or email>)',
    );
    expect(theProblem(withLine('    status: proxy', '    status: present'))).toBe(
      'line 13 attendees[2].proxyFor: only a proxy names someone in proxyFor, and ciso (Sam Secure) is marked present; write "status: proxy" or remove proxyFor',
    );
  });

  it('lists each person once, and a proxy stands in for someone absent', () => {
    expect(theProblem(withLine('  - person: alice', '  - person: CEO'))).toBe(
      'line 15 attendees[3].person: ceo (Carol Chief) is listed twice (also attendees[0]); list each person once',
    );
    expect(theProblem(withLine('    proxyFor: cto', '    proxyFor: ceo'))).toBe(
      'line 13 attendees[2].proxyFor: ceo (Carol Chief) is listed as present (attendees[0]); a proxy stands in for someone who did not attend: correct the status of one of them',
    );
  });

  it('needs someone listed', () => {
    const text = VALID_MINUTES.replace(/attendees:\n( {2}.*\n)+/, 'attendees: []\n');
    expect(theProblem(text)).toBe(
      'line 6 attendees: is empty; list who attended, each with a status (present, absent or proxy)',
    );
  });
});

describe('inputs considered', () => {
  it('names an input not considered with its title', () => {
    expect(theProblem(withLine('  d3: Internal audit of HR held; two minor findings.\n', ''))).toBe(
      'line 17 inputsConsidered: input d3 "Audit results" is not recorded as considered; add the line "d3: <what was considered>", or "d3: considered, nothing to report"',
    );
    expect(theProblem(withLine('  e: considered, nothing to report', '  e:'))).toBe(
      'line 25 inputsConsidered.e: has no note; input e "Feedback from interested parties" must be recorded as considered: write what was considered, or "considered, nothing to report"',
    );
  });

  it('refuses a key the review does not have, and reads keys in any case', () => {
    const text = withLine('  d2: Patch', '  d5: Patch').replace('  d4:', '  D4:');
    expect(problemsOf(text)).toEqual([
      'line 17 inputsConsidered: input d2 "Monitoring and measurement results" is not recorded as considered; add the line "d2: <what was considered>", or "d2: considered, nothing to report"',
      `${lineOf(text, 'd5:')} inputsConsidered.d5: "d5" is not an input of this review (did you mean "d1"?); its inputs are a, b, c, d1, d2, d3, d4, e, f and g`,
    ]);
  });

  it('is a mapping of every input', () => {
    const text = VALID_MINUTES.replace(/inputsConsidered:\n( {2}.*\n)+/, 'inputsConsidered: all of them\n');
    expect(theProblem(text)).toBe(
      'line 17 inputsConsidered: "all of them" is not a mapping; list every input of the review with what was considered, e.g. "d1: open nonconformities reviewed"',
    );
  });
});

describe('decisions', () => {
  // Titles only: people are never shown the codes (which are still accepted, see below).
  const CATEGORIES =
    '"Resource allocation", "Changes to information security objectives", ' +
    '"Changes to the risk treatment approach", "Improvements to processes and controls", ' +
    '"Other changes to the ISMS", "Other"';

  it('need a category, from the list', () => {
    expect(theProblem(withLine('    category: resource_allocation\n', ''))).toBe(
      `line 33 decisions[1].category: is missing; every decision needs a category; expected one of: ${CATEGORIES}`,
    );
    expect(theProblem(withLine('    category: resource_allocation', '    category: budget'))).toBe(
      `line 34 decisions[1].category: "budget" is not a decision category; expected one of: ${CATEGORIES}`,
    );
    expect(
      theProblem(withLine('    category: resource_allocation', '    category: resource alocation')),
    ).toContain('(did you mean "Resource allocation"?)');
  });

  it('accept the ids and the titles of categories in any case', () => {
    for (const category of DECISION_CATEGORIES) expect(decisionCategoryOf(category)).toBe(category);
    expect(decisionCategoryOf('CHANGES TO INFORMATION SECURITY OBJECTIVES')).toBe('security_objectives');
    expect(decisionCategoryOf('Changes to security objectives')).toBe('security_objectives');
    expect(decisionCategoryOf('changes to the risk treatment approach')).toBe('risk_treatment_approach');
    expect(decisionCategoryOf('Resource-Allocation')).toBe('resource_allocation');
    expect(decisionCategoryOf('')).toBeUndefined();
    expect(decisionCategoryOf('budget')).toBeUndefined();
  });

  it('need a text and a ref of their own, and answer an input of the review', () => {
    expect(theProblem(withLine('    text: Fund a second security engineer.', '    text: ""'))).toBe(
      'line 35 decisions[1].text: is missing; write what was decided',
    );
    expect(theProblem(withLine('  - ref: D2', '  - ref: d1'))).toBe(
      'line 33 decisions[1].ref: "d1" is used twice (also decisions[0]); give each decision its own ref',
    );
    expect(theProblem(withLine('  - ref: D2', '  - ref: decision two'))).toBe(
      'line 33 decisions[1].ref: "decision two" is not a short label; use letters, digits, ".", "_" or "-" (at most 16), e.g. D1',
    );
    expect(theProblem(withLine('    input: g', '    input: gg'))).toBe(
      'line 32 decisions[0].input: "gg" is not an input of this review (did you mean "g"?); its inputs are a, b, c, d1, d2, d3, d4, e, f and g',
    );
  });

  it('may be none, written as an empty field or []', () => {
    const none = VALID_MINUTES.replace(/decisions:\n( {2}.*\n)+/, 'decisions:\n').replace(
      '    decision: D1\n',
      '',
    );
    expect(accepted(none).decisions).toEqual([]);
    const missing = VALID_MINUTES.replace(/decisions:\n( {2}.*\n)+/, '').replace('    decision: D1\n', '');
    expect(theProblem(missing)).toBe(
      'line 2 decisions: is missing; list the decisions, or write [] if there were none',
    );
  });
});

describe('actions', () => {
  it('need an owner and a due date', () => {
    expect(theProblem(withLine('    owner: ciso\n', ''))).toBe(
      'line 37 actions[0].owner: is missing; every action needs one owner: write the id or email of a person in the programme',
    );
    expect(theProblem(withLine('    due: 2027-01-31\n', ''))).toBe(
      'line 37 actions[0].due: is missing; every action needs a due date: write it as yyyy-mm-dd',
    );
    expect(theProblem(withLine('    due: 2027-01-31', '    due: end of January'))).toBe(
      'line 39 actions[0].due: "end of January" is not a date; write the due date as yyyy-mm-dd, e.g. 2026-11-29',
    );
  });

  it('cannot be due in the past, counted in the organisation time zone', () => {
    expect(theProblem(withLine('    due: 2026-12-15', '    due: 2026-10-29'))).toBe(
      'line 44 actions[1].due: 2026-10-29 is in the past (today is 2026-10-30, UK time); give a due date from today on',
    );
    expect(accepted(withLine('    due: 2026-12-15', '    due: 2026-10-30')).actions[1]?.dueDate).toBe(
      '2026-10-30',
    );
    // 23:30 UTC on 31 July is already 1 August in London: 31 July is yesterday there.
    const summer = theContext({
      now: new Date('2026-07-31T23:30:00Z'),
      cycle: theCycle({ openedAt: '2026-07-01T08:00:00.000Z', plannedMeetingAt: '2026-07-29T08:00:00.000Z' }),
    });
    const july = withLine('  date: 2026-10-29', '  date: 2026-07-29')
      .replace('    due: 2026-12-15', '    due: 2026-07-31')
      .replace('    due: 2027-01-31', '    due: 2026-08-01');
    expect(theProblem(july, summer)).toBe(
      'line 44 actions[1].due: 2026-07-31 is in the past (today is 2026-08-01, UK time); give a due date from today on',
    );
  });

  it('point to a decision of the minutes', () => {
    expect(theProblem(withLine('    decision: D1', '    decision: D3'))).toBe(
      'line 40 actions[0].decision: "D3" is not a decision of these minutes (did you mean "D1"?); its decisions are D1 and D2',
    );
    const none = VALID_MINUTES.replace(/decisions:\n( {2}.*\n)+/, 'decisions: []\n');
    expect(theProblem(none)).toBe(
      `${lineOf(none, 'decision: D1')} actions[0].decision: "D1" is not a decision of these minutes: they record no decisions; add the decision under decisions, or remove this line`,
    );
  });

  it('name their owner from the programme', () => {
    expect(theProblem(withLine('    owner: ciso', '    owner: cisco'))).toBe(
      'line 38 actions[0].owner: "cisco" is not a person in the programme (did you mean ciso (Sam Secure)?); write the id or email of a person in the programme',
    );
  });

  it('say corrective with true or false', () => {
    expect(theProblem(withLine('    corrective: true', '    corrective: maybe'))).toBe(
      'line 45 actions[1].corrective: "maybe" is not true or false',
    );
    expect(accepted(withLine('    corrective: true', '    corrective: yes')).actions[1]?.corrective).toBe(
      true,
    );
  });
});

describe('the assessment', () => {
  it('needs every aspect with a verdict and a rationale', () => {
    expect(
      theProblem(
        withLine('  alignment:\n    verdict: yes\n    rationale: Supports the 2027 growth strategy.\n', ''),
      ),
    ).toBe(
      "line 48 assessment.alignment: is missing; is it aligned with the organisation's strategic direction? Give verdict (yes, partly or no) and rationale",
    );
    expect(theProblem(withLine('    rationale: One engineer short; decision D2 addresses it.\n', ''))).toBe(
      'line 52 assessment.adequacy.rationale: is missing; say why, in a sentence or two',
    );
    expect(theProblem(withLine('    verdict: partly', '    verdict: mostly'))).toBe(
      'line 53 assessment.adequacy.verdict: "mostly" is not valid; expected yes, partly, no',
    );
    const missing = VALID_MINUTES.slice(0, VALID_MINUTES.indexOf('assessment:'));
    expect(theProblem(missing)).toBe(
      'line 2 assessment: is missing; give a verdict (yes, partly or no) and its rationale for each of suitability, adequacy, effectiveness, alignment',
    );
  });
});

describe('every problem at once', () => {
  it('lists all of them, in the order of the text', () => {
    const text = withLine('  - person: ceo\n    status: present', '  - person: ceo\n    status: absent')
      .replace('  d3: Internal audit of HR held; two minor findings.\n', '')
      .replace('    category: resource_allocation', '    category: budget')
      .replace('    owner: ciso\n', '')
      .replace('    due: 2026-12-15', '    due: 2026-01-01')
      .replace('    decision: D1', '    decision: D9')
      .replace('    rationale: Supports the 2027 growth strategy.\n', '')
      .replace('  - person: alice', '  - person: alicia');
    const problems = problemsOf(text);
    expect(problems.map((problem) => problem.replace(/:.*/, ''))).toEqual([
      `${lineOf(text, 'attendees:')} attendees`,
      `${lineOf(text, 'alicia')} attendees[3].person`,
      `${lineOf(text, 'inputsConsidered:')} inputsConsidered`,
      `${lineOf(text, 'budget')} decisions[1].category`,
      `${lineOf(text, 'Enforce MFA')} actions[0].owner`,
      `${lineOf(text, 'D9')} actions[0].decision`,
      `${lineOf(text, '2026-01-01')} actions[1].due`,
      `${lineOf(text, '  alignment:')} assessment.alignment.rationale`,
    ]);
  });
});

describe('valid minutes', () => {
  it('become the model types: people resolved, decision ids given, time in UTC', () => {
    const minutes = accepted(VALID_MINUTES);
    expect(minutes.cycleId).toBe(CYCLE_ID);
    // 09:30 in London on 29 October 2026 is GMT (summer time ended on the 25th).
    expect(minutes.heldAt).toBe('2026-10-29T09:30:00.000Z');
    expect(minutes.meeting).toEqual({ date: '2026-10-29', time: '09:30', timeZone: 'Europe/London' });
    expect(minutes.attendance).toEqual([
      { personId: 'ceo', role: 'Chair, Chief Executive Officer', topManagement: true, status: 'present' },
      { personId: 'cto', role: 'Chief Technology Officer', topManagement: true, status: 'absent' },
      {
        personId: 'ciso',
        role: 'Deputy for the CTO',
        topManagement: false,
        status: 'proxy',
        proxyFor: 'cto',
      },
      { personId: 'alice', role: 'ISMS Manager', topManagement: false, status: 'present' },
    ]);
    expect(minutes.inputsConsidered.map((input) => input.key)).toEqual(theContext().catalogueKeys);
    expect(minutes.inputsConsidered[2]).toEqual({
      key: 'c',
      title: 'Changes in needs and expectations of interested parties',
      note: 'considered, nothing to report',
    });
    const [d1, d2] = [decisionIdFor(CYCLE_ID, 1), decisionIdFor(CYCLE_ID, 2)];
    expect(minutes.decisions).toEqual([
      {
        id: d1,
        category: 'processes_and_controls',
        text: 'Roll out phishing-resistant MFA to all administrators.',
        inputKey: 'g',
      },
      { id: d2, category: 'resource_allocation', text: 'Fund a second security engineer.' },
    ]);
    expect(minutes.decisionRefs).toEqual({ [d1]: 'D1', [d2]: 'D2' });
    expect(minutes.actions).toEqual([
      {
        title: 'Enforce MFA for administrator accounts',
        description: 'Hardware keys for the 12 administrators.',
        ownerId: 'ciso',
        dueDate: '2027-01-31',
        corrective: false,
        decisionId: d1,
        inputKey: 'g',
      },
      {
        title: 'Close the two HR audit findings',
        ownerId: 'auditor',
        dueDate: '2026-12-15',
        corrective: true,
      },
    ]);
    expect(minutes.assessment.effectiveness).toEqual({
      verdict: 'yes',
      rationale: 'Three of four objectives met; incidents down.',
    });
    expect(minutes.replaces).toBeUndefined();
  });

  it('read summer time in the organisation zone, and survive what mail clients do to spaces and line ends', () => {
    const summer = theContext({
      now: new Date('2026-08-01T10:00:00Z'),
      cycle: theCycle({ openedAt: '2026-07-01T08:00:00.000Z', plannedMeetingAt: '2026-07-29T08:00:00.000Z' }),
    });
    const text = withLine('  date: 2026-10-29', '  date: 2026-07-29')
      .replace("'09:30'", '9:05')
      .replace('  - person: ceo', '\u00a0 - person: ceo')
      .replace(/\n/g, '\r\n');
    const minutes = accepted(`\uFEFF${text}`, summer);
    expect(minutes.heldAt).toBe('2026-07-29T08:05:00.000Z');
    expect(minutes.meeting.time).toBe('09:05');
  });

  it('number decisions after those of the version they replace', () => {
    const minutes = accepted(`replaces: 1\n${VALID_MINUTES}`, theContext({ firstDecisionNumber: 3 }));
    expect(minutes.decisions.map((decision) => decision.id)).toEqual([
      decisionIdFor(CYCLE_ID, 3),
      decisionIdFor(CYCLE_ID, 4),
    ]);
    expect(minutes.actions[0]?.decisionId).toBe(decisionIdFor(CYCLE_ID, 3));
    expect(minutes.replaces).toBe(1);
    expect(theProblem(`replaces: first\n${VALID_MINUTES}`)).toBe(
      'line 1 replaces: "first" is not a version number, e.g. 1',
    );
  });

  it('say which version they replace, read even when the rest is wrong', () => {
    expect(declaredReplaces(`replaces: 2\n${withLine('    owner: ciso\n', '')}`)).toBe(2);
    expect(declaredReplaces(VALID_MINUTES)).toBeUndefined();
    expect(declaredReplaces('replaces: two')).toBeUndefined();
    expect(declaredReplaces('replaces: [')).toBeUndefined();
  });

  it('need no cycle line', () => {
    expect(accepted(withLine(`cycle: ${CYCLE_ID}\n`, '')).cycleId).toBe(CYCLE_ID);
  });
});
