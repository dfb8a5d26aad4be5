/**
 * What every notifier sends through (the outbox, the review's records, the clock, the reply keyring):
 * shared by the full notifier (notifier.ts) and each message family's own (input-notifier.ts, ...).
 */
import type { NotifierOptions } from '../notify/envelope.ts';
import { clock } from './clock.ts';
import { outbox } from './outbox.ts';
import { replyKey } from './reply-key.ts';
import { repository } from './repository.ts';
import type { Wiring } from './wiring.ts';

export async function mailOptionsOn(
  wiring: Wiring,
): Promise<Pick<NotifierOptions, 'outbox' | 'repo' | 'clock' | 'replyKey'>> {
  const [sending, repo, now, keys] = await Promise.all([
    wiring.get(outbox),
    wiring.get(repository),
    wiring.get(clock),
    wiring.get(replyKey),
  ]);
  return { outbox: sending, repo, clock: now, replyKey: keys };
}
