/**
 * The notifier of the function that distributes the accepted minutes: that email names the evidence
 * anchoring key's fingerprint, so top management's inboxes witness it.
 */
import { CycleMail } from '../notify/envelope.ts';
import { minutesMessages } from '../notify/minutes-messages.ts';
import { anchorKeyFingerprint } from './anchor-key.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { minutesTemplateOption } from './minutes-template.ts';
import { partView } from './wiring.ts';

export const minutesDistributionNotifier = partView('notifier', async (wiring) => {
  const [options, minutesTemplate, fingerprint] = await Promise.all([
    mailOptionsOn(wiring),
    minutesTemplateOption(),
    wiring.get(anchorKeyFingerprint),
  ]);
  return minutesMessages(new CycleMail({ ...options, minutesTemplate, anchorKeyFingerprint: fingerprint }));
});
