/**
 * The notifier of the function that sends the package (and the minutes form) to the attendees: those
 * emails name the evidence anchoring key's fingerprint, so top management's inboxes witness it.
 */
import { CycleMail } from '../notify/envelope.ts';
import { packageMessages } from '../notify/package-messages.ts';
import { anchorKeyFingerprint } from './anchor-key.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { minutesTemplateOption } from './minutes-template.ts';
import { packageFiles } from './package-files.ts';
import { partView } from './wiring.ts';

export const packageNotifier = partView('notifier', async (wiring) => {
  const [options, packages, minutesTemplate, fingerprint] = await Promise.all([
    mailOptionsOn(wiring),
    wiring.get(packageFiles),
    minutesTemplateOption(),
    wiring.get(anchorKeyFingerprint),
  ]);
  return packageMessages(
    new CycleMail({
      ...options,
      loadPackage: (stored) => packages.load(stored),
      minutesTemplate,
      anchorKeyFingerprint: fingerprint,
    }),
  );
});
