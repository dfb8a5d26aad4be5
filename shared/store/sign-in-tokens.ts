/**
 * Sign-in links of the web app (shared/web/sign-in.ts): stored by the SHA-256 of their secret,
 * with a time to live, and redeemed once by a conditional write, so two clicks on one link (or a
 * mail scanner and a person) can never both sign in.
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
}
