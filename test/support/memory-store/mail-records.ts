/**
 * MailRecordStore in memory: seen Message-IDs (MESSAGE#<hash>), notification claims in the cycle's
 * partition (SENT#<key>; released, not deleted, when a send failed), reply tokens and the link from
 * a sent request's Message-ID to the token it carried.
 */
import { InvalidData, parseWith } from '#shared/model/common.ts';
import { NotificationKey, ReplyTokenRecord } from '#shared/model/records.ts';
import { messageKeys, notificationKeys, replyTokenKeys, sortableTime } from '#shared/store/keys.ts';
import type { MailRecordStore } from '#shared/store/mail-records.ts';
import { AlreadyExists } from '#shared/store/repository.ts';
import { toRecord, type Item, type MemoryTables } from './table.ts';

/** Refuses a Message-ID that is empty once its angle brackets and spaces are taken off. */
export function assertMessageId(messageId: string, why: string): void {
  if (messageKeys.normalise(messageId) === '') {
    throw new InvalidData('Message-ID', [{ path: '(root)', message: why }]);
  }
}

export const NO_DEDUPE = 'is empty; a message without a Message-ID cannot be deduplicated';

/** The item that marks an inbound Message-ID seen. */
export function seenItem(messageId: string, seen: { at: string; rawS3Key?: string }): Item {
  const messageIdHash = messageKeys.hashOf(messageId);
  return {
    ...messageKeys.message(messageIdHash),
    entity: 'message',
    messageIdHash,
    firstSeenAt: sortableTime(seen.at),
    ...(seen.rawS3Key ? { rawS3Key: seen.rawS3Key } : {}),
  };
}

export class MemoryMailRecordStore implements MailRecordStore {
  constructor(private readonly tables: MemoryTables) {}

  async markMessageSeen(messageId: string, seen: { at: string; rawS3Key?: string }): Promise<boolean> {
    assertMessageId(messageId, NO_DEDUPE);
    return this.tables.putIfAbsent(seenItem(messageId, seen));
  }

  /** Claims the notification unless it is claimed already; a released claim may be claimed again. */
  async claimNotification(cycleId: string, key: string, at: string): Promise<boolean> {
    parseWith(NotificationKey, key, 'notification key');
    const item: Item = {
      ...notificationKeys.sent(cycleId, key),
      entity: 'notification',
      cycleId,
      key,
      claimedAt: sortableTime(at),
    };
    const claimed = this.tables.main.get(notificationKeys.sent(cycleId, key));
    if (claimed !== undefined && claimed.released !== true) return false;
    this.tables.main.put(item);
    return true;
  }

  /** Marks a claim released (kept, not deleted); releasing what is not claimed does nothing. */
  async releaseNotification(cycleId: string, key: string): Promise<void> {
    const claimed = this.tables.main.get(notificationKeys.sent(cycleId, key));
    if (claimed) this.tables.main.put({ ...claimed, released: true });
  }

  async putReplyToken(input: ReplyTokenRecord): Promise<void> {
    const record = parseWith(ReplyTokenRecord, input, 'reply token');
    const stored = this.tables.putIfAbsent({
      ...replyTokenKeys.token(record.tokenId),
      entity: 'reply-token',
      ...record,
    });
    if (!stored) throw new AlreadyExists('reply token', record.tokenId, 'issue a new token id');
  }

  async getReplyToken(tokenId: string): Promise<ReplyTokenRecord | undefined> {
    const item = this.tables.main.get(replyTokenKeys.token(tokenId));
    return item && toRecord(ReplyTokenRecord, item, 'reply token');
  }

  /** Links a sent Message-ID to its reply token; the first link wins. */
  async linkReplyToken(messageId: string, tokenId: string, expiresAt?: string): Promise<void> {
    assertMessageId(messageId, 'is empty; nothing to link the token to');
    parseWith(ReplyTokenRecord.shape.tokenId, tokenId, 'reply token id');
    // No time to live here: the expiry is only checked as the DynamoDB store checks it.
    if (expiresAt !== undefined) parseWith(ReplyTokenRecord.shape.expiresAt, expiresAt, 'reply token expiry');
    const messageIdHash = messageKeys.hashOf(messageId);
    this.tables.putIfAbsent({
      ...replyTokenKeys.byMessage(messageIdHash),
      entity: 'reply-token-link',
      messageIdHash,
      tokenId,
    });
  }

  async replyTokenOfMessage(messageId: string): Promise<string | undefined> {
    if (messageKeys.normalise(messageId) === '') return undefined;
    const item = this.tables.main.get(replyTokenKeys.byMessage(messageKeys.hashOf(messageId)));
    return typeof item?.tokenId === 'string' ? item.tokenId : undefined;
  }
}
