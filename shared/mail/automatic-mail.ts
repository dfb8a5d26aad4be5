/**
 * Mail sent by a machine rather than a person (isAutomated): RFC 3834 automatic replies, bounces,
 * delivery and read reports, list mail and mail loops. Such mail is ignored, since answering it
 * starts a loop. X-Auto-Response-Suppress is NOT a sign of automatic mail.
 */
import { notOk, OK, type CheckDecision } from './check-decision.ts';
import type { InboundMessage } from './inbound.ts';

const AUTO_SUBJECT = new RegExp(
  '^(' +
    [
      'auto(matic|matische)?[ -]?(reply|response|antwort)',
      'autoreply',
      'out of (the )?office',
      'ooo\\b',
      'abwesenheitsnotiz',
      'abwesend',
      'automatische antwort',
      'réponse automatique',
      'absence du bureau',
      'respuesta automática',
      'fuera de la oficina',
      'risposta automatica',
      'fuori sede',
      'afwezig',
      'automatisch antwoord',
      'frånvaro',
      'undeliverable',
      'undelivered mail',
      'delivery status notification',
      'delivery (has )?failed',
      'mail delivery (failed|failure|subsystem)',
      'returned mail',
      'failure notice',
      'non[- ]?delivery',
      'unzustellbar',
      'nicht zustellbar',
      'non remis',
    ].join('|') +
    ')',
  'i',
);

const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;

/** Options: addresses that are our own, so mail from them is a loop. */
export interface AutomationContext {
  /** Our sending address(es), e.g. MAIL_FROM. */
  readonly ownAddresses?: readonly string[];
  /** The inbound (reply) domain: nobody writes to us from it. */
  readonly inboundDomain?: string;
}

/** Whether the message was sent by a machine (auto-reply, bounce, list, loop) rather than a person. */
export function isAutomated(msg: InboundMessage, context: AutomationContext = {}): CheckDecision {
  const h = msg.headers;
  const ignore = (reason: string): CheckDecision => notOk('ignore', reason);
  const auto = h.autoSubmitted?.trim().toLowerCase().split(';')[0]?.trim();
  if (auto && auto !== 'no') return ignore(`automatic message (Auto-Submitted: ${auto})`);
  const precedence = h.precedence?.trim().toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply', 'auto-reply'].includes(precedence)) {
    return ignore(`automatic or list message (Precedence: ${precedence})`);
  }
  if (h.xAutoreply !== undefined) return ignore('automatic reply (X-Autoreply)');
  if (h.xAutorespond !== undefined) return ignore('automatic reply (X-Autorespond)');
  // X-Auto-Response-Suppress is deliberately not here: Exchange and Outlook add it to ordinary
  // mail people write; it asks others not to auto-answer, it does not say the message is automatic.
  if (h.listId !== undefined) return ignore('mailing-list message (List-Id)');
  if (h.listUnsubscribe !== undefined) return ignore('mailing-list or bulk message (List-Unsubscribe)');
  if (h.contentType === 'multipart/report' || h.contentType === 'message/delivery-status') {
    return ignore(`delivery or read report (multipart/report${h.reportType ? `; ${h.reportType}` : ''})`);
  }
  if (h.xFailedRecipients !== undefined) return ignore('bounce (X-Failed-Recipients)');
  const envelopeFrom = msg.envelope.mailFrom?.trim();
  if (envelopeFrom !== undefined && (envelopeFrom === '' || envelopeFrom === '<>')) {
    return ignore('bounce (empty envelope sender)');
  }
  if (h.returnPath !== undefined && h.returnPath.replace(/\s+/g, '') === '<>') {
    return ignore('bounce (empty Return-Path)');
  }
  if (BOUNCE_SENDER.test(msg.from.address)) return ignore(`bounce (from ${msg.from.address})`);
  const own = (context.ownAddresses ?? []).map((address) => address.trim().toLowerCase());
  if (own.includes(msg.from.address)) return ignore('mail loop: the message comes from our own address');
  const inbound = context.inboundDomain?.trim().toLowerCase();
  if (inbound && msg.from.address.endsWith(`@${inbound}`)) {
    return ignore('mail loop: the message comes from our reply domain');
  }
  if (h.xLoop.some((value) => own.some((address) => value.toLowerCase().includes(address)))) {
    return ignore('mail loop (X-Loop names our address)');
  }
  const subject = msg.subject.replace(/[\u00a0\u202f]/g, ' ').trim();
  if (AUTO_SUBJECT.test(subject)) return ignore(`automatic message (subject "${subject.slice(0, 80)}")`);
  return OK;
}
