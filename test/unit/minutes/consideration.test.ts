/**
 * What the minutes must say to prove the review considered its inputs and decided its outcomes
 * (clause 9.3.2 and 9.3.3), on programme.example.yaml: no "nothing to report" for an input nobody
 * provided or a decision answers, an outcome on changes to the ISMS and on resources, and minutes
 * only once the planned meeting could have ended. Refusals first, with the message read.
 */
import { describe, it, expect } from 'vitest';
import { parseDocument } from 'yaml';
import type { InputRequestStatus } from '#shared/model/input.ts';
import { MinutesRecord, minutesHash } from '#shared/model/minutes-record.ts';
import { acknowledgesMissing, outcomeFault, saysNothing } from '#shared/minutes/consideration-checks.ts';
import { inputStatusesOf } from '#shared/minutes/reading.ts';
import { renderMinutesText } from '#shared/minutes/template.ts';
import { validateMinutes, type MinutesContext } from '#shared/minutes/validate.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import { meetingMinutesOf, personById, programmeCatalogue } from '#shared/programme/queries.ts';
import { ReviewSchema, type Programme } from '#shared/programme/schema.ts';
import { CYCLE_ID, lineOf, theCycle } from './support.ts';

const programme = loadProgrammeFile('programme.example.yaml');
const KEYS = programmeCatalogue(programme).map((input) => input.key);
/** The meeting is planned for 29 October 2026 at 08:00 UTC (GMT in London), for 90 minutes. */
const PLANNED = '2026-10-29T08:00:00.000Z';
const AFTER = new Date('2026-10-29T12:00:00Z');
/** The owners of e and f, as the messages name them. */
const E_OWNER = personById(programme, 'customer-lead').name;
const F_OWNER = personById(programme, 'risk-owner').name;

/** Every input answered except e (customer-lead never answered); a is filled by the system. */
const STATUSES = inputStatusesOf([
  { inputKey: 'a', automatic: true, status: 'REQUESTED' },
  ...KEYS.filter((key) => key !== 'a').map((key) => ({
    inputKey: key,
    automatic: false,
    status: (key === 'e' ? 'NOT_PROVIDED' : 'SUBMITTED') as InputRequestStatus,
  })),
]);

function context(overrides: Partial<MinutesContext> = {}): MinutesContext {
  return {
    programme,
    cycle: theCycle({ programmeId: 'example-ltd', plannedMeetingAt: PLANNED }),
    catalogueKeys: KEYS,
    now: AFTER,
    inputStatuses: STATUSES,
    ...overrides,
  };
}

/** Minutes of the meeting that pass every rule: each test breaks one. */
const MINUTES = `cycle: ${CYCLE_ID}
meeting:
  date: 2026-10-29
  time: '08:00'
attendees:
  - { person: ceo, status: present }
  - { person: cfo, status: present }
  - { person: cto, status: absent }
  - { person: alice, status: present }
inputsConsidered:
  a: Two actions from the last review closed, one open and on track.
  b: considered, nothing to report
  c: The risk owner asked for a second supplier assessment.
  d1: considered, nothing to report
  d2: considered, nothing to report
  d3: considered, nothing to report
  d4: considered, nothing to report
  e: not provided; Emily Carter to report at the next review
  f: considered, nothing to report
  g: considered, nothing to report
decisions:
  - { ref: D1, category: resource allocation, text: Fund a second supplier assessment., input: c }
actions: []
changesToTheIsms: "no changes needed: scope, risks and controls unchanged since the last review"
resourceNeeds: Budget for a second supplier assessment this quarter (D1).
assessment:
  suitability: { verdict: yes, rationale: The scope matches the business. }
  adequacy: { verdict: partly, rationale: Customer feedback was not provided. }
  effectiveness: { verdict: yes, rationale: Objectives were met. }
  alignment: { verdict: yes, rationale: The ISMS supports the strategy. }
`;

/** The minutes with one field set (a YAML path), written as YAML writes it. */
function withField(path: (string | number)[], value: unknown, text = MINUTES): string {
  const doc = parseDocument(text);
  doc.setIn(path, value);
  return doc.toString();
}

function problemsOf(text: string, ctx = context()): string[] {
  const result = validateMinutes(text, ctx);
  if (result.ok) throw new Error('expected the minutes to be refused, but they were accepted');
  return result.problems;
}

function theProblem(text: string, ctx = context()): string {
  const problems = problemsOf(text, ctx);
  expect(problems, problems.join('\n')).toHaveLength(1);
  return problems[0]!;
}

function accepted(text: string, ctx = context()) {
  const result = validateMinutes(text, ctx);
  if (!result.ok) throw new Error(`expected the minutes to be accepted:\n${result.problems.join('\n')}`);
  return result.minutes;
}

/** "Nothing to report", written the many ways people write it. */
const NOTHING_NOTES = [
  'considered, nothing to report',
  'Considered - Nothing to report.',
  '  CONSIDERED ,  nothing   TO report!! ',
  'nothing to report',
  'Nothing to report this quarter',
  'n/a',
  'N/A.',
  'NA',
  'not applicable',
  'none',
  'None.',
  'nil',
  'ok',
  'OK!',
  'okay',
  'fine',
  'no issues',
  'No issues raised.',
  'Reviewed; no concerns were raised',
  'no significant changes',
  'nothing new to report',
  'Nothing of note',
  'There is nothing to report',
  'Discussed.',
  'considered',
];

describe('an input nobody provided', () => {
  it('is not "considered, nothing to report": the note says what the meeting did about it', () => {
    const text = withField(['inputsConsidered', 'e'], 'considered, nothing to report');
    expect(theProblem(text)).toBe(
      `${lineOf(text, '  e:')} inputsConsidered.e: input e "Feedback from interested parties" was not provided ` +
        '(its owner did not answer the request by the deadline), yet the note says "considered, nothing to ' +
        `report"; write what the meeting did about the missing input, e.g. "e: not provided; ${E_OWNER} to ` +
        'report at the next review"',
    );
  });

  it.each(NOTHING_NOTES)('is refused with the note %j', (note) => {
    expect(theProblem(withField(['inputsConsidered', 'e'], note))).toContain(
      'inputsConsidered.e: input e "Feedback from interested parties" was not provided',
    );
  });

  it('is refused while its request is still open, too', () => {
    const ctx = context({ inputStatuses: { ...STATUSES, f: 'REQUESTED' } });
    expect(theProblem(MINUTES, ctx)).toBe(
      `${lineOf(MINUTES, '  f:')} inputsConsidered.f: input f "Results of risk assessment and status of risk ` +
        'treatment plan" has not been provided (its request is still waiting for an answer), yet the note says ' +
        '"considered, nothing to report"; write what the meeting did about the missing input, e.g. "f: not ' +
        `provided; ${F_OWNER} to report at the next review"`,
    );
  });

  it('is found under the key as written, in any case', () => {
    const text = MINUTES.replace('  e: not provided; Emily Carter to report at the next review', '  E: none');
    expect(theProblem(text)).toMatch(
      /^line \d+ inputsConsidered\.E: input e "Feedback from interested parties"/,
    );
  });

  it('when left out, is to be added as not provided', () => {
    const text = MINUTES.replace('  e: not provided; Emily Carter to report at the next review\n', '');
    expect(theProblem(text)).toBe(
      `${lineOf(text, 'inputsConsidered:')} inputsConsidered: input e "Feedback from interested parties" is not ` +
        'recorded as considered; add the line "e: not provided; <what the meeting did about it>" (nobody provided it)',
    );
  });

  it.each([
    'not provided; Emily Carter to report at the next review',
    'Not provided.',
    'Missing: Emily was on leave; the chair will chase it',
    'No input received; escalated to the CEO',
    'The survey report was not received in time; deferred to the next review',
    "Emily didn't send it; deferred",
    'Never arrived. Customer Success to present it in January.',
    'Unanswered: D2 makes it a standing input',
  ])('is accepted when the note says so: %j', (note) => {
    const minutes = accepted(withField(['inputsConsidered', 'e'], note));
    expect(minutes.inputsConsidered.find((input) => input.key === 'e')?.note).toBe(note.trim());
  });

  it('may be "nothing to report" when it was answered, and the automatic input is always answered', () => {
    const text = withField(['inputsConsidered', 'a'], 'considered, nothing to report');
    const minutes = accepted(withField(['inputsConsidered', 'e'], 'not provided', text));
    expect(minutes.inputsConsidered.find((input) => input.key === 'a')?.note).toBe(
      'considered, nothing to report',
    );
  });

  it('is not known when the minutes are checked on their own: the rule is skipped, the others apply', () => {
    const text = withField(['inputsConsidered', 'e'], 'considered, nothing to report');
    expect(accepted(text, context({ inputStatuses: undefined })).inputsConsidered[7]?.note).toBe(
      'considered, nothing to report',
    );
    const cited = withField(['inputsConsidered', 'c'], 'none', text);
    expect(theProblem(cited, context({ inputStatuses: undefined }))).toContain(
      'inputsConsidered.c: decision D1 answers input c',
    );
  });
});

describe('an input a decision answers', () => {
  it('is not "nothing to report": something in it led to the decision', () => {
    const text = withField(['inputsConsidered', 'c'], 'considered, nothing to report');
    expect(theProblem(text)).toBe(
      `${lineOf(text, '  c:')} inputsConsidered.c: decision D1 answers input c "Changes in needs and ` +
        'expectations of interested parties", yet its note says "considered, nothing to report"; write what ' +
        'was considered in it that led to the decision',
    );
  });

  it.each(NOTHING_NOTES)('is refused with the note %j', (note) => {
    expect(theProblem(withField(['inputsConsidered', 'c'], note))).toContain(
      'inputsConsidered.c: decision D1 answers input c',
    );
  });

  it('names every decision that answers it', () => {
    const text = withField(['inputsConsidered', 'c'], 'n/a');
    const two = text.replace(
      'decisions:\n',
      'decisions:\n  - { ref: R7, category: other, text: Review the supplier list yearly., input: C }\n',
    );
    expect(theProblem(two)).toContain('inputsConsidered.c: decisions R7 and D1 answer input c');
  });

  it('that nobody provided either: both contradictions are reported', () => {
    const text = withField(
      ['inputsConsidered', 'e'],
      'Nothing to report',
      MINUTES.replace('input: c }', 'input: e }'),
    );
    const problems = problemsOf(withField(['inputsConsidered', 'c'], 'considered, nothing to report', text));
    expect(problems.map((problem) => problem.replace(/; .*/, ''))).toEqual([
      `${lineOf(text, '  e:')} inputsConsidered.e: input e "Feedback from interested parties" was not provided (its owner did not answer the request by the deadline), yet the note says "Nothing to report"`,
      `${lineOf(text, '  e:')} inputsConsidered.e: decision D1 answers input e "Feedback from interested parties", yet its note says "Nothing to report"`,
    ]);
  });
});

describe('the clause 9.3.3 outcomes', () => {
  it('are required, each', () => {
    const text = MINUTES.replace(/^changesToTheIsms: .*\n/m, '').replace(/^resourceNeeds: .*\n/m, '');
    expect(problemsOf(text)).toEqual([
      'line 1 changesToTheIsms: is missing; write the changes to the ISMS the review decided (with their ' +
        'decision refs), or "no changes needed: <why>"',
      'line 1 resourceNeeds: is missing; write the resources the ISMS needs and what was decided about them, ' +
        'or "no additional resources needed: <why>"',
    ]);
  });

  it.each([null, '', '   '])('are not blank (%j)', (value) => {
    const text = withField(['resourceNeeds'], value);
    expect(theProblem(text)).toBe(
      `${lineOf(text, 'resourceNeeds:')} resourceNeeds: is missing; write the resources the ISMS needs and what ` +
        'was decided about them, or "no additional resources needed: <why>"',
    );
  });

  it('are text, not a list', () => {
    const text = withField(['changesToTheIsms'], ['Add the Leeds office to the scope']);
    expect(theProblem(text)).toMatch(/^line \d+ changesToTheIsms: a list is not text; write the changes/);
  });

  it.each([
    'none',
    'None.',
    'N/A',
    'no changes',
    'No changes needed',
    'nothing',
    'Not needed',
    'unchanged',
    '-',
  ])('are not "none" alone (%j)', (value) => {
    const text = withField(['changesToTheIsms'], value);
    expect(theProblem(text)).toBe(
      `${lineOf(text, 'changesToTheIsms:')} changesToTheIsms: ${JSON.stringify(value)} is not an outcome: ` +
        'clause 9.3.3 asks the review to decide on any needs for changes to the ISMS; write the changes to ' +
        'the ISMS the review decided (with their decision refs), or "no changes needed: <why>"',
    );
  });

  it.each(['no changes needed: fine', 'None needed - ok', 'no additional resources: n/a'])(
    'give the reason with "no changes" (%j)',
    (value) => {
      const text = withField(['resourceNeeds'], value);
      expect(theProblem(text)).toBe(
        `${lineOf(text, 'resourceNeeds:')} resourceNeeds: ${JSON.stringify(value)} gives no reason; say why in a ` +
          'few words, e.g. "no additional resources needed: the current team covers the treatment plan"',
      );
    },
  );

  it('are kept as written, and shown in the minutes', () => {
    const text = withField(['resourceNeeds'], '  no additional resources needed: budget sufficient ');
    const minutes = accepted(text);
    expect(minutes.changesToTheIsms).toBe(
      'no changes needed: scope, risks and controls unchanged since the last review',
    );
    expect(minutes.resourceNeeds).toBe('no additional resources needed: budget sufficient');
    const shown = renderMinutesText(minutes, programme);
    expect(shown).toContain('Results of the review (clause 9.3.3)');
    expect(shown).toContain(
      '- Changes to the ISMS: no changes needed: scope, risks and controls unchanged since the last review',
    );
    expect(shown).toContain('- Resources: no additional resources needed: budget sufficient');
  });

  it('are not asked of minutes recorded before they were required', () => {
    const minutes = accepted(MINUTES);
    const { changesToTheIsms: _c, resourceNeeds: _r, ...earlier } = minutes;
    const record = MinutesRecord.parse({
      cycleId: CYCLE_ID,
      programmeId: 'example-ltd',
      version: 1,
      acceptedAt: AFTER.toISOString(),
      submittedBy: 'alice',
      source: { channel: 'cli' },
      content: earlier,
      sourceText: MINUTES,
      sourceHash: minutesHash(MINUTES),
      actionIds: [],
    });
    expect(record.content.changesToTheIsms).toBeUndefined();
    expect(renderMinutesText(record.content, programme)).toContain(
      '- Changes to the ISMS: not recorded in these minutes',
    );
  });
});

describe('when the minutes may be sent', () => {
  it('not before the planned meeting could have ended, said in the organisation time zone', () => {
    const ctx = context({ now: new Date('2026-10-29T09:29:00Z') });
    expect(theProblem(MINUTES, ctx)).toBe(
      'line 1 (top level): these minutes were sent at 2026-10-29 09:29 UK time, before the meeting ' +
        'planned for 2026-10-29 08:00 could have ended (it is planned to last 90 minutes); send them from ' +
        '2026-10-29 09:30 UK time on',
    );
  });

  it('from the moment it ends', () => {
    expect(accepted(MINUTES, context({ now: new Date('2026-10-29T09:30:00Z') })).heldAt).toBe(PLANNED);
  });

  it('after the length the programme gives the review type', () => {
    const longer: Programme = {
      ...programme,
      schedule: {
        reviews: programme.schedule.reviews.map((review) =>
          review.type === 'quarterly' ? { ...review, durationMinutes: 120 } : review,
        ),
      },
    };
    const ctx = context({ programme: longer, now: new Date('2026-10-29T09:30:00Z') });
    expect(theProblem(MINUTES, ctx)).toContain(
      '(it is planned to last 120 minutes); send them from 2026-10-29 10:00',
    );
    expect(accepted(MINUTES, { ...ctx, now: new Date('2026-10-29T10:00:00Z') }).cycleId).toBe(CYCLE_ID);
  });

  it('take their length from the programme: whole minutes, 15 to 480, 90 when not set', () => {
    const quarterly = programme.schedule.reviews.find((review) => review.type === 'quarterly')!;
    expect(quarterly.durationMinutes).toBeUndefined();
    expect(meetingMinutesOf(programme, 'quarterly')).toBe(90);
    const issues = (durationMinutes: unknown) =>
      ReviewSchema.safeParse({ ...quarterly, durationMinutes }).error?.issues.map((issue) => issue.message);
    expect(issues(10)).toEqual(['is too small; expected at least 15 minutes']);
    expect(issues(600)).toEqual(['is too large; expected at most 480 minutes (8 hours)']);
    expect(issues(90.5)).toEqual(['is not a whole number of minutes']);
    expect(issues(120)).toBeUndefined();
  });

  it('after the meeting as moved, in summer time too', () => {
    const moved = context({
      cycle: theCycle({
        openedAt: '2026-07-01T08:00:00.000Z',
        plannedMeetingAt: '2026-07-29T13:00:00.000Z',
      }),
      now: new Date('2026-07-29T14:00:00Z'),
    });
    const text = MINUTES.replace('date: 2026-10-29', 'date: 2026-07-29').replace("'08:00'", "'14:00'");
    expect(problemsOf(text, moved)).toEqual([
      'line 1 (top level): these minutes were sent at 2026-07-29 15:00 UK time, before the meeting ' +
        'planned for 2026-07-29 14:00 could have ended (it is planned to last 90 minutes); send them from ' +
        '2026-07-29 15:30 UK time on',
    ]);
  });
});

describe('when the meeting was held', () => {
  it('not more than a day before the planned meeting', () => {
    const text = MINUTES.replace('date: 2026-10-29', 'date: 2026-10-28').replace("'08:00'", "'07:59'");
    expect(theProblem(text)).toBe(
      `line 3 meeting.date: 2026-10-28 07:59 UK time is more than a day before the meeting of review ` +
        `${CYCLE_ID}, planned for 2026-10-29 08:00; write when this review's meeting was held (a meeting ` +
        'brought forward is moved in the review, with "isms-review cycle move", before it is held)',
    );
  });

  it('a day early at most, or any time later', () => {
    const early = MINUTES.replace('date: 2026-10-29', 'date: 2026-10-28');
    expect(accepted(early).heldAt).toBe('2026-10-28T08:00:00.000Z');
    const late = MINUTES.replace("'08:00'", "'11:45'");
    expect(accepted(late).heldAt).toBe('2026-10-29T11:45:00.000Z');
  });
});

describe('the notes, read as a class', () => {
  it.each(NOTHING_NOTES)('%j says nothing', (note) => {
    expect(saysNothing(note)).toBe(true);
  });

  it.each([
    'Two actions overdue; both discussed.',
    'not ok: three suppliers unassessed',
    'No issues with the firewall rules; the VPN needs replacing.',
    'Patch compliance 97%, below the 98% target.',
  ])('%j says something', (note) => {
    expect(saysNothing(note)).toBe(false);
  });

  it('that acknowledge a missing input are never "nothing to report"', () => {
    expect(acknowledgesMissing('no input received')).toBe(true);
    expect(saysNothing('no input')).toBe(false);
    expect(acknowledgesMissing('considered, nothing to report')).toBe(false);
  });

  it('of an outcome: bare, without a reason, or fine', () => {
    expect(outcomeFault('None')).toBe('bare');
    expect(outcomeFault('no changes needed: stable')).toBe('no reason');
    expect(outcomeFault('no changes needed: scope unchanged')).toBeUndefined();
    expect(outcomeFault('None, because nothing in the context changed')).toBeUndefined();
    expect(outcomeFault('Add the Leeds office to the scope (D2).')).toBeUndefined();
  });
});
