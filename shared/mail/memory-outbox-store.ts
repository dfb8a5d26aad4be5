/**
 * OutboxStore in memory, with the same conditions as the DynamoDB one (the contract tests run
 * both): for unit tests of code that sends mail. Given the review's records, it writes the reply
 * tokens, links and events that go with its records there.
 */
import type { EventLog } from '../store/event-log.ts';
import type { MailRecordStore } from '../store/mail-records.ts';
import {
  OutboxRecord,
  entriesByCycle,
  type ClaimResult,
  type OutboxClaim,
  type OutboxStore,
  type SentEntry,
  type SentFields,
} from './outbox.ts';

/** An in-memory outbox store asked to write tokens or events without the records to write them to. */
export class OutboxCannotRecord extends Error {
  override name = 'OutboxCannotRecord' as const;
}

/** Where an in-memory outbox store writes what goes with its records (the review's records). */
export type OutboxCompanions = Pick<MailRecordStore, 'putReplyToken' | 'linkReplyToken'> &
  Pick<EventLog, 'appendEvent'>;

export class MemoryOutboxStore implements OutboxStore {
  readonly #records = new Map<string, OutboxRecord>();
  readonly #companions: OutboxCompanions | undefined;

  /** `records`: where the reply tokens, their links and the events written with the records go. */
  constructor(options: { records?: OutboxCompanions } = {}) {
    this.#companions = options.records;
  }

  #writesWith(what: string): OutboxCompanions {
    if (!this.#companions) {
      throw new OutboxCannotRecord(
        `This outbox store keeps no ${what}: build it with the records it writes them to`,
      );
    }
    return this.#companions;
  }

  #id(cycleId: string, key: string): string {
    return `${cycleId}\u0000${key}`;
  }

  #held(cycleId: string, key: string, attempt: number): OutboxRecord | undefined {
    const record = this.#records.get(this.#id(cycleId, key));
    return record && record.status === 'PENDING' && record.attempt === attempt ? record : undefined;
  }

  async claim(record: OutboxRecord): Promise<ClaimResult> {
    const existing = this.#records.get(this.#id(record.cycleId, record.key));
    if (existing) return { claimed: false, existing: structuredClone(existing) };
    this.#records.set(this.#id(record.cycleId, record.key), structuredClone(OutboxRecord.parse(record)));
    return { claimed: true };
  }

  async takeOver(
    cycleId: string,
    key: string,
    fromAttempt: number,
    lease: { claimedAt: string; leaseUntil: string },
  ): Promise<boolean> {
    const record = this.#held(cycleId, key, fromAttempt);
    if (!record) return false;
    Object.assign(record, lease, { attempt: fromAttempt + 1 });
    return true;
  }

  async release(cycleId: string, key: string, attempt: number, at: string): Promise<void> {
    const record = this.#held(cycleId, key, attempt);
    if (record) record.leaseUntil = at;
  }

  async markSent(cycleId: string, key: string, attempt: number, sent: SentFields): Promise<boolean> {
    const record = this.#held(cycleId, key, attempt);
    if (!record) return false;
    Object.assign(record, sent, { status: 'SENT', hookDone: false });
    return true;
  }

  async claimAll(claims: readonly OutboxClaim[]): Promise<boolean> {
    const records = claims.map((claim) => OutboxRecord.parse(claim.record));
    if (records.some((record) => this.#records.has(this.#id(record.cycleId, record.key)))) return false;
    const tokens = claims.flatMap((claim) => claim.replyTokens ?? []);
    if (tokens.length) {
      const companions = this.#writesWith('reply tokens');
      for (const token of tokens) await companions.putReplyToken(token);
    }
    for (const record of records)
      this.#records.set(this.#id(record.cycleId, record.key), structuredClone(record));
    return true;
  }

  async markAllSent(entries: readonly SentEntry[]): Promise<boolean> {
    let all = true;
    for (const [cycleId, group] of entriesByCycle(entries)) {
      if (group.some((entry) => !this.#held(cycleId, entry.key, entry.attempt))) {
        all = false;
        continue;
      }
      const events = group.flatMap((entry) => (entry.event ? [entry.event] : []));
      const links = group.flatMap((entry) =>
        (entry.replyLinks ?? []).map((link) => ({ ...link, messageId: entry.sent.messageId })),
      );
      if (events.length || links.length) {
        const companions = this.#writesWith('events or reply links');
        for (const event of events) await companions.appendEvent(cycleId, event);
        for (const link of links)
          await companions.linkReplyToken(link.messageId, link.tokenId, link.expiresAt);
      }
      for (const entry of group) {
        Object.assign(this.#held(cycleId, entry.key, entry.attempt)!, entry.sent, {
          status: 'SENT',
          hookDone: true,
        });
      }
    }
    return all;
  }

  async markHookDone(cycleId: string, key: string): Promise<void> {
    const record = this.#records.get(this.#id(cycleId, key));
    if (record?.status === 'SENT') record.hookDone = true;
  }

  async get(cycleId: string, key: string): Promise<OutboxRecord | undefined> {
    const record = this.#records.get(this.#id(cycleId, key));
    return record && structuredClone(record);
  }

  async listSent(cycleId: string): Promise<OutboxRecord[]> {
    return [...this.#records.values()]
      .filter((record) => record.cycleId === cycleId && record.status === 'SENT')
      .sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? '') || a.key.localeCompare(b.key))
      .map((record) => structuredClone(record));
  }
}
