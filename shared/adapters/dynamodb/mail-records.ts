/** Seen Message-IDs, notification claims and reply tokens on DynamoDB (with TTLs). */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidData, parseWith } from '../../model/common.ts';
import { ReplyTokenRecord } from '../../model/records.ts';
import {
  messageKeys,
  notificationItem,
  notificationKeys,
  replyTokenKeys,
  sortableTime,
} from '../../store/keys.ts';
import { AlreadyExists } from '../../store/errors.ts';
import type { MailRecordStore } from '../../store/mail-records.ts';
import { TTL_ATTRIBUTE } from '../../store/table-design.ts';
import { toRecord, ttlAfter, type DynamoTable, type Item, type Step } from './table.ts';

/**
 * How long a seen Message-ID is remembered: far longer than any retry (SES retries for hours, an
 * SMTP sender for days); a replay after that still changes nothing (every write is keyed by it).
 */
export const SEEN_MESSAGE_TTL_DAYS = 400;
/** How long a reply token (and its Message-ID link) outlives its expiry, so a late reply is told it expired. */
export const REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY = 90;

/** The item that marks a Message-ID seen (InvalidData for an empty Message-ID). */
export function seenItem(messageId: string, seen: { at: string; rawS3Key?: string }): Item {
  if (messageKeys.normalise(messageId) === '') {
    throw new InvalidData('Message-ID', [
      { path: '(root)', message: 'is empty; a message without a Message-ID cannot be deduplicated' },
    ]);
  }
  const messageIdHash = messageKeys.hashOf(messageId);
  return {
    ...messageKeys.message(messageIdHash),
    entity: 'message',
    messageIdHash,
    firstSeenAt: sortableTime(seen.at),
    ...(seen.rawS3Key ? { rawS3Key: seen.rawS3Key } : {}),
    [TTL_ATTRIBUTE]: ttlAfter(seen.at, SEEN_MESSAGE_TTL_DAYS),
  };
}

/** A claim in a transaction: the notification not claimed yet, or released (AlreadyExists otherwise). */
export function claimStep(table: DynamoTable, cycleId: string, key: string, at: string): Step {
  return {
    op: {
      Put: {
        TableName: table.tableName,
        Item: notificationItem(cycleId, key, at),
        ConditionExpression: 'attribute_not_exists(pk) OR released = :released',
        ExpressionAttributeValues: { ':released': true },
      },
    },
    onConditionFailed: () =>
      new AlreadyExists('notification', `${cycleId}/${key}`, 'it is claimed already; nothing was written'),
  };
}

/** The item of a reply token (validated), with its time to live. */
export function replyTokenItem(input: ReplyTokenRecord): Item {
  const record = parseWith(ReplyTokenRecord, input, 'reply token');
  return {
    ...replyTokenKeys.token(record.tokenId),
    entity: 'reply-token',
    ...record,
    [TTL_ATTRIBUTE]: ttlAfter(record.expiresAt, REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY),
  };
}

/** The item linking a sent message's Message-ID to the reply token it carried, living as long as the token. */
export function replyLinkItem(messageId: string, tokenId: string, expiresAt?: string): Item {
  if (messageKeys.normalise(messageId) === '') {
    throw new InvalidData('Message-ID', [
      { path: '(root)', message: 'is empty; nothing to link the token to' },
    ]);
  }
  parseWith(ReplyTokenRecord.shape.tokenId, tokenId, 'reply token id');
  const messageIdHash = messageKeys.hashOf(messageId);
  return {
    ...replyTokenKeys.byMessage(messageIdHash),
    entity: 'reply-token-link',
    messageIdHash,
    tokenId,
    ...(expiresAt === undefined
      ? {}
      : {
          [TTL_ATTRIBUTE]: ttlAfter(
            parseWith(ReplyTokenRecord.shape.expiresAt, expiresAt, 'reply token expiry'),
            REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY,
          ),
        }),
  };
}

export class DynamoMailRecordStore implements MailRecordStore {
  constructor(private readonly table: DynamoTable) {}

  async markMessageSeen(messageId: string, seen: { at: string; rawS3Key?: string }): Promise<boolean> {
    return this.table.putIfAbsent(seenItem(messageId, seen));
  }

  /** Claims the notification unless it is claimed already; a released claim may be claimed again. */
  async claimNotification(cycleId: string, key: string, at: string): Promise<boolean> {
    const item = notificationItem(cycleId, key, at);
    return this.table.conditional(() =>
      this.table.doc.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR released = :released',
          ExpressionAttributeValues: { ':released': true },
        }),
      ),
    );
  }

  /**
   * Gives a claim back (the send failed) by marking it released, so that the next run may claim it
   * again. An update, not a delete: no role needs DeleteItem. Releasing what is not claimed does nothing.
   */
  async releaseNotification(cycleId: string, key: string): Promise<void> {
    await this.table.conditional(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: notificationKeys.sent(cycleId, key),
          UpdateExpression: 'SET released = :released',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':released': true },
        }),
      ),
    );
  }

  async putReplyToken(input: ReplyTokenRecord): Promise<void> {
    const item = replyTokenItem(input);
    const stored = await this.table.putIfAbsent(item);
    if (!stored) throw new AlreadyExists('reply token', String(item.tokenId), 'issue a new token id');
  }

  async getReplyToken(tokenId: string): Promise<ReplyTokenRecord | undefined> {
    const item = await this.table.getItem(replyTokenKeys.token(tokenId));
    return item && toRecord(ReplyTokenRecord, item, 'reply token');
  }

  async linkReplyToken(messageId: string, tokenId: string, expiresAt?: string): Promise<void> {
    if (messageKeys.normalise(messageId) === '') {
      throw new InvalidData('Message-ID', [
        { path: '(root)', message: 'is empty; nothing to link the token to' },
      ]);
    }
    parseWith(ReplyTokenRecord.shape.tokenId, tokenId, 'reply token id');
    const messageIdHash = messageKeys.hashOf(messageId);
    // The link lives as long as the token it points to (a link to a missing token leads nowhere):
    // its time to live from the expiry given, or else read from the token.
    const expiry =
      expiresAt === undefined
        ? undefined
        : parseWith(ReplyTokenRecord.shape.expiresAt, expiresAt, 'reply token expiry');
    const token = expiry === undefined ? await this.table.getItem(replyTokenKeys.token(tokenId)) : undefined;
    const ttl =
      expiry !== undefined
        ? ttlAfter(expiry, REPLY_TOKEN_TTL_DAYS_AFTER_EXPIRY)
        : typeof token?.[TTL_ATTRIBUTE] === 'number'
          ? token[TTL_ATTRIBUTE]
          : undefined;
    await this.table.putIfAbsent({
      ...replyTokenKeys.byMessage(messageIdHash),
      entity: 'reply-token-link',
      messageIdHash,
      tokenId,
      ...(ttl === undefined ? {} : { [TTL_ATTRIBUTE]: ttl }),
    });
  }

  async replyTokenOfMessage(messageId: string): Promise<string | undefined> {
    if (messageKeys.normalise(messageId) === '') return undefined;
    const item = await this.table.getItem(replyTokenKeys.byMessage(messageKeys.hashOf(messageId)));
    return typeof item?.tokenId === 'string' ? item.tokenId : undefined;
  }
}
