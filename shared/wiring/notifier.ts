/**
 * The notifier: every message of the review, through the outbox, with signed reply addresses. This
 * one names no anchoring key: the functions that send the package or the minutes use the
 * witnessing notifier (witnessing-notifier.ts) instead, and only they load the KMS client.
 */
import { CycleNotifier, type NotifierOptions } from '../notify/notifier.ts';
import { clock } from './clock.ts';
import { outbox } from './outbox.ts';
import { packageStore } from './package-store.ts';
import { replyKey } from './reply-key.ts';
import { repository } from './repository.ts';
import { part, type Wiring } from './wiring.ts';

/** The notifier on this wiring's parts; with `anchorKeyFingerprint`, package and minutes emails name the key. */
export async function notifierOn(
  wiring: Wiring,
  anchorKeyFingerprint?: NotifierOptions['anchorKeyFingerprint'],
): Promise<CycleNotifier> {
  const [sending, repo, now, keys, packages] = await Promise.all([
    wiring.get(outbox),
    wiring.get(repository),
    wiring.get(clock),
    wiring.get(replyKey),
    wiring.get(packageStore),
  ]);
  // Loaded when the notifier is first built rather than when the handler's module is.
  const [{ renderMinutesTemplate }, { programmeCatalogue }] = await Promise.all([
    import('../minutes/template.ts'),
    import('../programme/queries.ts'),
  ]);
  return new CycleNotifier({
    outbox: sending,
    repo,
    clock: now,
    replyKey: keys,
    loadPackage: (stored) => packages.load(stored),
    minutesTemplate: (cycle, programme) =>
      renderMinutesTemplate({ programme, cycle, catalogue: programmeCatalogue(programme) }),
    ...(anchorKeyFingerprint ? { anchorKeyFingerprint } : {}),
  });
}

export const notifier = part('notifier', (wiring) => notifierOn(wiring));
