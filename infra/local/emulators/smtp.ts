/**
 * The local inbound mail server: what the SES receipt rule is on AWS.
 *
 * For each message it receives it first stores the raw bytes in the raw mail bucket under
 * `inbound/<uuid>` (as the receipt rule's S3 action does), then calls `onInbound` with where
 * the message is (as the receipt rule's Lambda action does). Only when both succeed does
 * the SMTP transaction answer 250. A failure answers 451 (temporary: the sender keeps the
 * message and retries, so nothing is lost); a message over the size limit answers 552.
 *
 * Local only: listens on 127.0.0.1, no authentication, STARTTLS disabled. Unlike SES it adds no
 * Received/Return-Path headers. Its verdicts are what it can check without DNS
 * (shared/mail/local-verdicts.ts): SPF passes when the envelope sender's domain is aligned with the
 * From address's, DKIM and DMARC are GRAY; so a client must send with its own address as MAIL FROM,
 * as real clients do.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { clockFromEnvironment, type Clock } from '#shared/clock.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { localVerdicts } from '#shared/mail/local-verdicts.ts';
import { LOCAL_HOST } from '../ports.ts';

export interface InboundMail {
  bucket: string;
  key: string;
  raw: Buffer;
  envelope: { mailFrom: string; rcptTo: string[] };
  /** UTC ISO 8601. */
  receivedAt: string;
  /** What this server could check, in the shape of SES's receipt verdicts (local-verdicts.ts). */
  verdicts: SesVerdicts;
}

/** Called once the raw message is stored; throwing makes the sender retry later (451). */
export type OnInbound = (mail: InboundMail) => Promise<void> | void;

export interface SmtpOptions {
  /** 0 or absent: a free port chosen by the OS. */
  port?: number;
  s3: S3Client;
  bucket: string;
  /** Key prefix for raw messages; `inbound/` as in the receipt rule. */
  prefix?: string;
  onInbound?: OnInbound;
  /** Largest accepted message in bytes (SMTP SIZE); default 10 MiB. */
  maxMessageBytes?: number;
  /**
   * Stamps each message's receipt time. Default: the simulated clock the local state machine runtime
   * publishes (ISMS_CLOCK) while it runs accelerated, else the system clock; so a reply is received
   * at the time the cycle it answers is living in.
   */
  clock?: Clock;
  log?: (line: string) => void;
}

export interface RunningSmtp {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export class SmtpFailedToStart extends Error {
  override name = 'SmtpFailedToStart' as const;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

class SmtpReply extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

export async function startSmtp(options: SmtpOptions): Promise<RunningSmtp> {
  const prefix = options.prefix ?? 'inbound/';
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const clock = options.clock ?? clockFromEnvironment();
  const log = options.log ?? (() => undefined);

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes <= maxMessageBytes) chunks.push(chunk);
    }
    if (stream.sizeExceeded || bytes > maxMessageBytes) {
      throw new SmtpReply(`Message exceeds the maximum size of ${maxMessageBytes} bytes`, 552);
    }
    const raw = Buffer.concat(chunks);
    const key = `${prefix}${randomUUID()}`;
    const envelope = {
      mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
      rcptTo: session.envelope.rcptTo.map((recipient) => recipient.address),
    };
    try {
      await options.s3.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: raw, ContentType: 'message/rfc822' }),
      );
    } catch (error) {
      log(`[smtp] could not store message from ${envelope.mailFrom}: ${(error as Error).message}`);
      throw new SmtpReply('Mailbox temporarily unavailable, try again later', 451);
    }
    log(`[smtp] stored ${bytes} bytes from ${envelope.mailFrom} to ${envelope.rcptTo.join(', ')} at ${key}`);
    try {
      await options.onInbound?.({
        bucket: options.bucket,
        key,
        raw,
        envelope,
        receivedAt: clock.now().toISOString(),
        verdicts: await localVerdicts(raw, envelope.mailFrom),
      });
    } catch (error) {
      // The raw message stays stored; the sender retries and the handler sees it again.
      log(`[smtp] processing ${key} failed, asked the sender to retry: ${(error as Error).message}`);
      throw new SmtpReply('Message could not be processed now, try again later', 451);
    }
  }

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: maxMessageBytes,
    banner: 'isms-review local inbound mail',
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      receive(stream, session).then(
        () => callback(null, 'OK: message stored'),
        (error: unknown) => {
          // Drain whatever is left so the connection can carry on.
          stream.resume();
          callback(
            error instanceof SmtpReply ? error : new SmtpReply('Temporary failure, try again later', 451),
          );
        },
      );
    },
  });
  server.on('error', (error) => log(`[smtp] ${error.message}`));

  try {
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(options.port ?? 0, LOCAL_HOST, () => {
        server.server.removeListener('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new SmtpFailedToStart(
      `The local SMTP server could not listen on ${LOCAL_HOST}:${options.port ?? 0}: ${(error as Error).message}`,
    );
  }
  const { port } = server.server.address() as AddressInfo;
  return {
    host: LOCAL_HOST,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
