/**
 * Small records the workflow keeps beside the review itself: reply tokens, parked task tokens,
 * seen inbound messages, and sent-notification claims (so nothing is mailed twice).
 */
import * as z from 'zod';
import { NonEmptyText, PersonId, Sha256Hex, UtcTimestamp } from './common.ts';
import { CycleId } from './ids.ts';

/** What a wait or a reply is for, e.g. `inputs`, `minutes`, `input.d1`, `action.A-20261001T0800Z-Q-003`. */
export const Purpose = z
  .string({ error: 'expected a purpose' })
  .regex(/^[a-z][a-z0-9]*([._:-][A-Za-z0-9]+)*$/, {
    error: 'expected a purpose such as inputs, minutes or input.d1 (letters, digits, . _ : -)',
  })
  .max(120, { error: 'a purpose is at most 120 characters' });

/** The stored side of a signed reply address: what the token in the address stands for. */
export const ReplyTokenRecord = z
  .strictObject({
    tokenId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, { error: 'expected a token id of 8 to 64 characters A-Z a-z 0-9 _ -' }),
    cycleId: CycleId,
    purpose: Purpose,
    /** The person the request went to; replies must come from them (or their delegate). */
    recipientId: PersonId,
    /** What the reply is about within the purpose, e.g. an input key or an action id. */
    ref: z.optional(NonEmptyText),
    issuedAt: UtcTimestamp,
    expiresAt: UtcTimestamp,
  })
  .refine((record) => Date.parse(record.issuedAt) < Date.parse(record.expiresAt), {
    error: 'a reply token must expire after it was issued',
    path: ['expiresAt'],
  });
export type ReplyTokenRecord = z.infer<typeof ReplyTokenRecord>;

/** A Step Functions task token waiting for people, one per cycle and purpose (a newer wait replaces it). */
export const ParkedTask = z.strictObject({
  cycleId: CycleId,
  purpose: Purpose,
  /** Secret-like: never log it. */
  taskToken: z.string().min(1, { error: 'expected a task token' }),
  parkedAt: UtcTimestamp,
  status: z.enum(['parked', 'completed']),
  completedAt: z.optional(UtcTimestamp),
});
export type ParkedTask = z.infer<typeof ParkedTask>;

/** An inbound message already taken in, keyed by the SHA-256 of its Message-ID. */
export const SeenMessage = z.strictObject({
  messageIdHash: Sha256Hex,
  firstSeenAt: UtcTimestamp,
  rawS3Key: z.optional(NonEmptyText),
});
export type SeenMessage = z.infer<typeof SeenMessage>;

/** A claim that one notification (a reminder, an escalation step) was sent, keyed by a stable id. */
export const NotificationKey = z
  .string({ error: 'expected a notification key' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]{0,199}$/, {
    error: 'expected a notification key such as action:A-20261001T0800Z-Q-003:remind-7d',
  });
