/**
 * A review cycle: one management review from opening to its last closed action.
 *
 * Phases run in this order, one step at a time; any phase before CLOSED may end in FAILED
 * (the workflow's catch-all records the failure), and a FAILED cycle may be resumed in the
 * phase it failed in once the cause is fixed:
 *
 *   OPEN → REQUESTING_INPUTS → AWAITING_INPUTS → COMPILING → AWAITING_DISTRIBUTION →
 *   DISTRIBUTED → AWAITING_MINUTES → FOLLOW_UP → CLOSED
 *
 * `status` is the short answer to "is this review still going?": active in every working phase,
 * closed in CLOSED, failed in FAILED. It always agrees with the phase (`statusOfPhase`).
 * `version` is the optimistic lock: 1 when created, +1 on every stored change.
 */
import * as z from 'zod';
import { NonEmptyText, ProgrammeId, UtcTimestamp, Version, Sha256Hex } from './common.ts';
import { CYCLE_TYPES, CycleId } from './ids.ts';
import { ProgrammeSnapshotRef } from './programme-ref.ts';

export { CYCLE_TYPES, type CycleType } from './ids.ts';

export const CYCLE_PHASES = [
  'OPEN',
  'REQUESTING_INPUTS',
  'AWAITING_INPUTS',
  'COMPILING',
  'AWAITING_DISTRIBUTION',
  'DISTRIBUTED',
  'AWAITING_MINUTES',
  'FOLLOW_UP',
  'CLOSED',
  'FAILED',
] as const;
export const CyclePhase = z.enum(CYCLE_PHASES, {
  error: `expected a phase: ${CYCLE_PHASES.join(', ')}`,
});
export type CyclePhase = z.infer<typeof CyclePhase>;

export const CYCLE_STATUSES = ['active', 'closed', 'failed'] as const;
export const CycleStatus = z.enum(CYCLE_STATUSES, { error: 'expected a status: active, closed or failed' });
export type CycleStatus = z.infer<typeof CycleStatus>;

export const CycleTypeSchema = z.enum(CYCLE_TYPES, {
  error: 'expected a cycle type: quarterly, semiannual or annual',
});

/** What went wrong when a cycle failed, as the workflow's catch-all recorded it. */
export const FailureRecord = z.strictObject({
  at: UtcTimestamp,
  /** The phase the cycle was in when it failed. */
  phase: CyclePhase.exclude(['FAILED']),
  /** The error's name, e.g. `ConcurrentUpdate`, `States.Timeout`. */
  error: NonEmptyText,
  /** What happened, in words the ISMS manager can act on. */
  cause: NonEmptyText,
  executionArn: z.optional(z.string()),
});
export type FailureRecord = z.infer<typeof FailureRecord>;

export function statusOfPhase(phase: CyclePhase): CycleStatus {
  if (phase === 'CLOSED') return 'closed';
  if (phase === 'FAILED') return 'failed';
  return 'active';
}

export const Cycle = z
  .strictObject({
    id: CycleId,
    programmeId: ProgrammeId,
    /** The programme version the cycle was opened under. */
    programme: ProgrammeSnapshotRef,
    type: CycleTypeSchema,
    /** A comprehensive review covers the whole ISMS in depth (typically the annual one). */
    comprehensive: z.boolean(),
    phase: CyclePhase,
    status: CycleStatus,
    openedAt: UtcTimestamp,
    plannedMeetingAt: UtcTimestamp,
    inputsDueAt: UtcTimestamp,
    packageSendAt: UtcTimestamp,
    /** When the meeting was actually held (from the minutes). */
    heldAt: z.optional(UtcTimestamp),
    /** sha256Hex of the frozen review package, once compiled. */
    packageHash: z.optional(Sha256Hex),
    packageSentAt: z.optional(UtcTimestamp),
    minutesApprovedAt: z.optional(UtcTimestamp),
    closedAt: z.optional(UtcTimestamp),
    executionArn: z.optional(z.string()),
    failure: z.optional(FailureRecord),
    createdAt: UtcTimestamp,
    updatedAt: UtcTimestamp,
    version: Version,
  })
  .superRefine((cycle, ctx) => {
    if (cycle.status !== statusOfPhase(cycle.phase)) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: `status ${cycle.status} does not agree with phase ${cycle.phase}; expected ${statusOfPhase(cycle.phase)}`,
      });
    }
    if (cycle.phase === 'FAILED' && !cycle.failure) {
      ctx.addIssue({ code: 'custom', path: ['failure'], message: 'a FAILED cycle must say what went wrong' });
    }
    if (cycle.programme.programmeId !== cycle.programmeId) {
      ctx.addIssue({
        code: 'custom',
        path: ['programme', 'programmeId'],
        message: `the snapshot is of programme ${cycle.programme.programmeId}, but the cycle belongs to ${cycle.programmeId}`,
      });
    }
    const order: [keyof typeof cycle, string][] = [
      ['openedAt', 'opening'],
      ['inputsDueAt', 'the input deadline'],
      ['packageSendAt', 'sending the package'],
      ['plannedMeetingAt', 'the meeting'],
    ];
    for (let i = 1; i < order.length; i += 1) {
      const [earlierKey, earlierName] = order[i - 1]!;
      const [laterKey, laterName] = order[i]!;
      const earlier = Date.parse(cycle[earlierKey] as string);
      const later = Date.parse(cycle[laterKey] as string);
      if (earlier > later) {
        ctx.addIssue({
          code: 'custom',
          path: [laterKey],
          message: `${laterName} (${String(cycle[laterKey])}) comes before ${earlierName} (${String(cycle[earlierKey])}); expected opening ≤ input deadline ≤ package ≤ meeting`,
        });
      }
    }
  });
export type Cycle = z.infer<typeof Cycle>;

/** The title every message and document gives a review: `Q4 management review, 2026-11-05`. */
export const cycleTitle = (cycle: Pick<Cycle, 'type' | 'comprehensive' | 'plannedMeetingAt'>): string =>
  `${cycle.comprehensive ? 'Comprehensive ' : ''}${cycle.type} management review, ${cycle.plannedMeetingAt.slice(0, 10)}`.replace(
    /^./,
    (c) => c.toUpperCase(),
  );

export class InvalidPhaseTransition extends Error {
  override name = 'InvalidPhaseTransition' as const;
}

const WORKING_ORDER = CYCLE_PHASES.filter((phase) => phase !== 'FAILED');

/** The phase after `phase` in the normal order, or undefined for CLOSED and FAILED. */
export function nextPhase(phase: CyclePhase): CyclePhase | undefined {
  if (phase === 'FAILED' || phase === 'CLOSED') return undefined;
  return WORKING_ORDER[WORKING_ORDER.indexOf(phase) + 1];
}

/**
 * Whether a cycle may move from `from` to `to`: one step forward; any working phase to FAILED;
 * FAILED back to the phase recorded in its failure (a resume).
 */
export function canTransition(from: CyclePhase, to: CyclePhase, failedIn?: CyclePhase): boolean {
  if (from === 'FAILED') return failedIn !== undefined && to === failedIn;
  if (to === 'FAILED') return from !== 'CLOSED';
  return nextPhase(from) === to;
}

/**
 * The cycle moved to `to` (status kept in step, failure cleared on resume), or InvalidPhaseTransition.
 * Does not store anything: pass the result to the repository's updateCycle.
 */
export function transition(
  cycle: Cycle,
  to: CyclePhase,
  at: Date,
  failure?: Omit<FailureRecord, 'phase' | 'at'>,
): Cycle {
  if (!canTransition(cycle.phase, to, cycle.failure?.phase)) {
    const allowed =
      cycle.phase === 'FAILED'
        ? cycle.failure
          ? `only back to ${cycle.failure.phase}`
          : 'nowhere (no failure recorded)'
        : [nextPhase(cycle.phase), cycle.phase === 'CLOSED' ? undefined : 'FAILED']
            .filter(Boolean)
            .join(' or ');
    throw new InvalidPhaseTransition(
      `cycle ${cycle.id} cannot move from ${cycle.phase} to ${to}; from ${cycle.phase} it can move ${allowed}`,
    );
  }
  const atIso = at.toISOString();
  const next: Cycle = { ...cycle, phase: to, status: statusOfPhase(to), updatedAt: atIso };
  if (to === 'FAILED') {
    if (!failure) throw new InvalidPhaseTransition(`cycle ${cycle.id} cannot fail without saying why`);
    next.failure = { ...failure, phase: cycle.phase as FailureRecord['phase'], at: atIso };
  } else if (cycle.phase === 'FAILED') {
    delete next.failure;
  }
  if (to === 'CLOSED') next.closedAt = atIso;
  return next;
}
