/** SignInTokenStore in memory: one item per link (SIGNIN#<hash>), redeemed once, as on DynamoDB. */
import { parseWith } from '#shared/model/common.ts';
import { SignInToken } from '#shared/model/sign-in-token.ts';
import { AlreadyExists, InvalidSessionId } from '#shared/store/errors.ts';
import { signInKeys, sortableTime } from '#shared/store/keys.ts';
import { SESSION_ID, type SignInTokenStore } from '#shared/store/sign-in-tokens.ts';
import { toRecord, type MemoryTables } from './table.ts';

export class MemorySignInTokenStore implements SignInTokenStore {
  constructor(private readonly tables: MemoryTables) {}

  async saveSignInToken(input: SignInToken): Promise<SignInToken> {
    const parsed = parseWith(SignInToken, input, 'sign-in link');
    const token: SignInToken = {
      ...parsed,
      issuedAt: sortableTime(parsed.issuedAt),
      expiresAt: sortableTime(parsed.expiresAt),
    };
    if (
      !this.tables.putIfAbsent({ ...signInKeys.token(token.tokenHash), entity: 'sign-in-token', ...token })
    ) {
      throw new AlreadyExists('sign-in link', token.tokenHash.slice(0, 12), 'issue a new link');
    }
    return token;
  }

  async getSignInToken(tokenHash: string): Promise<SignInToken | undefined> {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    const item = this.tables.main.get(signInKeys.token(tokenHash));
    return item && toRecord(SignInToken, item, 'sign-in link');
  }

  async redeemSignInToken(tokenHash: string, at: string): Promise<SignInToken | undefined> {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) return undefined;
    const now = sortableTime(at);
    const item = this.tables.main.get(signInKeys.token(tokenHash));
    // One conditional update on DynamoDB; here nothing runs between the read and the write.
    if (!item || item.usedAt !== undefined || !(String(item.expiresAt) > now)) return undefined;
    const used = { ...item, usedAt: now };
    this.tables.main.put(used);
    return toRecord(SignInToken, used, 'sign-in link');
  }

  async endSession(sessionId: string, expiresAt: string, at: string): Promise<void> {
    if (!SESSION_ID.test(sessionId)) throw new InvalidSessionId(sessionId);
    this.tables.putIfAbsent({
      ...signInKeys.endedSession(sessionId),
      entity: 'ended-session',
      endedAt: sortableTime(at),
      expiresAt: sortableTime(expiresAt),
    });
  }

  async sessionEnded(sessionId: string): Promise<boolean> {
    return (
      SESSION_ID.test(sessionId) && this.tables.main.get(signInKeys.endedSession(sessionId)) !== undefined
    );
  }
}
