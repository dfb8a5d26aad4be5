/** The notifier of the functions that send input requests, reminders and escalations only. */
import { CycleMail } from '../notify/envelope.ts';
import { inputMessages } from '../notify/input-messages.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { partView } from './wiring.ts';

export const inputNotifier = partView('notifier', async (wiring) =>
  inputMessages(new CycleMail(await mailOptionsOn(wiring))),
);
