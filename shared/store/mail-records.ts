/**
 * What makes mail exactly-once in both directions: inbound Message-IDs seen, notifications
 * claimed, and the reply tokens outbound requests carry.
 */
import type { ReplyTokenRecord } from '../model/records.ts';

export interface MailRecordStore {
  /** Records an inbound Message-ID; false when it was seen before (a duplicate delivery). */
  markMessageSeen(messageId: string, seen: { at: string; rawS3Key?: string }): Promise<boolean>;
  /** Claims a notification as sent; false when it was claimed before. */
  claimNotification(cycleId: string, key: string, at: string): Promise<boolean>;
  /** Gives a claim back (the send failed), so a later run sends it. */
  releaseNotification(cycleId: string, key: string): Promise<void>;

  /** Stores a reply token record. AlreadyExists if the id is taken. */
  putReplyToken(record: ReplyTokenRecord): Promise<void>;
  getReplyToken(tokenId: string): Promise<ReplyTokenRecord | undefined>;
  /**
   * Links the Message-ID of a sent request to the reply token it carried (first link wins). Given
   * the token's expiry as stored, the link lives as long as the token without reading it.
   */
  linkReplyToken(messageId: string, tokenId: string, expiresAt?: string): Promise<void>;
  /** The reply token id a sent message carried, by its Message-ID (replies that lost the +token). */
  replyTokenOfMessage(messageId: string): Promise<string | undefined>;
}
