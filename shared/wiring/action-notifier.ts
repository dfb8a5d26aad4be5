/** The notifier of the function that follows the actions up: reminders and escalations of actions. */
import { CycleMail } from '../notify/envelope.ts';
import { actionMessages } from '../notify/action-messages.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { partView } from './wiring.ts';

export const actionNotifier = partView('notifier', async (wiring) =>
  actionMessages(new CycleMail(await mailOptionsOn(wiring))),
);
