/**
 * The notifier: every message of the review, through the outbox, with signed reply addresses, for
 * the web app and the ingest, which may send any of them. This one names no anchoring key (the
 * witnessing notifier, witnessing-notifier.ts, does). A Lambda step sends one message family only
 * and takes that family's notifier instead (input-, minutes-, action-, failure-, approval-,
 * package- and minutes-distribution-notifier.ts), so its bundle holds no other family's templates;
 * the package and minutes-distribution ones name the key and load the KMS client.
 */
import { cycleNotifier, type NotifierOptions } from '../notify/notifier.ts';
import type { NotifierPort } from '../cycle/ports.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { minutesTemplateOption } from './minutes-template.ts';
import { packageFiles } from './package-files.ts';
import { part, type Wiring } from './wiring.ts';

/** The notifier on this wiring's parts; with `anchorKeyFingerprint`, package and minutes emails name the key. */
export async function notifierOn(
  wiring: Wiring,
  anchorKeyFingerprint?: NotifierOptions['anchorKeyFingerprint'],
): Promise<NotifierPort> {
  const [options, packages, minutesTemplate] = await Promise.all([
    mailOptionsOn(wiring),
    wiring.get(packageFiles),
    minutesTemplateOption(),
  ]);
  return cycleNotifier({
    ...options,
    loadPackage: (stored) => packages.load(stored),
    minutesTemplate,
    ...(anchorKeyFingerprint ? { anchorKeyFingerprint } : {}),
  });
}

export const notifier = part('notifier', (wiring) => notifierOn(wiring));
