/** The notifier of the function that asks for approval of the package or the minutes, and reminds. */
import { approvalMessages } from '../notify/approval-messages.ts';
import { CycleMail } from '../notify/envelope.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { packageFiles } from './package-files.ts';
import { partView } from './wiring.ts';

export const approvalNotifier = partView('notifier', async (wiring) => {
  const [options, packages] = await Promise.all([mailOptionsOn(wiring), wiring.get(packageFiles)]);
  return approvalMessages(new CycleMail({ ...options, loadPackage: (stored) => packages.load(stored) }));
});
