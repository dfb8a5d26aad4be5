import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '#shared/clock.ts';
import {
  formatIssue,
  loadProgrammeFile,
  parseProgramme,
  ProgrammeInvalid,
  ProgrammeUnreadable,
  type ProgrammeIssue,
} from '#shared/programme/load.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/programmes/', import.meta.url));
const examplePath = fileURLToPath(new URL('../../../programme.example.yaml', import.meta.url));
const clock = new FixedClock(new Date('2026-01-15T12:00:00Z'));
const read = (name: string) => readFileSync(`${fixtures}${name}`, 'utf8');
const parse = (text: string) => parseProgramme(text, 'programme.yaml', { clock });
const errorsOf = (text: string): ProgrammeIssue[] => {
  const result = parse(text);
  if (result.ok) throw new Error('expected the programme to be rejected');
  return result.errors;
};
const valid = read('valid-minimal.yaml');
/** The valid fixture with one text replaced (the text must occur exactly once). */
const edit = (from: string, to: string) => {
  expect(valid.split(from)).toHaveLength(2);
  return valid.replace(from, to);
};

const OWNER_KEYS = 'b, c, d1, d2, d3, d4, e, f, g';

describe('broken programmes: every error names its field, line, column and what would be valid', () => {
  const cases: [string, ProgrammeIssue[]][] = [
    [
      'unknown-time-zone.yaml',
      [
        {
          path: 'organisation.timeZone',
          line: 6,
          column: 13,
          message:
            '"Europe/Londn" is not an IANA time zone; expected a name like Europe/London or America/New_York (did you mean "Europe/London"?)',
        },
        {
          path: 'people[4].timeZone',
          line: 43,
          column: 15,
          message:
            '"Mars/Olympus_Mons" is not an IANA time zone; expected a name like Europe/London or America/New_York',
        },
      ],
    ],
    [
      'unknown-input-key.yaml',
      [
        {
          path: 'inputs.owners.h',
          line: 60,
          column: 5,
          message: `"h" is not an input of ISO/IEC 27001:2022; expected one of: ${OWNER_KEYS}`,
        },
        {
          path: 'inputs.owners.environmental-aspects',
          line: 61,
          column: 5,
          message: `"environmental-aspects" is not an input of ISO/IEC 27001:2022; it belongs to a standard not listed in managementSystems; expected one of: ${OWNER_KEYS}`,
        },
      ],
    ],
    [
      'input-without-owner.yaml',
      [
        {
          path: 'inputs.owners',
          line: 51,
          column: 5,
          message:
            'input "f" has no owner; add "f: <person id>" — Results of risk assessment and status of risk treatment plan, ISO/IEC 27001:2022 9.3.2 f)',
        },
      ],
    ],
    [
      'automatic-input-owned.yaml',
      [
        {
          path: 'inputs.owners.a',
          line: 51,
          column: 5,
          message:
            '"a" (status of actions from previous management reviews) is filled automatically from the action register; remove its owner',
        },
      ],
    ],
    [
      'owner-without-email.yaml',
      [
        {
          path: 'people[4].email',
          line: 39,
          column: 5,
          message:
            'is missing: Email address; requests, reminders and escalations go here and replies must come from it.',
        },
      ],
    ],
    [
      'invalid-email.yaml',
      [
        {
          path: 'people[4].email',
          line: 41,
          column: 12,
          message: '"auditor@" is not an email address; expected name@domain',
        },
      ],
    ],
    [
      'person-listed-twice.yaml',
      [
        {
          path: 'people[5].id',
          line: 44,
          column: 9,
          message: '"ciso" is listed twice (also people[3]); give each person one entry with a unique id',
        },
        {
          path: 'people[6].email',
          line: 50,
          column: 12,
          message: '"Alice@Example.com" is listed twice (also people[0]); one person, one entry',
        },
      ],
    ],
    [
      'unknown-person.yaml',
      [
        {
          path: 'people[3].executive',
          line: 38,
          column: 16,
          message: '"boss" is not a person listed in people; expected the id of their executive',
        },
        {
          path: 'roles.topManagement.members[0]',
          line: 48,
          column: 15,
          message:
            '"ctoo" is not a person listed in people; expected the id of a member of top management (did you mean "cto"?)',
        },
        {
          path: 'inputs.owners.d3',
          line: 55,
          column: 9,
          message:
            '"auditr" is not a person listed in people; expected the id of the owner of input d3 (did you mean "auditor"?)',
        },
        {
          path: 'inputs.delegates[0].delegate',
          line: 62,
          column: 17,
          message: '"deputy" is not a person listed in people; expected the id of the delegate',
        },
      ],
    ],
    [
      'schedule-never-fires.yaml',
      [
        {
          path: 'schedule.reviews[1].cron',
          line: 14,
          column: 13,
          message:
            '"cron(0 9 30 2 ? *)" never fires in the next 5 years (from 2026-01-15); expected a schedule with real dates, e.g. cron(0 9 1 1,4,7,10 ? *)',
        },
      ],
    ],
    [
      'malformed-cron.yaml',
      [
        {
          path: 'schedule.reviews[0].cron',
          line: 10,
          column: 13,
          message:
            '"cron(0 9 1 1,4,7 * *)" is not a valid schedule: exactly one of day-of-month ("1") and day-of-week ("*") must be "?", e.g. cron(0 9 1 * ? *) or cron(0 9 ? * MON *)',
        },
        {
          path: 'schedule.reviews[1].cron',
          line: 14,
          column: 13,
          message:
            '"0 9 1 10 ? *" is not a valid schedule: it is not of the form cron(...); expected cron(minutes hours day-of-month month day-of-week year), e.g. cron(0 9 1 1,4,7,10 ? *)',
        },
      ],
    ],
    [
      'lead-times-cannot-fit.yaml',
      [
        {
          path: 'schedule.reviews[1].meetingAfterDays',
          line: 15,
          column: 25,
          message:
            '10 is not more than leadTimes.inputsDueDaysBeforeMeeting (10); inputs would be due before the cycle opens: expected at least 11',
        },
        {
          path: 'leadTimes.packageSentDaysBeforeMeeting',
          line: 18,
          column: 33,
          message:
            '12 is not fewer than inputsDueDaysBeforeMeeting (10); the package is compiled from the inputs, so it must go after they are due: expected a smaller number',
        },
      ],
    ],
    [
      'reminders-cannot-fit.yaml',
      [
        {
          path: 'leadTimes.inputReminderEveryDays',
          line: 19,
          column: 27,
          message:
            '18 leaves no reminder before inputs are due: schedule.reviews[0] gives owners 18 day(s) to answer; expected fewer than 18',
        },
      ],
    ],
    [
      'no-chair.yaml',
      [
        {
          path: 'roles.topManagement.chair',
          line: 47,
          column: 5,
          message: 'is missing: Id of the person from top management who chairs the review.',
        },
      ],
    ],
    [
      'chair-listed-as-member.yaml',
      [
        {
          path: 'roles.topManagement.members[1]',
          line: 48,
          column: 20,
          message: '"ceo" is the chair; list the chair only under roles.topManagement.chair',
        },
      ],
    ],
    [
      'retention-below-one-year.yaml',
      [
        {
          path: 'evidence.retentionDays',
          line: 64,
          column: 18,
          message: '90 is below one year; expected at least 365 days',
        },
      ],
    ],
    [
      'unknown-field.yaml',
      [
        { path: 'evidence', line: 2, column: 1, message: 'is missing: Keeping the evidence of each review.' },
        {
          path: 'people[4].phone',
          line: 43,
          column: 5,
          message:
            '"phone" is not a known field here; expected one of: id, name, email, role, executive, timeZone',
        },
        {
          path: 'evidnce',
          line: 64,
          column: 1,
          message:
            '"evidnce" is not a known field here; expected one of: version, organisation, managementSystems, schedule, leadTimes, people, roles, inputs, escalation, approvals, mail, evidence (did you mean "evidence"?)',
        },
      ],
    ],
    [
      'same-day-reviews.yaml',
      [
        {
          path: 'schedule.reviews[1].cron',
          line: 14,
          column: 13,
          message:
            '"cron(0 14 1 7 ? *)" opens a cycle on 2026-07-01, the same day as schedule.reviews[0]; expected one review per date (e.g. leave that month out of the other review)',
        },
      ],
    ],
    [
      'escalation-out-of-order.yaml',
      [
        {
          path: 'escalation.topManagementAfterDays',
          line: 65,
          column: 27,
          message:
            '10 is not after ismsManagerAfterDays (12); the ISMS manager gets a chance first: expected at least 13',
        },
      ],
    ],
    [
      'yaml-syntax-error.yaml.txt',
      [
        { path: '', line: 6, column: 3, message: 'YAML syntax: Map keys must be unique' },
        {
          path: '',
          line: 11,
          column: 1,
          message:
            'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
        },
      ],
    ],
  ];

  it.each(cases)('%s', (name, expected) => {
    expect(errorsOf(read(name))).toEqual(expected);
  });

  it('has a test for every broken fixture', () => {
    const broken = readdirSync(fixtures).filter((name) => !name.startsWith('valid-'));
    expect(cases.map(([name]) => name).sort()).toEqual(broken.sort());
  });
});

describe('parseProgramme: more bad input', () => {
  it('an empty file', () => {
    expect(errorsOf('')).toEqual([
      {
        path: '',
        line: 1,
        column: 1,
        message: 'the file is empty; expected a programme (see programme.example.yaml)',
      },
    ]);
  });

  it('a file that is not a mapping', () => {
    expect(errorsOf('- one\n- two\n')).toEqual([
      { path: '', line: 1, column: 1, message: 'is not a mapping of fields (name: value)' },
    ]);
  });

  it('a wrong version, a misspelt review type and a number in words', () => {
    const text = edit('version: 1', 'version: 2')
      .replace('type: quarterly', 'type: quartely')
      .replace('inputsDueDaysBeforeMeeting: 10', 'inputsDueDaysBeforeMeeting: ten');
    expect(errorsOf(text)).toEqual([
      { path: 'version', line: 2, column: 10, message: '2 is not a supported version; expected 1' },
      {
        path: 'schedule.reviews[0].type',
        line: 9,
        column: 13,
        message:
          '"quartely" is not valid; expected one of: quarterly, semiannual, annual (did you mean "quarterly"?)',
      },
      {
        path: 'leadTimes.inputsDueDaysBeforeMeeting',
        line: 17,
        column: 31,
        message: '"ten" is not a whole number of days',
      },
    ]);
  });

  it('a time zone in the wrong case or without its region gets the IANA name suggested', () => {
    expect(errorsOf(edit('timeZone: Europe/London', 'timeZone: europe/london'))[0]?.message).toBe(
      '"europe/london" is not an IANA time zone; expected a name like Europe/London or America/New_York (did you mean "Europe/London"?)',
    );
    expect(errorsOf(edit('timeZone: Europe/Berlin', 'timeZone: Berlin'))[0]?.message).toMatch(
      /^"Berlin" is not an IANA time zone; .* \(did you mean "Europe\/Berlin"\?\)$/,
    );
  });

  it('a field left empty', () => {
    expect(errorsOf(edit('  name: Acme Ltd', '  name:'))).toEqual([
      {
        path: 'organisation.name',
        line: 5,
        column: 8,
        message: 'has no value: Name of the organisation, as shown in emails, the package and the minutes.',
      },
    ]);
  });

  it('a delegate answering for themself, a review type twice, reminders listed twice', () => {
    const text = edit('    g: alice\n', '    g: alice\n  delegates:\n    - for: ciso\n      delegate: ciso\n')
      .replace('    - type: annual', '    - type: quarterly')
      .replace('evidence:', 'escalation:\n  actionReminderDaysBeforeDue: [7, 7]\nevidence:');
    expect(errorsOf(text).map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'schedule.reviews[1].type: "quarterly" is listed twice (also schedule.reviews[0]); give each review type one entry',
      'inputs.delegates[0].delegate: "ciso" is the same person as "for"; expected someone else who may answer for them',
      'escalation.actionReminderDaysBeforeDue[1]: 7 is listed twice; expected each number of days once',
    ]);
  });

  it('reports schema and cross-field problems together, in file order, once per field', () => {
    const text = edit('email: auditor@example.com', 'email: "auditor@"')
      .replace('    d3: auditor', '    d3: Auditor')
      .replace('retentionDays: 1096', 'retentionDays: 90');
    const errors = errorsOf(text);
    expect(errors.map((issue) => issue.path)).toEqual([
      'people[4].email',
      'inputs.owners.d3',
      'evidence.retentionDays',
    ]);
    expect(errors[1]?.message).toBe(
      '"Auditor" is not a person id; expected lower-case letters, digits, ".", "_" or "-", e.g. alice or j.smith',
    );
  });

  it('asks for owners of the other standards’ inputs in an integrated review', () => {
    const text = edit('version: 1\n', 'version: 1\nmanagementSystems: [iso27001, iso9001]\n');
    expect(errorsOf(text).map((issue) => issue.message.split(' — ')[0])).toEqual([
      'input "process-performance" has no owner; add "process-performance: <person id>"',
      'input "external-providers" has no owner; add "external-providers: <person id>"',
      'input "risk-actions-effectiveness" has no owner; add "risk-actions-effectiveness: <person id>"',
      'input "resources" has no owner; add "resources: <person id>"',
    ]);
    expect(errorsOf(edit('version: 1\n', 'version: 1\nmanagementSystems: [iso27001, ISO9001]\n'))).toEqual([
      {
        path: 'managementSystems[1]',
        line: 3,
        column: 31,
        message:
          '"ISO9001" is not valid; expected one of: iso27001, iso9001, iso14001, iso42001, iso22301 (did you mean "iso9001"?)',
      },
    ]);
  });

  it('checks that a schedule fires within five years of the injected clock, not of the machine', () => {
    const text = edit('cron(0 9 1 10 ? *)', 'cron(0 9 1 10 ? 2030)');
    expect(
      parseProgramme(text, 'p.yaml', { clock: new FixedClock(new Date('2026-01-15T00:00:00Z')) }).ok,
    ).toBe(true);
    const later = parseProgramme(text, 'p.yaml', { clock: new FixedClock(new Date('2031-01-15T00:00:00Z')) });
    expect(later.ok ? [] : later.errors.map((issue) => issue.path)).toEqual(['schedule.reviews[1].cron']);
  });
});

describe('valid programmes', () => {
  it('the shipped example validates', () => {
    const result = parseProgramme(readFileSync(examplePath, 'utf8'), 'programme.example.yaml', { clock });
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('fills defaults: a plain ISMS review, the standard escalation ladder, the reply address', () => {
    const result = parse(valid);
    if (!result.ok) throw new Error(result.errors.map((issue) => formatIssue(issue)).join('\n'));
    const { programme } = result;
    expect(programme.managementSystems).toEqual(['iso27001']);
    expect(programme.escalation).toEqual({
      actionReminderDaysBeforeDue: [7, 1],
      overdueNoticeAfterDays: 0,
      ismsManagerAfterDays: 3,
      topManagementAfterDays: 10,
      inputEscalation: { remindersBeforeEscalation: 2 },
    });
    expect(programme.mail.replyLocalPart).toBe('review');
    expect(programme.inputs.delegates).toEqual([]);
    expect(programme.schedule.reviews.map((review) => review.comprehensive)).toEqual([false, true]);
  });

  it('an integrated ISO/IEC 27001 + ISO 9001 review with owners for every input', () => {
    const result = parse(read('valid-integrated.yaml'));
    expect(result.ok ? result.programme.managementSystems : result.errors).toEqual(['iso27001', 'iso9001']);
  });
});

describe('formatIssue, loadProgrammeFile', () => {
  it('formats file:line:column path: message', () => {
    const issue = {
      path: 'people[3].email',
      line: 14,
      column: 12,
      message: '"bob@" is not an email address; expected name@domain',
    };
    expect(formatIssue(issue, 'programme.yaml')).toBe(
      'programme.yaml:14:12 people[3].email: "bob@" is not an email address; expected name@domain',
    );
    expect(formatIssue({ path: '', message: 'the file is empty' }, 'p.yaml')).toBe(
      'p.yaml (top level): the file is empty',
    );
  });

  it('throws ProgrammeInvalid listing every problem', () => {
    const path = `${fixtures}unknown-person.yaml`;
    let caught: unknown;
    try {
      loadProgrammeFile(path, { clock });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProgrammeInvalid);
    const invalid = caught as ProgrammeInvalid;
    expect(invalid.name).toBe('ProgrammeInvalid');
    expect(invalid.issues).toHaveLength(4);
    expect(invalid.message.split('\n')).toEqual([
      `${path} is not a valid review programme (4 problems):`,
      ...invalid.issues.map((issue) => formatIssue(issue, path)),
    ]);
    expect(invalid.message).toContain(
      `${path}:55:9 inputs.owners.d3: "auditr" is not a person listed in people`,
    );
  });

  it('throws ProgrammeUnreadable for a file that is not there', () => {
    expect(() => loadProgrammeFile(`${fixtures}no-such-file.yaml`)).toThrow(ProgrammeUnreadable);
    expect(() => loadProgrammeFile(`${fixtures}no-such-file.yaml`)).toThrow(/ENOENT/);
  });

  it('returns the programme of a valid file', () => {
    expect(loadProgrammeFile(examplePath, { clock }).organisation).toEqual({
      id: 'example-ltd',
      name: 'Example Ltd',
      timeZone: 'Europe/London',
    });
  });
});
