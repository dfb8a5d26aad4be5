/**
 * Replies as input owners send them: a reply address with its token stored as the notifier stores
 * it, and a plain-text message answering one input with the request template's block. Used where
 * many real replies are needed (the bench, the inbound burst test).
 */
import { randomUUID } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { ReviewRepository } from '#shared/store/repository.ts';
import { newReplyId, signReplyAddress } from '#shared/mail/reply-address.ts';
import { parseReplyKeyring } from '#shared/mail/reply-keyring.ts';
import { inputFields } from '#shared/catalogue/catalogue.ts';
import type { InputRequest } from '#shared/model/input.ts';
import { personById } from '#shared/programme/queries.ts';
import type { Programme } from '#shared/programme/schema.ts';

const DAY = 86_400_000;

/** A reply address for `recipientId` in `cycleId`, its token valid for 90 days from `now`. */
export async function replyAddress(options: {
  repo: Pick<ReviewRepository, 'putReplyToken'>;
  programme: Programme;
  cycleId: string;
  recipientId: string;
  now: Date;
  /** The reply-token keyring as REPLY_KEY holds it (a keyring, or one key in hex). */
  replyKeyHex: string;
}): Promise<string> {
  const { programme, now } = options;
  const tokenId = newReplyId();
  await options.repo.putReplyToken({
    tokenId,
    cycleId: options.cycleId,
    purpose: 'inputs',
    recipientId: options.recipientId,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 90 * DAY).toISOString(),
  });
  return signReplyAddress({
    localPart: programme.mail.replyLocalPart,
    id: tokenId,
    keys: parseReplyKeyring(options.replyKeyHex),
    purpose: 'inputs',
    recipient: personById(programme, options.recipientId).email,
    domain: programme.mail.inboundDomain,
  });
}

/** A plain-text reply as a mail client sends it, answering `request` with one figure. */
export function replyMessage(options: {
  from: string;
  to: string;
  request: Pick<InputRequest, 'inputKey' | 'title' | 'periodCovered'>;
  messageId: string;
  date: Date;
  figure: number;
}): Buffer {
  const { request } = options;
  const lines = [
    `From: <${options.from}>`,
    `To: <${options.to}>`,
    `Subject: Re: Input requested: ${request.inputKey}`,
    `Message-ID: <${options.messageId}>`,
    `Date: ${options.date.toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    `[input ${request.inputKey}] ${request.title}`,
    `period: ${request.periodCovered.from} to ${request.periodCovered.to}`,
    `summary: Reviewed for this period; ${options.figure} items remain open.`,
    `metric: Open items = ${options.figure}`,
    // The figures the catalogue requires (shared/catalogue/catalogue.ts), and an objective for d4.
    ...inputFields(request.inputKey)
      .fields.filter((field) => field.required)
      .map((field) => `metric: ${field.label} = ${options.figure}`),
    ...(inputFields(request.inputKey).objectives
      ? [`objective: Staff trained | target 95 % | actual ${options.figure} %`]
      : []),
    '[end]',
    '',
    'Regards',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly raw: Buffer;
  readonly messageId: string;
}

/**
 * Delivers `messages` to an SMTP server over `connections` parallel connections, resending a message
 * the server answered with a temporary failure (4xx) up to `attempts` times, as an MTA does.
 * Resolves with the outcome of each delivery and how many temporary failures were retried.
 */
export async function deliverAll(
  server: { host: string; port: number },
  messages: readonly OutgoingMail[],
  options: { connections?: number; attempts?: number } = {},
): Promise<{ delivered: number; failed: unknown[]; temporaryFailures: number }> {
  const transport = createTransport({
    host: server.host,
    port: server.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: options.connections ?? 5,
  });
  let temporaryFailures = 0;
  const deliver = async (m: OutgoingMail) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await transport.sendMail({ envelope: { from: m.from, to: [m.to] }, raw: m.raw });
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode ?? 0;
        if (code < 400 || code >= 500 || attempt >= (options.attempts ?? 5)) throw error;
        temporaryFailures += 1;
      }
    }
  };
  try {
    const outcomes = await Promise.allSettled(messages.map(deliver));
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    return { delivered: outcomes.length - failed.length, failed, temporaryFailures };
  } finally {
    transport.close();
  }
}

/** One reply address for each owner of `requests`, by owner id. */
export async function replyAddressesOf(
  options: Omit<Parameters<typeof replyAddress>[0], 'recipientId'> & {
    requests: readonly Pick<InputRequest, 'ownerId'>[];
  },
): Promise<Map<string, string>> {
  const { requests, ...common } = options;
  const addresses = new Map<string, string>();
  for (const ownerId of new Set(requests.flatMap((r) => (r.ownerId ? [r.ownerId] : [])))) {
    addresses.set(ownerId, await replyAddress({ ...common, recipientId: ownerId }));
  }
  return addresses;
}

/**
 * `count` replies from the owners of `requests` (in turn), every fifth one a second delivery of the
 * message sent three before it (same bytes, same Message-ID), as mail systems sometimes deliver.
 */
export function replyBurst(options: {
  programme: Programme;
  requests: readonly InputRequest[];
  addresses: ReadonlyMap<string, string>;
  at: Date;
  count: number;
  domain?: string;
}): OutgoingMail[] {
  const { programme, requests, addresses, at } = options;
  const messages: OutgoingMail[] = [];
  for (let i = 0; i < options.count; i += 1) {
    if (i % 5 === 4) {
      messages.push(messages[i - 3]!);
      continue;
    }
    const request = requests[i % requests.length]!;
    const from = personById(programme, request.ownerId!).email;
    const to = addresses.get(request.ownerId!)!;
    const messageId = `${randomUUID()}@${options.domain ?? 'mail.example.com'}`;
    messages.push({
      from,
      to,
      messageId,
      raw: replyMessage({ from, to, request, messageId, date: at, figure: i }),
    });
  }
  return messages;
}
