/**
 * Valid records to start tests from; each test changes what it is about.
 */
import type { Action } from '#shared/model/action.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { EventDraft } from '#shared/model/event.ts';
import { actionIdFor, cycleIdFor, newSubmissionId } from '#shared/model/ids.ts';
import type { InputRequest, InputSubmission } from '#shared/model/input.ts';
import type { ProgrammeVersion } from '#shared/model/programme-ref.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';

export const PROGRAMME_ID = 'example-ltd';
export const OPENED_AT = new Date('2026-10-01T08:00:00.000Z');

export function aProgrammeVersion(version = 1, overrides: Partial<ProgrammeVersion> = {}): ProgrammeVersion {
  const document = {
    organisation: { id: PROGRAMME_ID, name: 'Example Ltd', timeZone: 'Europe/London' },
    version,
  };
  return {
    programmeId: PROGRAMME_ID,
    version,
    hash: canonicalHash(document),
    savedAt: '2026-09-01T10:00:00.000Z',
    savedBy: 'alice',
    document,
    ...overrides,
  };
}

export function aCycle(overrides: Partial<Cycle> = {}, openedAt: Date = OPENED_AT): Cycle {
  const id = cycleIdFor('quarterly', openedAt);
  const day = 24 * 3600 * 1000;
  const at = (days: number) => new Date(openedAt.getTime() + days * day).toISOString();
  return {
    id,
    programmeId: PROGRAMME_ID,
    programme: { programmeId: PROGRAMME_ID, version: 1, hash: aProgrammeVersion().hash },
    type: 'quarterly',
    comprehensive: false,
    phase: 'OPEN',
    status: 'active',
    openedAt: at(0),
    inputsDueAt: at(18),
    packageSendAt: at(23),
    plannedMeetingAt: at(28),
    createdAt: at(0),
    updatedAt: at(0),
    version: 1,
    ...overrides,
  };
}

export function anInputRequest(
  cycle: Cycle,
  inputKey = 'd1',
  overrides: Partial<InputRequest> = {},
): InputRequest {
  return {
    cycleId: cycle.id,
    programmeId: cycle.programmeId,
    inputKey,
    title: `Input ${inputKey}`,
    automatic: false,
    ownerId: 'auditor',
    clauses: [{ standard: 'iso27001', clause: `9.3.2 ${inputKey}` }],
    periodCovered: { from: '2026-07-01', to: '2026-09-30' },
    requestedAt: cycle.openedAt,
    dueAt: cycle.inputsDueAt,
    status: 'REQUESTED',
    remindersSent: 0,
    escalationLevel: 0,
    version: 1,
    ...overrides,
  };
}

export function aSubmission(
  request: InputRequest,
  receivedAt = new Date('2026-10-10T14:30:05.123Z'),
  overrides: Partial<InputSubmission> = {},
): InputSubmission {
  return {
    id: newSubmissionId(receivedAt),
    cycleId: request.cycleId,
    programmeId: request.programmeId,
    inputKey: request.inputKey,
    submitterId: request.ownerId ?? 'alice',
    kind: 'report',
    periodCovered: request.periodCovered,
    receivedAt: receivedAt.toISOString(),
    summary: 'Two minor nonconformities, both closed.',
    metrics: [{ name: 'open nonconformities', value: 0, unit: 'count' }],
    attachments: [],
    source: { channel: 'email', messageId: '<abc@mail.example.com>', rawS3Key: 'inbound/abc' },
    ...overrides,
  };
}

/** The request as the caller stores it together with `submission`. */
export function answered(request: InputRequest, submission: InputSubmission): InputRequest {
  return {
    ...request,
    status: submission.kind === 'nothing_to_report' ? 'NOTHING_TO_REPORT' : 'SUBMITTED',
    submissionId: submission.id,
  };
}

export function anAction(cycle: Cycle, n = 1, overrides: Partial<Action> = {}): Action {
  return {
    id: actionIdFor(cycle.id, n),
    cycleId: cycle.id,
    programmeId: cycle.programmeId,
    title: `Action ${n}`,
    ownerId: 'ciso',
    dueDate: '2026-12-15',
    status: 'open',
    escalationLevel: 0,
    corrective: false,
    history: [{ at: cycle.plannedMeetingAt, by: 'alice', change: 'created from the minutes' }],
    createdAt: cycle.plannedMeetingAt,
    updatedAt: cycle.plannedMeetingAt,
    version: 1,
    ...overrides,
  };
}

export function anEvent(
  type = 'cycle.noted',
  data: Record<string, unknown> = {},
  at = OPENED_AT,
): EventDraft {
  return { type, at: at.toISOString(), actor: 'system', data };
}
