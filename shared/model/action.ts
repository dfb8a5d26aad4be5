/**
 * An action decided in a review (clause 9.3.3) and followed to closure (clause 10).
 *
 * Status: open → in_progress → done → verified, or cancelled (with a reason) from any open state.
 * A corrective action, once done, gets an effectiveness check by someone other than its owner;
 * it is verified only when that check passed.
 *
 * Follow-up: an action needs follow-up (reminders, escalation) while it is open or in progress,
 * and, if corrective, while done but its effectiveness check has no result yet. Only such actions
 * carry the sparse open-actions index keys, so the daily sweep never reads closed actions.
 *
 * Escalation level: 0 none, 1 the owner was told it is overdue, 2 the ISMS manager, 3 top management.
 */
import { z } from 'zod';
import {
  CalendarDate,
  InputKey,
  NonEmptyText,
  PersonId,
  ProgrammeId,
  UtcTimestamp,
  Version,
} from './common.ts';
import { ActionId, CycleId, DecisionId } from './ids.ts';
import { Attachment } from './input.ts';

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'verified', 'cancelled'] as const;
export const ActionStatus = z.enum(ACTION_STATUSES, {
  error: `expected an action status: ${ACTION_STATUSES.join(', ')}`,
});
export type ActionStatus = z.infer<typeof ActionStatus>;

export const ActionEscalationLevel = z
  .number()
  .int()
  .min(0)
  .max(3, { error: 'escalation level is 0 to 3: 1 owner, 2 ISMS manager, 3 top management' });

/** Who did something: a person from the programme, or the system itself. */
export const Actor = z.union([PersonId, z.literal('system')], { error: 'expected a person id or system' });

export const ClosureEvidence = z.strictObject({
  text: NonEmptyText,
  attachments: z.optional(z.array(Attachment)),
  at: UtcTimestamp,
  by: Actor,
});
export type ClosureEvidence = z.infer<typeof ClosureEvidence>;

export const EffectivenessCheck = z
  .strictObject({
    /** Who checks; never the action's owner. */
    assigneeId: PersonId,
    dueDate: CalendarDate,
    result: z.optional(z.enum(['passed', 'failed'], { error: 'expected result passed or failed' })),
    note: z.optional(NonEmptyText),
    checkedAt: z.optional(UtcTimestamp),
  })
  .superRefine((check, ctx) => {
    if (check.result && !check.checkedAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['checkedAt'],
        message: 'a check with a result must say when it was done',
      });
    }
    if (check.result === 'failed' && !check.note) {
      ctx.addIssue({
        code: 'custom',
        path: ['note'],
        message: 'a failed check must say what was found (note)',
      });
    }
  });
export type EffectivenessCheck = z.infer<typeof EffectivenessCheck>;

/** Where an update came from: an inbound email (its Message-ID), the command line, or the system. */
export const UpdateSource = z.discriminatedUnion(
  'channel',
  [
    z.strictObject({ channel: z.literal('email'), messageId: NonEmptyText }),
    z.strictObject({ channel: z.literal('cli') }),
    z.strictObject({ channel: z.literal('system') }),
  ],
  { error: 'expected a source: email (with its Message-ID), cli or system' },
);
export type UpdateSource = z.infer<typeof UpdateSource>;

export const HistoryEntry = z.strictObject({
  at: UtcTimestamp,
  by: Actor,
  /** What changed, in words, e.g. `status open → done`, `due date 2026-11-30 → 2026-12-15: supplier delay`. */
  change: NonEmptyText,
  /** Where the update came from (absent on entries written before sources were kept). */
  source: z.optional(UpdateSource),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const Action = z
  .strictObject({
    id: ActionId,
    cycleId: CycleId,
    programmeId: ProgrammeId,
    title: NonEmptyText,
    description: z.optional(NonEmptyText),
    ownerId: PersonId,
    dueDate: CalendarDate,
    status: ActionStatus,
    cancelReason: z.optional(NonEmptyText),
    escalationLevel: ActionEscalationLevel,
    closureEvidence: z.optional(ClosureEvidence),
    /** A corrective action (clause 10.1) answers a nonconformity and needs an effectiveness check. */
    corrective: z.boolean(),
    effectivenessCheck: z.optional(EffectivenessCheck),
    /** The decision it carries out, and the input it came from, if any. */
    decisionId: z.optional(DecisionId),
    inputKey: z.optional(InputKey),
    /** A later due date the owner asked for, awaiting the chair's answer. */
    extensionRequest: z.optional(
      z.strictObject({
        dueDate: CalendarDate,
        reason: NonEmptyText,
        requestedAt: UtcTimestamp,
        by: Actor,
        source: UpdateSource,
      }),
    ),
    /** How many times the chair moved the due date. */
    extensionsGranted: z.optional(z.number().int().min(0)),
    /** Follow-up steps sent for the current due date (step id → when); cleared when the due date moves. */
    stepsSent: z.optional(z.record(z.string(), UtcTimestamp)),
    history: z
      .array(HistoryEntry)
      .min(1, { error: 'an action keeps its history, starting with its creation' }),
    createdAt: UtcTimestamp,
    updatedAt: UtcTimestamp,
    version: Version,
  })
  .superRefine((action, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (!action.id.startsWith(`A${action.cycleId.slice(1)}-`)) {
      issue(['id'], `action ${action.id} does not belong to cycle ${action.cycleId}`);
    }
    if (action.status === 'cancelled' && !action.cancelReason) {
      issue(['cancelReason'], 'a cancelled action must say why it was cancelled');
    }
    if (action.status !== 'cancelled' && action.cancelReason) {
      issue(['cancelReason'], `only a cancelled action has a cancel reason; this one is ${action.status}`);
    }
    const finished = action.status === 'done' || action.status === 'verified';
    if (finished && !action.closureEvidence) {
      issue(['closureEvidence'], `a ${action.status} action must say what was done (closure evidence)`);
    }
    if (action.effectivenessCheck && !action.corrective) {
      issue(['effectivenessCheck'], 'only a corrective action gets an effectiveness check');
    }
    if (action.corrective && finished && !action.effectivenessCheck) {
      issue(
        ['effectivenessCheck'],
        `a ${action.status} corrective action needs an effectiveness check (assignee, due date)`,
      );
    }
    if (action.effectivenessCheck?.assigneeId === action.ownerId) {
      issue(
        ['effectivenessCheck', 'assigneeId'],
        `the effectiveness check must be done by someone other than the owner (${action.ownerId})`,
      );
    }
    if (action.corrective && action.status === 'verified' && action.effectivenessCheck?.result !== 'passed') {
      issue(
        ['effectivenessCheck', 'result'],
        'a corrective action is verified only when its effectiveness check passed',
      );
    }
  });
export type Action = z.infer<typeof Action>;

/** Whether the action still needs follow-up (see the module comment). */
export function needsFollowUp(action: Pick<Action, 'status' | 'corrective' | 'effectivenessCheck'>): boolean {
  if (action.status === 'open' || action.status === 'in_progress') return true;
  return action.status === 'done' && action.corrective && action.effectivenessCheck?.result === undefined;
}

/**
 * The date the next follow-up is measured against: the due date while work is open, the
 * effectiveness check's due date while a done corrective action awaits its check; undefined when
 * the action needs no follow-up.
 */
export function followUpDate(
  action: Pick<Action, 'status' | 'corrective' | 'effectivenessCheck' | 'dueDate'>,
): string | undefined {
  if (!needsFollowUp(action)) return undefined;
  if (action.status === 'done') return action.effectivenessCheck?.dueDate;
  return action.dueDate;
}
