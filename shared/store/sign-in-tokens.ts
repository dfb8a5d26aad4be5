/**
 * Sign-in links of the web app (shared/web/sign-in.ts): stored by the SHA-256 of their secret,
 * with a time to live, and redeemed once by a conditional write, so two clicks on one link (or a
 * mail scanner and a person) can never both sign in. And the sessions signed out before they
 * expired (shared/web/session.ts): a session cookie is signed, not stored, so signing out records
 * its id until it would have expired, and the web app refuses it from then on.
 */
import type { SignInToken } from '../model/sign-in-token.ts';

export interface SignInTokenStore {
  /** Stores a new link; AlreadyExists if a link with the same hash exists (never in practice). */
  saveSignInToken(token: SignInToken): Promise<SignInToken>;
  /** The link with this hash, used or not, until the table's time to live removes it. */
  getSignInToken(tokenHash: string): Promise<SignInToken | undefined>;
  /**
   * Marks the link used at `at` and returns it, only if it exists, is unused and has not expired
   * at `at`; otherwise undefined and nothing changes. One conditional write: of concurrent
   * redeemers, exactly one gets the link.
   */
  redeemSignInToken(tokenHash: string, at: string): Promise<SignInToken | undefined>;
  /**
   * Records that the session `sessionId` was signed out at `at`, kept until `expiresAt` (when the
   * session would have ended anyway) plus a day; signing out twice records it once.
   */
  endSession(sessionId: string, expiresAt: string, at: string): Promise<void>;
  /** Whether the session `sessionId` was signed out. */
  sessionEnded(sessionId: string): Promise<boolean>;
}

/** A session id as shared/web/session.ts issues it: 16 random bytes, base64url. */
export const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
