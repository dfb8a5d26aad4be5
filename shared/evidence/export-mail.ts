/**
 * The mail of a cycle in the evidence bundle: every message sent (with its raw copy as handed to
 * SES), the delivery receipts, and every message received, exactly as received. Each raw message
 * is stored once, under mail/; the records that name a message (an input's submission, the trace)
 * point to that file. Names stand beside addresses and ids.
 */
import type { CycleEvent } from '../model/event.ts';
import { safeName } from './bundle.ts';
import type { MailIndex, ReceivedMessage, SentMessage } from './bundle-index.ts';
import { committed, type BundleWriter } from './bundle-writer.ts';
import type { EvidenceSource, ExportProgress } from './export-source.ts';
import { inboundMessagePath, keptRawMessage } from './inbound-evidence.ts';
import { RECEIPT_EVENT_TYPES } from './mail-events.ts';
import { outboundMailKind } from './mail-kinds.ts';
import type { Directory } from './people.ts';

/**
 * Adds the sent messages, the delivery receipts and the received messages of `cycleId`, and says
 * where each landed.
 */
export async function addMail(
  out: BundleWriter,
  source: EvidenceSource,
  cycleId: string,
  events: readonly CycleEvent[],
  people: Directory,
  progress: ExportProgress,
): Promise<MailIndex> {
  const sentIndex = new Map<string, SentMessage>();
  const receivedIndex = new Map<string, ReceivedMessage>();
  const sent = await source.outbox.listSent(cycleId);
  progress(`adding ${sent.length} sent messages`);
  const sentEvents = new Map(
    events.filter((e) => e.type === 'mail.sent').map((e) => [e.data.key as string, e]),
  );
  const outboundRows: Record<string, unknown>[] = [];
  for (const record of sent) {
    const file = record.rawKey
      ? ((await out.addBlob(
          source.evidence,
          record.rawKey,
          `mail/outbound/${safeName(record.key)}.eml`,
          `The message "${record.key}" (${record.purpose}) exactly as handed to SES.`,
          committed(sentEvents.get(record.key), 'sha256'),
        )) ?? '')
      : '';
    const kind = outboundMailKind(record.key);
    sentIndex.set(record.key, { key: record.key, kind, sentAt: record.sentAt ?? '', file });
    outboundRows.push({
      key: record.key,
      kind,
      purpose: record.purpose,
      recipients: record.recipients.join(' '),
      recipientNames: people.namesOfAddresses(record.recipients),
      sentAt: record.sentAt,
      messageId: record.messageId,
      sesMessageId: record.sesMessageId,
      sha256: record.sha256,
      file,
    });
  }
  out.addCsv(
    'mail/outbound.csv',
    outboundRows,
    [
      'key',
      'kind',
      'purpose',
      'recipients',
      'recipientNames',
      'sentAt',
      'messageId',
      'sesMessageId',
      'sha256',
      'file',
    ],
    'Every message sent for the cycle (requests, reminders, escalations, package, minutes, answers), its kind, recipients with their names, time, SES message id (the acceptance receipt), hash.',
  );
  const deliveries = events.filter((e) => RECEIPT_EVENT_TYPES.includes(e.type));
  out.addCsv(
    'mail/deliveries.csv',
    deliveries.map((e) => ({
      seq: e.seq,
      recordedAt: e.at,
      type: e.type,
      ...e.data,
      recipientNames: people.namesOfAddresses(e.data.recipients),
    })),
    deliveries.length === 0
      ? ['seq', 'recordedAt', 'type', 'at', 'sesMessageId', 'recipients', 'recipientNames']
      : undefined,
    `Delivery receipts: SES delivery, bounce and complaint notifications recorded in the event log (recordedAt: when the log recorded it; at: when SES says it happened).${
      deliveries.length === 0
        ? ' None were recorded for this cycle; the SES message ids in mail/outbound.csv show that SES accepted each message.'
        : ''
    }`,
  );
  const received = events.filter((e) => e.type === 'mail.received');
  progress(`adding ${received.length} received messages`);
  const inboundRows: Record<string, unknown>[] = [];
  for (const event of received) {
    const key = event.data.rawS3Key;
    let file = '';
    const path = inboundMessagePath(event);
    if (typeof key === 'string' && path) {
      const kept = keptRawMessage(source, event, key);
      file =
        (await out.addBlob(
          kept.store,
          kept.key,
          path,
          `A message received from ${people.nameOfAddress(event.data.from) || String(event.data.from ?? 'an unknown sender')} (${String(event.data.outcome ?? '')}), exactly as received.`,
          committed(event, 'rawSha256'),
        )) ?? '';
    }
    // Events recorded before the receipt time was kept apart carry it as their own time.
    const receivedAt = typeof event.data.receivedAt === 'string' ? event.data.receivedAt : event.at;
    const messageId = typeof event.data.messageId === 'string' ? event.data.messageId : event.sourceMessageId;
    if (messageId) receivedIndex.set(messageId, { messageId, seq: event.seq, receivedAt, file });
    inboundRows.push({
      seq: event.seq,
      recordedAt: event.at,
      receivedAt,
      senderId: event.actor,
      senderName: people.name(event.actor),
      ...event.data,
      file,
    });
  }
  out.addCsv(
    'mail/inbound.csv',
    inboundRows,
    undefined,
    'Every message received for the cycle: sender (id and name), when it arrived (receivedAt; dateHeader: when the sender says it was sent; recordedAt: when the log recorded it), purpose, outcome (accepted, rejected, ignored, dropped), the answer sent, and the raw file.',
  );
  return { sent: sentIndex, received: receivedIndex };
}
