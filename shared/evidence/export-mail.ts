/**
 * The mail of a cycle in the evidence bundle: every message sent (with its raw copy as handed to
 * SES), the delivery receipts, and every message received, exactly as received.
 */
import type { CycleEvent } from '../model/event.ts';
import { safeName } from './bundle.ts';
import { committed, type BundleWriter } from './bundle-writer.ts';
import type { EvidenceSource, ExportProgress } from './export-source.ts';
import { inboundMessagePath, keptRawMessage } from './inbound-evidence.ts';
import { RECEIPT_EVENT_TYPES } from './mail-events.ts';

/** Adds the sent messages, the delivery receipts and the received messages of `cycleId`. */
export async function addMail(
  out: BundleWriter,
  source: EvidenceSource,
  cycleId: string,
  events: readonly CycleEvent[],
  progress: ExportProgress,
): Promise<void> {
  const sent = await source.outbox.listSent(cycleId);
  progress(`adding ${sent.length} sent messages`);
  const sentEvents = new Map(
    events.filter((e) => e.type === 'mail.sent').map((e) => [e.data.key as string, e]),
  );
  const outboundRows: Record<string, unknown>[] = [];
  for (const record of sent) {
    let file = '';
    if (record.rawKey) {
      const path = `mail/outbound/${safeName(record.key)}.eml`;
      if (
        await out.addBlob(
          source.evidence,
          record.rawKey,
          path,
          `The message "${record.key}" (${record.purpose}) exactly as handed to SES.`,
          committed(sentEvents.get(record.key), 'sha256'),
        )
      ) {
        file = path;
      }
    }
    outboundRows.push({
      key: record.key,
      purpose: record.purpose,
      recipients: record.recipients.join(' '),
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
    ['key', 'purpose', 'recipients', 'sentAt', 'messageId', 'sesMessageId', 'sha256', 'file'],
    'Every message sent for the cycle (requests, reminders, escalations, package, minutes, answers): recipients, time, SES message id (the acceptance receipt), hash.',
  );
  const deliveries = events.filter((e) => RECEIPT_EVENT_TYPES.includes(e.type));
  out.addCsv(
    'mail/deliveries.csv',
    deliveries.map((e) => ({ seq: e.seq, at: e.at, type: e.type, ...e.data })),
    deliveries.length === 0 ? ['seq', 'at', 'type', 'sesMessageId', 'recipients'] : undefined,
    deliveries.length === 0
      ? 'Delivery receipts: SES delivery, bounce and complaint notifications recorded in the event log. None were recorded for this cycle; the SES message ids in mail/outbound.csv show that SES accepted each message.'
      : 'Delivery receipts: SES delivery, bounce and complaint notifications recorded in the event log.',
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
      if (
        await out.addBlob(
          kept.store,
          kept.key,
          path,
          `A message received from ${String(event.data.from ?? 'an unknown sender')} (${String(event.data.outcome ?? '')}), exactly as received.`,
          committed(event, 'rawSha256'),
        )
      ) {
        file = path;
      }
    }
    inboundRows.push({ seq: event.seq, at: event.at, ...event.data, file });
  }
  out.addCsv(
    'mail/inbound.csv',
    inboundRows,
    undefined,
    'Every message received for the cycle: sender, purpose, outcome (accepted, rejected, ignored, dropped), the answer sent, and the raw file.',
  );
}
