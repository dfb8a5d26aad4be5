/**
 * The web app's notifier: only the messages its forms send. A moved meeting's updated invitation
 * (shared/cycle/meeting.ts) and what an action's change calls for (shared/actions/register.ts: the
 * closure confirmation, the extension request and answer, a reopened action, management's decision).
 * No input request, package or minutes template, and no anchoring key: the bundle holds none of them.
 * (Releasing held mail sends its answer from the ingest function, shared/wiring/held-mail-releaser.ts.)
 */
import { actionMessages } from '../notify/action-messages.ts';
import { CycleMail } from '../notify/envelope.ts';
import { meetingUpdate } from '../notify/package-messages.ts';
import type { WebNotifier } from '../web/notifier.ts';
import { mailOptionsOn } from './cycle-mail.ts';
import { partView } from './wiring.ts';

export const webNotifier = partView('notifier', async (wiring): Promise<WebNotifier> => {
  const mail = new CycleMail(await mailOptionsOn(wiring));
  return { ...actionMessages(mail), meetingUpdate: (args) => meetingUpdate(mail, args) };
});
