/** The notifier of the function that records a workflow failure and tells the ISMS manager. */
import { CycleMail } from '../notify/envelope.ts';
import { failureMessages } from '../notify/failure-messages.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { partView } from './wiring.ts';

export const failureNotifier = partView('notifier', async (wiring) =>
  failureMessages(new CycleMail(await mailOptionsOn(wiring))),
);
