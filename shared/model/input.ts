/**
 * Clause 9.3.2 inputs: the request sent to an input's owner and what the owner submitted.
 *
 * A request is never silently missing: it starts REQUESTED and ends SUBMITTED, NOTHING_TO_REPORT
 * (the owner said so, with a reason) or NOT_PROVIDED (the deadline passed; itself an item for
 * decision). A later submission for the same input supersedes the earlier one; both are kept.
 */
import * as z from 'zod';
import {
  ClauseRef,
  InputKey,
  NonEmptyText,
  Period,
  PersonId,
  ProgrammeId,
  Sha256Hex,
  UtcTimestamp,
  Version,
} from './common.ts';
import { CycleId, SubmissionId } from './ids.ts';

export const INPUT_REQUEST_STATUSES = [
  'REQUESTED',
  'SUBMITTED',
  'NOTHING_TO_REPORT',
  'NOT_PROVIDED',
] as const;
export const InputRequestStatus = z.enum(INPUT_REQUEST_STATUSES, {
  error: `expected an input status: ${INPUT_REQUEST_STATUSES.join(', ')}`,
});
export type InputRequestStatus = z.infer<typeof InputRequestStatus>;

/** Escalation of a missing input: 0 none yet, 1 the ISMS manager was told, 2 the chair was told. */
export const InputEscalationLevel = z
  .number()
  .int()
  .min(0)
  .max(2, { error: 'an input escalates at most twice: 1 ISMS manager, 2 chair' });

export const InputRequest = z
  .strictObject({
    cycleId: CycleId,
    programmeId: ProgrammeId,
    inputKey: InputKey,
    title: NonEmptyText,
    /** Filled by the system (e.g. 27001 input a from the action register): no owner is asked. */
    automatic: z.boolean(),
    /** The person asked for it; absent only for an automatic input. */
    ownerId: z.optional(PersonId),
    clauses: z.array(ClauseRef).min(1, { error: 'an input serves at least one clause' }),
    periodCovered: Period,
    requestedAt: UtcTimestamp,
    dueAt: UtcTimestamp,
    status: InputRequestStatus,
    remindersSent: z.number().int().min(0, { error: 'cannot have sent fewer than 0 reminders' }),
    lastReminderAt: z.optional(UtcTimestamp),
    escalationLevel: InputEscalationLevel,
    /** The submission that currently answers this request. */
    submissionId: z.optional(SubmissionId),
    /** When the request was closed as NOT_PROVIDED. */
    notProvidedAt: z.optional(UtcTimestamp),
    version: Version,
  })
  .superRefine((request, ctx) => {
    if (!request.automatic && !request.ownerId) {
      ctx.addIssue({
        code: 'custom',
        path: ['ownerId'],
        message: `input ${request.inputKey} is not automatic, so it needs an owner`,
      });
    }
    const answered = request.status === 'SUBMITTED' || request.status === 'NOTHING_TO_REPORT';
    if (answered && !request.submissionId) {
      ctx.addIssue({
        code: 'custom',
        path: ['submissionId'],
        message: `a ${request.status} input must name the submission that answered it`,
      });
    }
    if (request.status === 'NOT_PROVIDED' && !request.notProvidedAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['notProvidedAt'],
        message: 'a NOT_PROVIDED input must say when it was closed as not provided',
      });
    }
  });
export type InputRequest = z.infer<typeof InputRequest>;

export const Metric = z.strictObject({
  name: NonEmptyText,
  value: z.number({ error: 'a metric value is a number' }).refine(Number.isFinite, {
    error: 'a metric value must be a finite number',
  }),
  /** e.g. `%`, `count`, `days`; `count` when it is a plain number of things. */
  unit: NonEmptyText,
  /** The target set for this figure (an objective's target, a KPI's threshold), in the same unit. */
  target: z.optional(
    z.number({ error: 'a metric target is a number' }).refine(Number.isFinite, {
      error: 'a metric target must be a finite number',
    }),
  ),
});
export type Metric = z.infer<typeof Metric>;

export const Attachment = z.strictObject({
  name: NonEmptyText,
  sha256: Sha256Hex,
  size: z.number().int().min(0, { error: 'an attachment size is a number of bytes, 0 or more' }),
  /** Where the bytes are kept in the evidence bucket. */
  s3Key: NonEmptyText,
});
export type Attachment = z.infer<typeof Attachment>;

export const SubmissionSource = z.discriminatedUnion(
  'channel',
  [
    z.strictObject({
      channel: z.literal('email'),
      /** The inbound message's Message-ID header. */
      messageId: NonEmptyText,
      /** Where the raw message is kept in the raw mail bucket. */
      rawS3Key: NonEmptyText,
    }),
    z.strictObject({
      channel: z.literal('cli'),
      /** The file the ISMS manager submitted from, if any. */
      fileName: z.optional(NonEmptyText),
    }),
    /** Answered in the web app's form by a signed-in owner or delegate. */
    z.strictObject({ channel: z.literal('web') }),
  ],
  { error: 'expected a source with channel email (messageId, rawS3Key), cli or web' },
);
export type SubmissionSource = z.infer<typeof SubmissionSource>;

export const SUBMISSION_KINDS = ['report', 'nothing_to_report'] as const;

export const InputSubmission = z
  .strictObject({
    id: SubmissionId,
    cycleId: CycleId,
    programmeId: ProgrammeId,
    inputKey: InputKey,
    /** Who sent it: the owner or a registered delegate. */
    submitterId: PersonId,
    /** The owner a delegate answered for. */
    onBehalfOf: z.optional(PersonId),
    kind: z.enum(SUBMISSION_KINDS, { error: 'expected kind report or nothing_to_report' }),
    /** The period the content is about; separate from when it arrived. */
    periodCovered: Period,
    receivedAt: UtcTimestamp,
    /** The report, or for nothing_to_report the reason there is nothing to report. */
    summary: NonEmptyText,
    metrics: z.array(Metric),
    attachments: z.array(Attachment),
    /** What the owner asks management to decide, if anything (an item for decision in the package). */
    decisionNeeded: z.optional(NonEmptyText),
    /** The options the owner puts to management for that decision. */
    decisionOptions: z.optional(z.array(NonEmptyText)),
    /** The option the owner recommends. */
    recommendation: z.optional(NonEmptyText),
    /** Cost or effort of the recommendation, in the owner's words ("£18,000", "3 person-days"). */
    decisionCost: z.optional(NonEmptyText),
    /** What happens if management does not decide. */
    riskIfNotDecided: z.optional(NonEmptyText),
    source: SubmissionSource,
    /** The submission this one replaces (both are kept). */
    supersedes: z.optional(SubmissionId),
  })
  .superRefine((submission, ctx) => {
    const seen = new Set<string>();
    submission.metrics.forEach((metric, index) => {
      if (seen.has(metric.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', index, 'name'],
          message: `metric "${metric.name}" is listed twice; give each metric once`,
        });
      }
      seen.add(metric.name);
    });
    if (submission.supersedes === submission.id) {
      ctx.addIssue({ code: 'custom', path: ['supersedes'], message: 'a submission cannot supersede itself' });
    }
    if (submission.onBehalfOf === submission.submitterId) {
      ctx.addIssue({
        code: 'custom',
        path: ['onBehalfOf'],
        message: 'onBehalfOf names the owner a delegate answered for; leave it out when the owner answered',
      });
    }
  });
export type InputSubmission = z.infer<typeof InputSubmission>;

/** The request's status once `submission` answers it. */
export function statusAfter(submission: Pick<InputSubmission, 'kind'>): InputRequestStatus {
  return submission.kind === 'nothing_to_report' ? 'NOTHING_TO_REPORT' : 'SUBMITTED';
}
