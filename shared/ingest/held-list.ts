/**
 * Listing held mail for the ISMS manager (`mail held`, the web app's /held-mail page): the store's
 * held messages of the last days, newest first. Apart from held.ts, so that what lists held mail
 * does not import the inbound mail pipeline that releases it.
 */
import type { Clock } from '../clock.ts';
import type { HeldMail, InboundMailStore } from '../store/held-mail.ts';
import { InvalidRelease } from './release.ts';

/** Held messages (newest first) received in the last `days` days; `status` all includes released ones. */
export async function listHeldMail(
  deps: { repo: Pick<InboundMailStore, 'listHeldMessages'>; clock: Clock },
  options: { days?: number; status?: 'held' | 'released' | 'all' } = {},
): Promise<HeldMail[]> {
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 400) {
    throw new InvalidRelease(`days must be a whole number from 1 to 400, not ${days}`);
  }
  const until = deps.clock.now();
  const since = new Date(until.getTime() - days * 86_400_000);
  const held = await deps.repo.listHeldMessages({
    since: since.toISOString(),
    until: new Date(until.getTime() + 1).toISOString(),
    status: options.status ?? 'held',
  });
  return held.reverse();
}
