/** The notifier of the functions that ask for the minutes and remind about them. */
import { CycleMail } from '../notify/envelope.ts';
import { minutesMessages } from '../notify/minutes-messages.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { minutesTemplateOption } from './minutes-template.ts';
import { partView } from './wiring.ts';

export const minutesNotifier = partView('notifier', async (wiring) => {
  const [options, minutesTemplate] = await Promise.all([mailOptionsOn(wiring), minutesTemplateOption()]);
  return minutesMessages(new CycleMail({ ...options, minutesTemplate }));
});
