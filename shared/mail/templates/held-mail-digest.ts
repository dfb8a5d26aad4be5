/**
 * The daily digest of held inbound mail, to the ISMS manager only: messages to a reply address that
 * were not recorded and not answered because their sender could not be authenticated, was
 * ambiguous, or was not the person the request went to. Each is listed with why, and with the
 * command that releases it once the ISMS manager has confirmed who sent it. Every field the sender
 * wrote (From, subject) is escaped by the renderer and shortened here.
 */
import { formatDateTime } from './format.ts';
import {
  code,
  heading,
  items,
  list,
  p,
  renderDocument,
  standardFooter,
  type Item,
  type MailContext,
  type Person,
  type RenderedMail,
} from './document.ts';

export interface HeldMailDigestEntry {
  id: string;
  receivedAt: string;
  from: string;
  sender: readonly string[];
  subject: string;
  reason: string;
  cycleId?: string;
}

export interface HeldMailDigestData extends MailContext {
  recipient: Person;
  /** The UTC day (yyyy-mm-dd) the digest covers, or its start. */
  since: string;
  until: string;
  entries: readonly HeldMailDigestEntry[];
  /** How many more were held than are listed (the digest lists at most a page). */
  more: number;
}

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export function heldMailDigest(data: HeldMailDigestData): RenderedMail {
  const total = data.entries.length + data.more;
  const listed: Item[] = data.entries.map((entry) => ({
    title: short(entry.subject || '(no subject)', 120),
    flag: 'HELD',
    facts: [
      ['From', short(entry.from, 200)],
      ...(entry.sender.length > 0 ? ([['Sender', short(entry.sender.join(', '), 200)]] as const) : []),
      ['Received', formatDateTime(entry.receivedAt, data.timeZone)],
      ['Why held', short(entry.reason, 500)],
      ...(entry.cycleId ? ([['Review', entry.cycleId]] as const) : []),
      ['Release', code(`isms-review mail release ${entry.id}`)],
    ],
  }));
  return renderDocument({
    subject: `Held mail: ${total} message${total === 1 ? '' : 's'} to review replies not recorded`,
    preheader: `${total} message${total === 1 ? ' was' : 's were'} held since ${formatDateTime(data.since, data.timeZone)}.`,
    heading: 'Mail held for you',
    greeting: `Dear ${data.recipient.name},`,
    blocks: [
      p(
        `These messages reached a reply address of the management review between ${formatDateTime(data.since, data.timeZone)} and ${formatDateTime(data.until, data.timeZone)}, `,
        'but were not recorded and not answered: the system could not be sure who sent them. ',
        'Their senders were told nothing.',
      ),
      items(listed),
      data.more > 0 &&
        p(`${data.more} more are not listed here; see them all with `, code('isms-review mail held'), '.'),
      heading('What to do'),
      list(
        [
          'Check with the person named in From, by phone or a new email of your own (not by replying to theirs), that they sent it.',
          [
            'If they did, release it: ',
            code('isms-review mail release <id>'),
            '. It is then read as if it had just arrived, and they get the usual answer.',
          ],
          'If they did not, do nothing: held messages are kept as received and expire after 90 days.',
        ],
        true,
      ),
    ],
    footer: standardFooter({ organisation: data.organisation, replyIsRead: false }),
  });
}
