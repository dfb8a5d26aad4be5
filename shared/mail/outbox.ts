/**
 * Sending a notice exactly once, however often the workflow retries the step that sends it.
 *
 * Every message has a key that names it in its cycle (e.g. `input-request:alice`,
 * `action:A-20261001T0800Z-Q-003:overdue-1`). `sendOnce` runs this protocol:
 *
 *  1. Claim: a conditional put of an outbox record PENDING for (cycle, key), only if none exists.
 *     The claim holds a lease (default 60 s) and a Message-ID chosen now.
 *  2. If a record exists and is SENT: return it, send nothing ('already-sent').
 *     If it is PENDING with a live lease, another attempt is sending right now: SendInProgress
 *     (retry later). If it is PENDING and its lease has run out, the attempt that claimed it
 *     died: take it over (a conditional update on its attempt number) and go on.
 *  3. Build the message (the caller's `build`), compose the MIME, keep the raw message in the
 *     blob store under `cycles/<cycleId>/mail/<safe key>.eml`.
 *  4. Send it, then update the record to SENT with the SES message id, the SHA-256 of the raw
 *     message and the time (conditional on still holding the claim).
 *  5. Call `onSent` (e.g. to append an event to the cycle log), then mark the hook done. If the
 *     hook fails, the next attempt finds the record SENT and runs the hook again, without sending:
 *     the hook runs at least once, so make it idempotent (key the event by the outbox key).
 *
 * The one window for a duplicate: a crash after SES accepted the message (step 4) and before the
 * record says SENT. The next attempt, after the lease, sends once more, with the same
 * Message-ID, so most mail clients show it once. The window is the few milliseconds between
 * SES's answer and one DynamoDB write; it is narrower than SES's own, which itself delivers at
 * least once. A failure before SES accepts (build, compose, storage, or SES refusing) releases
 * the lease at once, so the retry goes ahead without waiting. An SES call that times out is the
 * same case as the crash: it may or may not have been sent, and is sent at most once more.
 *
 * With a `sentRecord` (the envelope's `mail.sent` event and reply-token links), steps 4 and 5 are
 * one write: the record is SENT, its hook done, its event appended and its tokens linked together.
 * `sendAll` does the same for several messages with one claim write and one sent write (see there).
 *
 * The workflow's Retry for a sending task must include SendInProgress with a backoff whose total
 * exceeds the lease, and the sending function's timeout must be well under the lease.
 */
import { randomUUID, createHash } from 'node:crypto';
import * as z from 'zod';
import type { Clock } from '../clock.ts';
import { CycleId } from '../model/ids.ts';
import type { EventDraft } from '../model/event.ts';
import { Purpose, type ReplyTokenRecord } from '../model/records.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { addressOf, composeMessage, newMessageId, parseMessageSpec, type MessageSpec } from './compose.ts';

// ------------------------------------------------------------------ ports

export interface SendOptions {
  /** The SES configuration set; absent: the mailer's default. */
  configurationSet?: string;
  /** Message tags that travel with delivery and bounce events, e.g. { cycle, purpose }. */
  tags?: Record<string, string>;
}

/** Sends a raw MIME message. On AWS: shared/adapters/ses-mailer.ts. */
export interface Mailer {
  sendRaw(raw: Buffer, opts?: SendOptions): Promise<{ messageId: string }>;
}

/** Names one message in its cycle: letters, digits and . _ : # -; at most 200 characters. */
export const OutboxKey = z
  .string({ error: 'expected an outbox key' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:#-]{0,199}$/, {
    error: 'expected an outbox key such as input-request:alice or action:A-20261001T0800Z-Q-003:overdue-1',
  });

const Timestamp = z.iso.datetime();

export const OutboxRecord = z.strictObject({
  cycleId: CycleId,
  key: OutboxKey,
  purpose: Purpose,
  /** Every To and Cc address, lower case, sorted. */
  recipients: z.array(z.string()).min(1),
  status: z.enum(['PENDING', 'SENT']),
  /** 1 for the first claim, one more at each take-over after a lease ran out. */
  attempt: z.number().int().min(1),
  /** The local part of the Message-ID, chosen at the first claim and kept for every resend. */
  messageUuid: z.uuid(),
  claimedAt: Timestamp,
  leaseUntil: Timestamp,
  messageId: z.string().optional(),
  sesMessageId: z.string().optional(),
  rawKey: z.string().optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  size: z.number().int().min(0).optional(),
  sentAt: Timestamp.optional(),
  /** True once the onSent hook has run for this message. */
  hookDone: z.boolean().optional(),
});
export type OutboxRecord = z.infer<typeof OutboxRecord>;

export interface SentFields {
  messageId: string;
  sesMessageId: string;
  rawKey: string;
  sha256: string;
  size: number;
  sentAt: string;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: OutboxRecord };

/** A fresh claim and the reply tokens its message carries, stored with it (before it is sent). */
export interface OutboxClaim {
  readonly record: OutboxRecord;
  readonly replyTokens?: readonly ReplyTokenRecord[];
}

/** A message recorded as sent (its hook done) with what is written in the same write. */
export interface SentEntry {
  readonly cycleId: string;
  readonly key: string;
  /** The attempt that holds the claim. */
  readonly attempt: number;
  readonly sent: SentFields;
  /** Appended to the cycle's log in the same write (the `mail.sent` event). */
  readonly event?: EventDraft;
  /** Reply tokens the message carried, linked to its Message-ID in the same write. */
  readonly replyLinks?: readonly { readonly tokenId: string; readonly expiresAt?: string }[];
}

/** Sent entries by cycle, in order: each cycle's are recorded in one write of its own. */
export function entriesByCycle(entries: readonly SentEntry[]): Map<string, SentEntry[]> {
  const byCycle = new Map<string, SentEntry[]>();
  for (const entry of entries) byCycle.set(entry.cycleId, [...(byCycle.get(entry.cycleId) ?? []), entry]);
  return byCycle;
}

/** What a message's record as sent brings with it: its event and the links of its reply tokens. */
export type SentRecord = Pick<SentEntry, 'event' | 'replyLinks'>;

/** Where outbox records live. On AWS: shared/adapters/outbox-dynamodb.ts. */
export interface OutboxStore {
  /** Creates the record (status PENDING) only if there is none for (cycleId, key). */
  claim(record: OutboxRecord): Promise<ClaimResult>;
  /** A new lease on a PENDING record whose attempt is `fromAttempt`; false if it changed meanwhile. */
  takeOver(
    cycleId: string,
    key: string,
    fromAttempt: number,
    lease: { claimedAt: string; leaseUntil: string },
  ): Promise<boolean>;
  /** Ends the lease of a PENDING record held by `attempt` at `at`; nothing if it changed. */
  release(cycleId: string, key: string, attempt: number, at: string): Promise<void>;
  /** PENDING held by `attempt` → SENT; false if the record is no longer so. */
  markSent(cycleId: string, key: string, attempt: number, sent: SentFields): Promise<boolean>;
  markHookDone(cycleId: string, key: string): Promise<void>;
  /**
   * Creates every record (PENDING) with its reply tokens in one write, all or nothing: false, and
   * nothing written, when a record already exists for one of the keys.
   */
  claimAll(claims: readonly OutboxClaim[]): Promise<boolean>;
  /**
   * PENDING held by each entry's attempt → SENT with its hook done, each entry's event appended and
   * its reply tokens linked, all in one write per cycle: false, and nothing written for that
   * cycle, when one record is no longer so held.
   */
  markAllSent(entries: readonly SentEntry[]): Promise<boolean>;
  get(cycleId: string, key: string): Promise<OutboxRecord | undefined>;
  /** The SENT records of a cycle, oldest first. */
  listSent(cycleId: string): Promise<OutboxRecord[]>;
}

// ------------------------------------------------------------------ errors

export class InvalidSendRequest extends Error {
  override name = 'InvalidSendRequest' as const;
}

/** Another attempt holds the claim on this message right now: retry after its lease. */
export class SendInProgress extends Error {
  override name = 'SendInProgress' as const;
}

/** The key names a message already claimed for another purpose or other recipients. */
export class OutboxKeyReused extends Error {
  override name = 'OutboxKeyReused' as const;
}

/** The built message is not addressed to the recipients the claim recorded. */
export class RecipientsMismatch extends Error {
  override name = 'RecipientsMismatch' as const;
}

// ------------------------------------------------------------------ the outbox

/** What the onSent hook and listSent report about one sent message. */
export interface SentMessage extends SentFields {
  cycleId: string;
  key: string;
  purpose: string;
  recipients: string[];
  attempt: number;
}

export interface SendRequest {
  key: string;
  cycleId: string;
  purpose: string;
  /** Every To and Cc address the message will have (Bcc is not used). */
  recipients: string[];
  /**
   * Makes the message; called only when it is to be sent. `tokensWithClaim`: the reply tokens it
   * issues are left to `replyTokens`, to be stored with the claim (sendAll), not stored by it.
   */
  build: (how?: { tokensWithClaim: boolean }) => Promise<MessageSpec>;
  /**
   * Runs after the message is recorded as sent, at least once (see the module note). With
   * `sentRecord`, only for a record found SENT whose hook had not run (one marked sent without it).
   */
  onSent?: (sent: SentMessage) => Promise<void>;
  /** What is written in the same write that records the message as sent (its event, its links). */
  sentRecord?: (sent: SentMessage) => SentRecord;
  /** The reply tokens `build({ tokensWithClaim: true })` issued: sendAll stores them with the claim. */
  replyTokens?: () => readonly ReplyTokenRecord[];
}

export interface SendResult {
  status: 'sent' | 'already-sent';
  /** The Message-ID header, with angle brackets. */
  messageId: string;
  /** The id SES gave the message (the key of its delivery and bounce events). */
  sesMessageId: string;
  /** Where the raw message is kept in the blob store. */
  rawKey: string;
  /** SHA-256 of the raw message, lower-case hex. */
  sha256: string;
}

export interface OutboxOptions {
  store: OutboxStore;
  mailer: Mailer;
  blobs: BlobStore;
  clock: Clock;
  /** How long a claim keeps other attempts away; default 60 s. */
  leaseMs?: number;
  /** SES configuration set for every send; absent: the mailer's default. */
  configurationSet?: string;
  /** Message-ID local parts; for tests. */
  newUuid?: () => string;
}

const SendRequestShape = z.object({
  key: OutboxKey,
  cycleId: CycleId,
  purpose: Purpose,
  recipients: z.array(z.email({ error: 'expected an email address' })).min(1, { error: 'needs a recipient' }),
});

/** Addresses compared as the outbox records them: lower case, sorted, once each. */
export function normaliseRecipients(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map((address) => address.trim().toLowerCase()))].sort();
}

/** Where the raw message of (cycle, key) is kept: `cycles/<cycleId>/mail/<safe key>.eml`. */
export function mailBlobKey(cycleId: string, key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._-]/g, '_');
  // Replacing characters could make two keys meet (a:b, a_b): a short hash of the key keeps them apart.
  const suffix = safe === key ? '' : `-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  return `cycles/${cycleId}/mail/${safe}${suffix}.eml`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

type BuiltSpec = ReturnType<typeof parseMessageSpec>;

/** Messages one write claims, and one records as sent: with their events and links, within a transaction. */
const BATCH_MESSAGES = 20;

function resultOf(sent: SentFields): Omit<SendResult, 'status'> {
  return {
    messageId: sent.messageId,
    sesMessageId: sent.sesMessageId,
    rawKey: sent.rawKey,
    sha256: sent.sha256,
  };
}

function sentMessage(record: OutboxRecord): SentMessage {
  return {
    cycleId: record.cycleId,
    key: record.key,
    purpose: record.purpose,
    recipients: record.recipients,
    attempt: record.attempt,
    messageId: record.messageId ?? '',
    sesMessageId: record.sesMessageId ?? '',
    rawKey: record.rawKey ?? '',
    sha256: record.sha256 ?? '',
    size: record.size ?? 0,
    sentAt: record.sentAt ?? '',
  };
}

export class Outbox {
  readonly #store: OutboxStore;
  readonly #mailer: Mailer;
  readonly #blobs: BlobStore;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #configurationSet: string | undefined;
  readonly #newUuid: () => string;

  constructor(options: OutboxOptions) {
    this.#store = options.store;
    this.#mailer = options.mailer;
    this.#blobs = options.blobs;
    this.#clock = options.clock;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#configurationSet = options.configurationSet;
    this.#newUuid = options.newUuid ?? randomUUID;
  }

  #validate(request: SendRequest): { key: string; cycleId: string; purpose: string; recipients: string[] } {
    const parsed = SendRequestShape.safeParse(request);
    if (!parsed.success) {
      throw new InvalidSendRequest(
        `Cannot send: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`).join('; ')}`,
      );
    }
    const { key, cycleId, purpose } = parsed.data;
    return { key, cycleId, purpose, recipients: normaliseRecipients(parsed.data.recipients) };
  }

  #lease(now: Date) {
    return {
      claimedAt: now.toISOString(),
      leaseUntil: new Date(now.getTime() + this.#leaseMs).toISOString(),
    };
  }

  /** The built message, checked against the recipients claimed. */
  async #build(request: SendRequest, key: string, recipients: readonly string[], tokensWithClaim = false) {
    const spec = parseMessageSpec(await request.build(tokensWithClaim ? { tokensWithClaim } : undefined));
    const addressed = normaliseRecipients([...spec.to, ...spec.cc].map(addressOf));
    if (!sameList(addressed, recipients)) {
      throw new RecipientsMismatch(
        `The message "${key}" is addressed to ${addressed.join(', ')} but was claimed for ${recipients.join(', ')}`,
      );
    }
    return spec;
  }

  /** Composes, keeps and sends the message of a held claim; gives the claim back if it was not sent. */
  async #deliver(record: OutboxRecord, spec: BuiltSpec, now: Date): Promise<SentFields> {
    const { cycleId, key, purpose } = record;
    try {
      const { raw, messageId } = await composeMessage({
        ...spec,
        messageId: newMessageId(spec.from, record.messageUuid),
        date: now,
      });
      const rawKey = mailBlobKey(cycleId, key);
      const stored = await this.#blobs.put(rawKey, raw, 'message/rfc822');
      const { messageId: sesMessageId } = await this.#mailer.sendRaw(raw, {
        configurationSet: this.#configurationSet,
        tags: { cycle: cycleId, purpose },
      });
      return {
        messageId,
        sesMessageId,
        rawKey,
        sha256: stored.sha256,
        size: stored.size,
        sentAt: this.#clock.now().toISOString(),
      };
    } catch (error) {
      // Nothing was accepted for sending (or, after an SES timeout, we cannot know): let the
      // next attempt go ahead now instead of after the lease.
      await this.#store
        .release(cycleId, key, record.attempt, this.#clock.now().toISOString())
        .catch(() => undefined);
      throw error;
    }
  }

  /** The entry that records `record` as sent with `sent`, and what its request writes with it. */
  #entry(record: OutboxRecord, sent: SentFields, request: SendRequest): SentEntry {
    const message = sentMessage({ ...record, ...sent, status: 'SENT' });
    return {
      cycleId: record.cycleId,
      key: record.key,
      attempt: record.attempt,
      sent,
      ...(request.sentRecord ? request.sentRecord(message) : {}),
    };
  }

  async sendOnce(request: SendRequest): Promise<SendResult> {
    const { key, cycleId, purpose, recipients } = this.#validate(request);
    const now = this.#clock.now();
    const lease = this.#lease(now);

    const fresh: OutboxRecord = {
      cycleId,
      key,
      purpose,
      recipients,
      status: 'PENDING',
      attempt: 1,
      messageUuid: this.#newUuid(),
      ...lease,
    };
    let record: OutboxRecord;
    const claim = await this.#store.claim(fresh);
    if (claim.claimed) {
      record = fresh;
    } else {
      const existing = claim.existing;
      if (existing.purpose !== purpose || !sameList(existing.recipients, recipients)) {
        throw new OutboxKeyReused(
          `The message "${key}" of cycle ${cycleId} was already claimed for ${existing.purpose} to ` +
            `${existing.recipients.join(', ')}; use another key for a different message`,
        );
      }
      if (existing.status === 'SENT') return this.#alreadySent(existing, request.onSent);
      if (Date.parse(existing.leaseUntil) > now.getTime()) {
        throw new SendInProgress(
          `The message "${key}" of cycle ${cycleId} is being sent by another attempt; try again after ${existing.leaseUntil}`,
        );
      }
      const taken = await this.#store.takeOver(cycleId, key, existing.attempt, lease);
      if (!taken) {
        const latest = await this.#store.get(cycleId, key);
        if (latest?.status === 'SENT') return this.#alreadySent(latest, request.onSent);
        throw new SendInProgress(
          `The message "${key}" of cycle ${cycleId} was taken over by another attempt; try again later`,
        );
      }
      record = { ...existing, ...lease, attempt: existing.attempt + 1 };
    }

    let spec: BuiltSpec;
    try {
      spec = await this.#build(request, key, recipients);
    } catch (error) {
      await this.#store
        .release(cycleId, key, record.attempt, this.#clock.now().toISOString())
        .catch(() => undefined);
      throw error;
    }
    const sent = await this.#deliver(record, spec, now);
    await this.#record(record, sent, request);
    return { status: 'sent', ...resultOf(sent) };
  }

  /**
   * Records one message as sent. False only if our lease ran out and another attempt took over
   * while we were sending; the record then describes that attempt's message, and ours is reported
   * to the caller as sent.
   */
  async #record(record: OutboxRecord, sent: SentFields, request: SendRequest): Promise<void> {
    if (request.sentRecord) {
      await this.#store.markAllSent([this.#entry(record, sent, request)]);
      return;
    }
    const marked = await this.#store.markSent(record.cycleId, record.key, record.attempt, sent);
    if (marked && request.onSent) {
      await request.onSent(sentMessage({ ...record, ...sent, status: 'SENT' }));
      await this.#store.markHookDone(record.cycleId, record.key);
    }
  }

  /**
   * Sends several messages with as few writes as their guarantees allow: every message is built,
   * then all are claimed in one write with the reply tokens they carry, sent one after the other,
   * and recorded as sent in one more write (with their `sentRecord`s). If one of them was claimed
   * before (a retried or resumed step), each goes through sendOnce instead. A send that fails gives
   * back the claims not yet sent, records the ones sent, and throws.
   *
   * The window for a duplicate is wider than sendOnce's: a crash after the first message of the
   * batch was accepted and before the batch is recorded leaves every sent one PENDING, and the next
   * attempt sends each of them once more after the lease, with the same Message-ID.
   */
  async sendAll(requests: readonly SendRequest[]): Promise<SendResult[]> {
    const results: SendResult[] = [];
    for (let start = 0; start < requests.length; start += BATCH_MESSAGES) {
      results.push(...(await this.#sendBatch(requests.slice(start, start + BATCH_MESSAGES))));
    }
    return results;
  }

  async #sendBatch(requests: readonly SendRequest[]): Promise<SendResult[]> {
    const checked = requests.map((request) => ({ request, ...this.#validate(request) }));
    const keys = checked.map((c) => `${c.cycleId}\u0000${c.key}`);
    if (new Set(keys).size !== keys.length) {
      throw new InvalidSendRequest('Cannot send: the same message (cycle and key) is twice in one batch');
    }
    if (checked.length <= 1) return Promise.all(requests.map((request) => this.sendOnce(request)));
    const now = this.#clock.now();
    const lease = this.#lease(now);
    const prepared = [];
    for (const c of checked) {
      const spec = await this.#build(c.request, c.key, c.recipients, true);
      const record: OutboxRecord = {
        cycleId: c.cycleId,
        key: c.key,
        purpose: c.purpose,
        recipients: c.recipients,
        status: 'PENDING',
        attempt: 1,
        messageUuid: this.#newUuid(),
        ...lease,
      };
      prepared.push({ request: c.request, spec, record, replyTokens: c.request.replyTokens?.() ?? [] });
    }
    const claimed = await this.#store.claimAll(
      prepared.map((p) => ({ record: p.record, replyTokens: p.replyTokens })),
    );
    if (!claimed) {
      const results: SendResult[] = [];
      for (const { request } of prepared) results.push(await this.sendOnce(request));
      return results;
    }
    const delivered: { record: OutboxRecord; sent: SentFields; request: SendRequest }[] = [];
    let failure: unknown;
    for (const [index, p] of prepared.entries()) {
      try {
        delivered.push({
          record: p.record,
          sent: await this.#deliver(p.record, p.spec, now),
          request: p.request,
        });
      } catch (error) {
        failure = error;
        const at = this.#clock.now().toISOString();
        for (const rest of prepared.slice(index + 1)) {
          await this.#store.release(rest.record.cycleId, rest.record.key, 1, at).catch(() => undefined);
        }
        break;
      }
    }
    const entries = delivered.map((d) => this.#entry(d.record, d.sent, d.request));
    const recordsWithoutEntry = delivered.filter((d) => !d.request.sentRecord);
    if (recordsWithoutEntry.length === 0) {
      if (entries.length && !(await this.#store.markAllSent(entries))) {
        // One lease ran out and another attempt took it over: record the others one by one.
        for (const entry of entries) await this.#store.markAllSent([entry]);
      }
    } else {
      for (const d of delivered) await this.#record(d.record, d.sent, d.request);
    }
    if (failure !== undefined) throw failure;
    return delivered.map((d) => ({ status: 'sent', ...resultOf(d.sent) }));
  }

  /** The SENT records of a cycle, oldest first: what was mailed, to whom, and its proof. */
  async listSent(cycleId: string): Promise<SentMessage[]> {
    return (await this.#store.listSent(cycleId)).map(sentMessage);
  }

  async #alreadySent(record: OutboxRecord, onSent: SendRequest['onSent']): Promise<SendResult> {
    if (onSent && !record.hookDone) {
      await onSent(sentMessage(record));
      await this.#store.markHookDone(record.cycleId, record.key);
    }
    return {
      status: 'already-sent',
      messageId: record.messageId ?? '',
      sesMessageId: record.sesMessageId ?? '',
      rawKey: record.rawKey ?? '',
      sha256: record.sha256 ?? '',
    };
  }
}
