/**
 * Delivery receipts: SES sending events (delivery, bounce, complaint, reject, delay, send) of the
 * configuration set, as EventBridge delivers them to `record-mail-event`, appended to the log of
 * the cycle named by the message's `cycle` tag (the outbox tags every message with its cycle and
 * purpose). They are the proof that a notice reached, or did not reach, its recipient.
 *
 * EventBridge delivers at least once: each receipt is claimed by (type, SES message id,
 * recipients) before it is appended, so a repeat appends nothing. A message without a cycle tag
 * (not sent by the review) or of an unknown cycle is skipped and said so. An event that is not
 * an SES event fails with InvalidMailEvent, so that EventBridge keeps it in the dead-letter queue.
 */
import * as z from 'zod';
import type { Clock } from '../clock.ts';
import type { CycleEvent } from '../model/event.ts';
import { CycleId } from '../model/ids.ts';
import { NotificationKey } from '../model/records.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { sha256Hex } from '../model/canonical-json.ts';

export class InvalidMailEvent extends Error {
  override name = 'InvalidMailEvent' as const;
}

const EVENT_TYPES = {
  Delivery: 'mail.delivered',
  Bounce: 'mail.bounced',
  Complaint: 'mail.complained',
  Reject: 'mail.rejected',
  DeliveryDelay: 'mail.delivery_delayed',
  Send: 'mail.accepted_by_ses',
} as const;

/** The event types receipts are recorded as. */
export const RECEIPT_EVENT_TYPES: readonly string[] = Object.values(EVENT_TYPES);

const Recipient = z.looseObject({ emailAddress: z.string() });

export const SesMailEvent = z.looseObject({
  detail: z.looseObject({
    eventType: z.enum(Object.keys(EVENT_TYPES) as [keyof typeof EVENT_TYPES], {
      error: `expected an SES event type: ${Object.keys(EVENT_TYPES).join(', ')}`,
    }),
    mail: z.looseObject({
      messageId: z.string().min(1),
      timestamp: z.iso.datetime({ offset: true }),
      destination: z.optional(z.array(z.string())),
      tags: z.optional(z.record(z.string(), z.array(z.string()))),
    }),
    delivery: z.optional(
      z.looseObject({
        timestamp: z.iso.datetime({ offset: true }),
        recipients: z.array(z.string()),
        smtpResponse: z.optional(z.string()),
      }),
    ),
    bounce: z.optional(
      z.looseObject({
        timestamp: z.iso.datetime({ offset: true }),
        bounceType: z.string(),
        bounceSubType: z.optional(z.string()),
        bouncedRecipients: z.array(Recipient.extend({ diagnosticCode: z.optional(z.string()) })),
      }),
    ),
    complaint: z.optional(
      z.looseObject({
        timestamp: z.iso.datetime({ offset: true }),
        complainedRecipients: z.array(Recipient),
      }),
    ),
    reject: z.optional(z.looseObject({ reason: z.string() })),
    deliveryDelay: z.optional(
      z.looseObject({
        timestamp: z.iso.datetime({ offset: true }),
        delayType: z.string(),
        delayedRecipients: z.array(Recipient),
      }),
    ),
  }),
});
export type SesMailEvent = z.infer<typeof SesMailEvent>;

export interface MailEventDeps {
  readonly repo: Pick<
    ReviewRepository,
    'getCycle' | 'claimNotification' | 'releaseNotification' | 'appendEvent'
  >;
  readonly clock: Clock;
}

export type MailEventResult =
  | { readonly recorded: true; readonly event: CycleEvent }
  | { readonly recorded: false; readonly reason: string };

const utc = (timestamp: string) => new Date(timestamp).toISOString();

/** Appends one SES sending event to its cycle's log, once (see the module note). */
export async function recordMailEvent(deps: MailEventDeps, raw: unknown): Promise<MailEventResult> {
  const parsed = SesMailEvent.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidMailEvent(
      `not an SES sending event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`,
    );
  }
  const { eventType, mail, delivery, bounce, complaint, reject, deliveryDelay } = parsed.data.detail;
  const cycleTag = mail.tags?.cycle?.[0];
  if (!cycleTag || !CycleId.safeParse(cycleTag).success) {
    return {
      recorded: false,
      reason: `SES message ${mail.messageId} carries no cycle tag; not a review message`,
    };
  }
  if (!(await deps.repo.getCycle(cycleTag))) {
    return {
      recorded: false,
      reason: `SES message ${mail.messageId} names cycle ${cycleTag}, which does not exist`,
    };
  }
  const detail = delivery
    ? { recipients: delivery.recipients, smtpResponse: delivery.smtpResponse ?? null, at: delivery.timestamp }
    : bounce
      ? {
          recipients: bounce.bouncedRecipients.map((r) => r.emailAddress),
          bounceType: bounce.bounceType,
          bounceSubType: bounce.bounceSubType ?? null,
          diagnostics: bounce.bouncedRecipients.map((r) => r.diagnosticCode ?? null),
          at: bounce.timestamp,
        }
      : complaint
        ? { recipients: complaint.complainedRecipients.map((r) => r.emailAddress), at: complaint.timestamp }
        : deliveryDelay
          ? {
              recipients: deliveryDelay.delayedRecipients.map((r) => r.emailAddress),
              delayType: deliveryDelay.delayType,
              at: deliveryDelay.timestamp,
            }
          : {
              recipients: mail.destination ?? [],
              ...(reject ? { reason: reject.reason } : {}),
              at: mail.timestamp,
            };
  const recipients = [...detail.recipients].map((r) => r.toLowerCase()).sort();
  const type = EVENT_TYPES[eventType];
  const candidate = `ses:${eventType}:${mail.messageId}:${sha256Hex(recipients.join(',')).slice(0, 16)}`;
  const claimKey = NotificationKey.safeParse(candidate).success
    ? candidate
    : `ses:${sha256Hex(candidate).slice(0, 40)}`;
  const now = deps.clock.now().toISOString();
  if (!(await deps.repo.claimNotification(cycleTag, claimKey, now))) {
    return { recorded: false, reason: `${type} of SES message ${mail.messageId} was recorded before` };
  }
  try {
    // The event's time is when the receipt was recorded; SES's own times (when it delivered,
    // bounced or accepted the message) are its data: `at` and `sentAt`.
    const event = await deps.repo.appendEvent(cycleTag, {
      type,
      at: now,
      actor: 'system',
      data: {
        ...detail,
        at: utc(detail.at),
        recipients,
        sesMessageId: mail.messageId,
        purpose: mail.tags?.purpose?.[0] ?? null,
        sentAt: utc(mail.timestamp),
      },
    });
    return { recorded: true, event };
  } catch (error) {
    await deps.repo.releaseNotification(cycleTag, claimKey);
    throw error;
  }
}
