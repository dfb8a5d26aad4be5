/**
 * Web sign-in links on DynamoDB: one item per link under SIGNIN#<sha256 of its secret>, in the same
 * table, with a time to live a day after the link expires. Redeemed by one conditional update
 * (unused and not expired), so a link signs in once however many clicks race for it.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parseWith } from '../../model/common.ts';
import { SignInToken } from '../../model/sign-in-token.ts';
import { AlreadyExists, InvalidSessionId } from '../../store/errors.ts';
import { signInKeys, sortableTime } from '../../store/keys.ts';
import { SESSION_ID, type SignInTokenStore } from '../../store/sign-in-tokens.ts';
import { TTL_ATTRIBUTE } from '../../store/table-design.ts';
import { isConditionalCheckFailed, toRecord, ttlAfter, type DynamoTable } from './table.ts';

/** Days a used or expired link is kept (to tell "used already" from "unknown") before the TTL removes it. */
export const SIGN_IN_TOKEN_TTL_DAYS_AFTER_EXPIRY = 1;

export class DynamoSignInTokenStore implements SignInTokenStore {
  constructor(private readonly table: DynamoTable) {}

  async saveSignInToken(input: SignInToken): Promise<SignInToken> {
    const parsed = parseWith(SignInToken, input, 'sign-in link');
    const token: SignInToken = {
      ...parsed,
      issuedAt: sortableTime(parsed.issuedAt),
      expiresAt: sortableTime(parsed.expiresAt),
    };
    const stored = await this.table.putIfAbsent({
      ...signInKeys.token(token.tokenHash),
      entity: 'sign-in-token',
      ...token,
      [TTL_ATTRIBUTE]: ttlAfter(token.expiresAt, SIGN_IN_TOKEN_TTL_DAYS_AFTER_EXPIRY),
    });
    if (!stored) throw new AlreadyExists('sign-in link', token.tokenHash.slice(0, 12), 'issue a new link');
    return token;
  }

  async getSignInToken(tokenHash: string): Promise<SignInToken | undefined> {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    const item = await this.table.getItem(signInKeys.token(tokenHash));
    return item && toRecord(SignInToken, item, 'sign-in link');
  }

  async redeemSignInToken(tokenHash: string, at: string): Promise<SignInToken | undefined> {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    try {
      const output = await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: signInKeys.token(tokenHash),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :at',
          ExpressionAttributeValues: { ':at': sortableTime(at) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return output.Attributes && toRecord(SignInToken, output.Attributes, 'sign-in link');
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async endSession(sessionId: string, expiresAt: string, at: string): Promise<void> {
    if (!SESSION_ID.test(sessionId)) throw new InvalidSessionId(sessionId);
    // A second sign-out of the same session finds the record there and leaves it as it is.
    await this.table.putIfAbsent({
      ...signInKeys.endedSession(sessionId),
      entity: 'ended-session',
      endedAt: sortableTime(at),
      expiresAt: sortableTime(expiresAt),
      [TTL_ATTRIBUTE]: ttlAfter(expiresAt, SIGN_IN_TOKEN_TTL_DAYS_AFTER_EXPIRY),
    });
  }

  async sessionEnded(sessionId: string): Promise<boolean> {
    if (!SESSION_ID.test(sessionId)) return false;
    return (await this.table.getItem(signInKeys.endedSession(sessionId))) !== undefined;
  }
}
