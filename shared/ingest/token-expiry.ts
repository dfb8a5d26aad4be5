/**
 * Reply tokens about an action expire when the action closes, plus a grace period: a reply about an
 * action that is over (done and, for a corrective action, checked; or cancelled) is refused as
 * expired once the grace has passed, whatever expiry the token was issued with. The stored token is
 * not rewritten: the expiry it is checked against is the earlier of the two.
 */
import { needsFollowUp, type Action } from '../model/action.ts';
import type { ReplyTokenRecord } from '../model/records.ts';
import type { ReviewRepository } from '../store/repository.ts';

/** Days a closed action's reply addresses keep working (a late "DONE" with more evidence, a typo fixed). */
export const ACTION_TOKEN_GRACE_DAYS = 7;

const DAY = 86_400_000;
/** Token purposes whose `ref` is an action id (shared/notify/action-messages.ts). */
const ACTION_PURPOSES = new Set(['action', 'extension', 'effectiveness', 'closure', 'decision']);

/** When the action's reply tokens stop working, or undefined while it still needs follow-up. */
export function closedActionExpiry(
  action: Pick<Action, 'status' | 'corrective' | 'effectivenessCheck' | 'updatedAt'>,
): string | undefined {
  if (needsFollowUp(action)) return undefined;
  return new Date(Date.parse(action.updatedAt) + ACTION_TOKEN_GRACE_DAYS * DAY).toISOString();
}

/** The token with the expiry it is checked against: its own, or its action's close plus the grace. */
export async function withActionExpiry(
  repo: Pick<ReviewRepository, 'getAction'>,
  token: ReplyTokenRecord | undefined,
): Promise<ReplyTokenRecord | undefined> {
  if (!token?.ref || !ACTION_PURPOSES.has(token.purpose)) return token;
  const action = await repo.getAction(token.ref);
  const closes = action ? closedActionExpiry(action) : undefined;
  return closes && Date.parse(closes) < Date.parse(token.expiresAt) ? { ...token, expiresAt: closes } : token;
}
