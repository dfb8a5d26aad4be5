import { describe, it, expect } from 'vitest';
import type { z } from 'zod';
import { InvalidData, issuesOf, parseWith } from '#shared/model/common.ts';
import { Cycle } from '#shared/model/cycle.ts';
import { InputRequest, InputSubmission } from '#shared/model/input.ts';
import { Assessment, Attendance, Decision } from '#shared/model/meeting.ts';
import { Action } from '#shared/model/action.ts';
import { EventDraft, CycleEvent } from '#shared/model/event.ts';
import { ParkedTask, ReplyTokenRecord } from '#shared/model/records.ts';
import { ProgrammeVersion } from '#shared/model/programme-ref.ts';
import { aCycle, anAction, anInputRequest, aProgrammeVersion, aSubmission, anEvent } from './builders.ts';

/** The `path: message` lines a schema reports for `data`. */
function problems(schema: z.ZodType, data: unknown): string[] {
  const result = schema.safeParse(data);
  expect(result.success, 'expected the data to be rejected').toBe(false);
  return result.success ? [] : issuesOf(result.error).map((issue) => `${issue.path}: ${issue.message}`);
}

describe('Cycle', () => {
  const cycle = aCycle();

  it('rejects an id that is not a cycle id, an unknown phase and an unknown field', () => {
    expect(problems(Cycle, { ...cycle, id: 'cycle-1', phase: 'MEETING', extra: 1 })).toEqual([
      'id: expected a cycle id like C-20261001T0800Z-Q',
      'phase: expected a phase: OPEN, REQUESTING_INPUTS, AWAITING_INPUTS, COMPILING, AWAITING_DISTRIBUTION, DISTRIBUTED, AWAITING_MINUTES, FOLLOW_UP, CLOSED, FAILED',
      '(root): Unrecognized key: "extra"',
    ]);
  });

  it('rejects a local time and a time without zone', () => {
    expect(
      problems(Cycle, {
        ...cycle,
        plannedMeetingAt: '2026-10-29T09:00:00+01:00',
        inputsDueAt: '2026-10-19 09:00',
      }),
    ).toEqual([
      'plannedMeetingAt: expected a UTC time in ISO 8601 with a Z suffix, e.g. 2026-10-01T08:00:00.000Z',
      'inputsDueAt: expected a UTC time in ISO 8601 with a Z suffix, e.g. 2026-10-01T08:00:00.000Z',
    ]);
  });

  it('rejects a status that disagrees with the phase, and FAILED without a failure', () => {
    expect(problems(Cycle, { ...cycle, phase: 'FAILED', status: 'active' })).toEqual([
      'status: status active does not agree with phase FAILED; expected failed',
      'failure: a FAILED cycle must say what went wrong',
    ]);
  });

  it('rejects dates out of order: the package after the meeting', () => {
    expect(problems(Cycle, { ...cycle, packageSendAt: '2026-11-01T08:00:00.000Z' })).toEqual([
      'plannedMeetingAt: the meeting (2026-10-29T08:00:00.000Z) comes before sending the package (2026-11-01T08:00:00.000Z); expected opening ≤ input deadline ≤ package ≤ meeting',
    ]);
  });

  it('rejects a snapshot of another programme and version 0', () => {
    expect(
      problems(Cycle, { ...cycle, version: 0, programme: { ...cycle.programme, programmeId: 'other-org' } }),
    ).toEqual([
      'version: a version starts at 1',
      'programme.programmeId: the snapshot is of programme other-org, but the cycle belongs to example-ltd',
    ]);
  });

  it('accepts a valid cycle unchanged', () => {
    expect(Cycle.parse(cycle)).toEqual(cycle);
  });
});

describe('InputRequest', () => {
  const request = anInputRequest(aCycle());

  it('requires an owner unless the input is automatic', () => {
    const { ownerId: _ownerId, ...ownerless } = request;
    expect(problems(InputRequest, ownerless)).toEqual([
      'ownerId: input d1 is not automatic, so it needs an owner',
    ]);
    expect(InputRequest.parse({ ...ownerless, automatic: true, inputKey: 'a' }).ownerId).toBeUndefined();
  });

  it('requires the answering submission for SUBMITTED and the time for NOT_PROVIDED', () => {
    expect(problems(InputRequest, { ...request, status: 'SUBMITTED' })).toEqual([
      'submissionId: a SUBMITTED input must name the submission that answered it',
    ]);
    expect(problems(InputRequest, { ...request, status: 'NOT_PROVIDED' })).toEqual([
      'notProvidedAt: a NOT_PROVIDED input must say when it was closed as not provided',
    ]);
  });

  it('rejects a period that ends before it starts, a bad input key, no clause, negative reminders', () => {
    expect(
      problems(InputRequest, {
        ...request,
        inputKey: 'D 1',
        clauses: [],
        remindersSent: -1,
        escalationLevel: 3,
        periodCovered: { from: '2026-10-01', to: '2026-09-30' },
      }),
    ).toEqual([
      'inputKey: expected an input key such as a, d1 or g (lower-case letters, digits, . _ -)',
      'clauses: an input serves at least one clause',
      'periodCovered.to: the period starts after it ends; "from" must be on or before "to"',
      'remindersSent: cannot have sent fewer than 0 reminders',
      'escalationLevel: an input escalates at most twice: 1 ISMS manager, 2 chair',
    ]);
  });

  it('rejects an impossible calendar date', () => {
    expect(
      problems(InputRequest, { ...request, periodCovered: { from: '2026-02-30', to: '2026-03-31' } }),
    ).toEqual(['periodCovered.from: expected a calendar date yyyy-mm-dd, e.g. 2026-10-31']);
  });
});

describe('InputSubmission', () => {
  const submission = aSubmission(anInputRequest(aCycle()));

  it('rejects a metric that is not a finite number and an empty summary', () => {
    expect(
      problems(InputSubmission, {
        ...submission,
        summary: '   ',
        metrics: [{ name: 'coverage', value: Number.NaN, unit: '%' }],
      }),
    ).toEqual(['summary: must not be empty', 'metrics[0].value: a metric value is a number']);
  });

  it('rejects a metric listed twice', () => {
    expect(
      problems(InputSubmission, {
        ...submission,
        metrics: [
          { name: 'audits', value: 3, unit: 'count' },
          { name: 'audits', value: 4, unit: 'count' },
        ],
      }),
    ).toEqual(['metrics[1].name: metric "audits" is listed twice; give each metric once']);
  });

  it('requires the Message-ID and raw message key for an email source, and a real attachment hash', () => {
    expect(
      problems(InputSubmission, {
        ...submission,
        source: { channel: 'email', messageId: '<x@y>' },
        attachments: [{ name: 'report.pdf', sha256: 'abc', size: -1, s3Key: 'evidence/x' }],
      }),
    ).toEqual([
      'attachments[0].sha256: expected a SHA-256 digest: 64 lower-case hex characters',
      'attachments[0].size: an attachment size is a number of bytes, 0 or more',
      'source.rawS3Key: is required',
    ]);
    expect(problems(InputSubmission, { ...submission, source: { channel: 'fax' } })).toEqual([
      'source.channel: expected a source with channel email (messageId, rawS3Key), cli or web',
    ]);
  });

  it('rejects superseding itself and onBehalfOf the submitter', () => {
    expect(
      problems(InputSubmission, {
        ...submission,
        supersedes: submission.id,
        onBehalfOf: submission.submitterId,
      }),
    ).toEqual([
      'supersedes: a submission cannot supersede itself',
      'onBehalfOf: onBehalfOf names the owner a delegate answered for; leave it out when the owner answered',
    ]);
  });
});

describe('meeting records', () => {
  it('a proxy must say for whom; only a proxy may', () => {
    const base = { personId: 'deputy', role: 'Deputy CEO', topManagement: false };
    expect(problems(Attendance, { ...base, status: 'proxy' })).toEqual([
      'proxyFor: deputy attended as a proxy: say for whom (proxyFor)',
    ]);
    expect(problems(Attendance, { ...base, status: 'present', proxyFor: 'ceo' })).toEqual([
      'proxyFor: deputy is marked present; only a proxy names someone in proxyFor',
    ]);
    expect(Attendance.parse({ ...base, status: 'proxy', proxyFor: 'ceo' }).proxyFor).toBe('ceo');
  });

  it('a decision has a known category and text', () => {
    expect(problems(Decision, { id: 'D-20261001T0800Z-Q-01', category: 'budget', text: '' })).toEqual([
      'category: expected a decision category: resource_allocation, security_objectives, risk_treatment_approach, processes_and_controls, isms_changes, other',
      'text: must not be empty',
    ]);
  });

  it('the assessment has all four verdicts, each with a rationale', () => {
    const verdict = { verdict: 'yes', rationale: 'All objectives met.' };
    expect(
      problems(Assessment, {
        suitability: verdict,
        adequacy: { verdict: 'adequate', rationale: 'x' },
        effectiveness: { verdict: 'partly', rationale: ' ' },
      }),
    ).toEqual([
      'adequacy.verdict: expected a verdict: yes, partly or no',
      'effectiveness.rationale: must not be empty',
      'alignment: Invalid input: expected object, received undefined',
    ]);
  });
});

describe('Action', () => {
  const cycle = aCycle();
  const action = anAction(cycle);

  it('a cancelled action says why; a done one says what was done', () => {
    expect(problems(Action, { ...action, status: 'cancelled' })).toEqual([
      'cancelReason: a cancelled action must say why it was cancelled',
    ]);
    expect(problems(Action, { ...action, status: 'done' })).toEqual([
      'closureEvidence: a done action must say what was done (closure evidence)',
    ]);
    expect(problems(Action, { ...action, cancelReason: 'no longer needed' })).toEqual([
      'cancelReason: only a cancelled action has a cancel reason; this one is open',
    ]);
  });

  it('the effectiveness check of a corrective action is done by someone other than the owner', () => {
    const done = {
      ...action,
      corrective: true,
      status: 'done',
      closureEvidence: { text: 'Patched.', at: '2026-12-01T10:00:00.000Z', by: 'ciso' },
    };
    expect(problems(Action, done)).toEqual([
      'effectivenessCheck: a done corrective action needs an effectiveness check (assignee, due date)',
    ]);
    expect(
      problems(Action, { ...done, effectivenessCheck: { assigneeId: 'ciso', dueDate: '2027-03-01' } }),
    ).toEqual([
      'effectivenessCheck.assigneeId: the effectiveness check must be done by someone other than the owner (ciso)',
    ]);
    expect(
      problems(Action, {
        ...done,
        status: 'verified',
        effectivenessCheck: { assigneeId: 'auditor', dueDate: '2027-03-01' },
      }),
    ).toEqual([
      'effectivenessCheck.result: a corrective action is verified only when its effectiveness check passed',
    ]);
  });

  it('rejects an action of another cycle, no history, escalation beyond 3, a check on a non-corrective action', () => {
    expect(
      problems(Action, {
        ...action,
        cycleId: 'C-20270101T0800Z-Q',
        history: [],
        escalationLevel: 4,
        effectivenessCheck: { assigneeId: 'auditor', dueDate: '2027-03-01' },
      }),
    ).toEqual([
      'escalationLevel: escalation level is 0 to 3: 1 owner, 2 ISMS manager, 3 top management',
      'history: an action keeps its history, starting with its creation',
      `id: action ${action.id} does not belong to cycle C-20270101T0800Z-Q`,
      'effectivenessCheck: only a corrective action gets an effectiveness check',
    ]);
  });

  it('a failed check says what was found', () => {
    expect(
      problems(Action, {
        ...action,
        corrective: true,
        effectivenessCheck: {
          assigneeId: 'auditor',
          dueDate: '2027-03-01',
          result: 'failed',
          checkedAt: '2027-03-01T09:00:00.000Z',
        },
      }),
    ).toEqual(['effectivenessCheck.note: a failed check must say what was found (note)']);
  });
});

describe('events and small records', () => {
  it('event data must have a canonical form; the type is dotted words', () => {
    expect(
      problems(EventDraft, { ...anEvent('Cycle Opened'), data: { ratio: Number.POSITIVE_INFINITY } }),
    ).toEqual([
      'type: expected an event type of dotted lower-case words, e.g. cycle.opened',
      'data: ratio is Infinity; canonical JSON accepts finite numbers only',
    ]);
  });

  it('a stored event has seq ≥ 1 and real hashes', () => {
    expect(
      problems(CycleEvent, {
        ...anEvent(),
        cycleId: aCycle().id,
        seq: 0,
        prevHash: 'x',
        hash: 'f'.repeat(64),
      }),
    ).toEqual([
      'seq: event numbers start at 1',
      'prevHash: expected a SHA-256 digest: 64 lower-case hex characters',
    ]);
  });

  it('a reply token expires after it was issued; a parked task has a token', () => {
    expect(
      problems(ReplyTokenRecord, {
        tokenId: 'tok_12345678',
        cycleId: aCycle().id,
        purpose: 'input.d1',
        recipientId: 'auditor',
        issuedAt: '2026-10-01T08:00:00.000Z',
        expiresAt: '2026-10-01T08:00:00.000Z',
      }),
    ).toEqual(['expiresAt: a reply token must expire after it was issued']);
    expect(
      problems(ParkedTask, {
        cycleId: aCycle().id,
        purpose: 'Inputs!',
        taskToken: '',
        parkedAt: '2026-10-01T08:00:00.000Z',
        status: 'parked',
      }),
    ).toEqual([
      'purpose: expected a purpose such as inputs, minutes or input.d1 (letters, digits, . _ : -)',
      'taskToken: expected a task token',
    ]);
  });

  it('a programme version keeps its document and a real hash', () => {
    expect(
      problems(ProgrammeVersion, { ...aProgrammeVersion(), version: 0, hash: 'nope', document: 'yaml' }),
    ).toEqual([
      'version: programme versions start at 1',
      'hash: expected a SHA-256 digest: 64 lower-case hex characters',
      'document: Invalid input: expected record, received string',
    ]);
  });
});

describe('parseWith', () => {
  it('throws InvalidData naming the record and listing every problem', () => {
    const cycle = aCycle();
    let caught: unknown;
    try {
      parseWith(Cycle, { ...cycle, type: 'monthly', comprehensive: 'yes' }, `cycle ${cycle.id}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidData);
    expect((caught as InvalidData).name).toBe('InvalidData');
    expect((caught as InvalidData).message).toBe(
      `cycle ${cycle.id} is not valid: type: expected a cycle type: quarterly, semiannual or annual; comprehensive: Invalid input: expected boolean, received string`,
    );
  });
});
