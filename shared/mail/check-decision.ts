/**
 * The decision every inbound-mail check returns: ok, or an action (drop, reject, ignore, hold) with
 * a reason. What each action means is written in mail-checks.ts.
 */
export type CheckAction = 'drop' | 'reject' | 'ignore' | 'hold';

export type CheckDecision =
  { readonly ok: true } | { readonly ok: false; readonly action: CheckAction; readonly reason: string };

export const OK: CheckDecision = { ok: true };

export function notOk(action: CheckAction, reason: string): CheckDecision {
  return { ok: false, action, reason };
}
