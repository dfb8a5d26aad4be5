/**
 * An action decided in a review (clause 9.3.3) and followed to closure (clause 10).
 *
 * Status: open → in_progress → done → verified, or cancelled (with a reason) from any open state.
 * Done needs evidence one can look at: an attached file or a web link (`ClosureEvidence`).
 * A corrective action, once done, waits for the ISMS manager (the chair, when the ISMS manager owns
 * it) to confirm its closure on that evidence (`closureConfirmation`); only then does its
 * effectiveness check, by someone other than its owner, start. It is verified only when that check
 * passed.
 *
 * Follow-up: an action needs follow-up (reminders, escalation) while it is open or in progress,
 * and, if corrective, while done but its closure is not confirmed or its effectiveness check has no
 * result yet. Only such actions
 * carry the sparse open-actions index keys, so the daily sweep never reads closed actions.
 *
 * Escalation level: 0 none, 1 the owner was told it is overdue, 2 the ISMS manager, 3 top management.
 */
import * as z from 'zod';
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

/** The longest web link kept as evidence. */
export const MAX_EVIDENCE_LINK_LENGTH = 2048;

/** Whether `text` is a web address (http or https, with a host): the only links kept as evidence. */
export function isWebLink(text: string): boolean {
  if (text.length > MAX_EVIDENCE_LINK_LENGTH || /\s/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** A link to the evidence of done work: an http(s) address. */
export const EvidenceLink = z.string().refine(isWebLink, {
  error: `expected a web link (http:// or https://, at most ${MAX_EVIDENCE_LINK_LENGTH} characters)`,
});

export const ClosureEvidence = z.strictObject({
  text: NonEmptyText,
  attachments: z.optional(z.array(Attachment)),
  /** The web links the owner gave as evidence (from the DONE text, or given on the command line). */
  links: z.optional(z.array(EvidenceLink)),
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

/** Days a done corrective action waits for its closure to be confirmed before the confirmer is reminded. */
export const CONFIRMATION_REMINDER_DAYS = 5;

/**
 * Where an update came from: an inbound email (its Message-ID), the command line, the system, or the
 * web app (`signedInAs`: the person signed in, who may record a decision in another's name, as the
 * command line's --by does).
 */
export const UpdateSource = z.discriminatedUnion(
  'channel',
  [
    z.strictObject({ channel: z.literal('email'), messageId: NonEmptyText }),
    z.strictObject({ channel: z.literal('cli') }),
    z.strictObject({ channel: z.literal('system') }),
    z.strictObject({ channel: z.literal('web'), signedInAs: PersonId }),
  ],
  { error: 'expected a source: email (with its Message-ID), cli, system or web (with who signed in)' },
);
export type UpdateSource = z.infer<typeof UpdateSource>;

/** The ISMS manager (the chair, when the ISMS manager owns the action) confirmed a corrective action's closure. */
export const ClosureConfirmation = z.strictObject({
  by: PersonId,
  at: UtcTimestamp,
  note: z.optional(NonEmptyText),
  source: UpdateSource,
});
export type ClosureConfirmation = z.infer<typeof ClosureConfirmation>;

/**
 * The message a change calls for beyond the change itself (shared/actions/register.ts `sendFollowOn`):
 * a notice to the owner, a request to the confirmer or the chair. Kept on the history entry of a
 * change made by email, so that the same email delivered again sends it if the first attempt stored
 * the change but could not send it.
 */
export const FollowOn = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('closure-confirmation') }),
  z.strictObject({ kind: z.literal('closure-reopened'), reason: NonEmptyText, reopenedBy: PersonId }),
  z.strictObject({ kind: z.literal('effectiveness-check') }),
  z.strictObject({ kind: z.literal('extension-request') }),
  z.strictObject({
    kind: z.literal('extension-decision'),
    approved: z.boolean(),
    requestedAt: UtcTimestamp,
    requestedDueDate: CalendarDate,
    previousDueDate: CalendarDate,
    reason: z.optional(NonEmptyText),
  }),
  z.strictObject({ kind: z.literal('reopened'), finding: NonEmptyText, checkedBy: PersonId }),
  z.strictObject({
    kind: z.literal('management-decision'),
    decision: z.enum(['reschedule', 'reassign', 'accept-risk']),
    reason: NonEmptyText,
    decidedBy: PersonId,
    decidedAt: UtcTimestamp,
    previousOwnerId: PersonId,
    previousDueDate: CalendarDate,
  }),
]);
export type FollowOn = z.infer<typeof FollowOn>;

export const HistoryEntry = z.strictObject({
  at: UtcTimestamp,
  by: Actor,
  /** What changed, in words, e.g. `status open → done`, `due date 2026-11-30 → 2026-12-15: supplier delay`. */
  change: NonEmptyText,
  /** Where the update came from (absent on entries written before sources were kept). */
  source: z.optional(UpdateSource),
  /** What the change sends, on a change made by email (see FollowOn). */
  followOn: z.optional(FollowOn),
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
    /** Who confirmed the closure of a done corrective action on its evidence, and when. */
    closureConfirmation: z.optional(ClosureConfirmation),
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
    if (action.closureConfirmation && !(action.corrective && finished)) {
      issue(
        ['closureConfirmation'],
        `only a done or verified corrective action has its closure confirmed; this one is ${action.corrective ? action.status : 'not corrective'}`,
      );
    }
    if (action.closureConfirmation && action.closureConfirmation.by === action.ownerId) {
      issue(
        ['closureConfirmation', 'by'],
        `the closure must be confirmed by someone other than the owner (${action.ownerId})`,
      );
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
export function needsFollowUp(
  action: Pick<Action, 'status' | 'corrective' | 'effectivenessCheck'> &
    Partial<Pick<Action, 'closureConfirmation'>>,
): boolean {
  if (action.status === 'open' || action.status === 'in_progress') return true;
  if (action.status !== 'done' || !action.corrective) return false;
  return !action.closureConfirmation || action.effectivenessCheck?.result === undefined;
}

/** A done corrective action whose closure the ISMS manager (or the chair) has not confirmed yet. */
export function awaitingConfirmation(
  action: Pick<Action, 'status' | 'corrective'> & Partial<Pick<Action, 'closureConfirmation'>>,
): boolean {
  return action.status === 'done' && action.corrective && !action.closureConfirmation;
}

/**
 * The date the next follow-up is measured against: the due date while work is open; while a done
 * corrective action awaits the confirmation of its closure, the day its confirmer is reminded; then
 * the effectiveness check's due date while it awaits its check; undefined when the action needs no
 * follow-up.
 */
export function followUpDate(
  action: Pick<Action, 'status' | 'corrective' | 'effectivenessCheck' | 'dueDate'> &
    Partial<Pick<Action, 'closureConfirmation' | 'closureEvidence'>>,
): string | undefined {
  if (!needsFollowUp(action)) return undefined;
  if (awaitingConfirmation(action) && action.closureEvidence) {
    const closed = Date.parse(`${action.closureEvidence.at.slice(0, 10)}T00:00:00Z`);
    return new Date(closed + CONFIRMATION_REMINDER_DAYS * 86_400_000).toISOString().slice(0, 10);
  }
  if (action.status === 'done') return action.effectivenessCheck?.dueDate;
  return action.dueDate;
}
