/**
 * What the web app sends through the notifier, and nothing else: a moved meeting's updated
 * invitation (shared/cycle/meeting.ts) and the messages an action's change calls for
 * (shared/actions/register.ts). Its wiring (shared/wiring/web-notifier.ts) builds only these, so the
 * web function bundles no other message family.
 */
import type { ActionNotifierPort } from '../actions/ports.ts';
import type { NotifierPort } from '../cycle/ports.ts';

export type WebNotifier = ActionNotifierPort & Pick<NotifierPort, 'meetingUpdate'>;
