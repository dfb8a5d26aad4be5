/**
 * The notifier of the functions that send what top management keeps (the package, the minutes):
 * those emails name the evidence anchoring key's fingerprint, so their inboxes witness it.
 */
import { anchorKeyFingerprint } from './anchor-key.ts';
import { notifierOn } from './notifier.ts';
import { part } from './wiring.ts';

export const witnessingNotifier = part('notifier', async (wiring) =>
  notifierOn(wiring, await wiring.get(anchorKeyFingerprint)),
);
