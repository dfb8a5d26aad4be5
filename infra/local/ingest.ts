/**
 * Inbound mail on one machine: what the local SMTP server (emulators/smtp.ts) hands each message it
 * stored to. The same pipeline as the ingest-email function on AWS (shared/ingest/pipeline.ts), with
 * the verdicts the server computed instead of SES's, or, when none are given, the same local
 * verdicts computed here (shared/mail/local-verdicts.ts). Never used on AWS.
 */
import { ingest, type IngestDeps, type IngestResult } from '#shared/ingest/pipeline.ts';
import type { SesVerdicts } from '#shared/mail/inbound.ts';
import { ingestDeps } from '#shared/wiring/ingest.ts';

/** One message the SMTP server stored, as it describes it (InboundMail, verdicts optional). */
export interface SmtpDelivery {
  readonly bucket: string;
  readonly key: string;
  readonly raw: Buffer;
  readonly envelope: { mailFrom: string; rcptTo: string[] };
  readonly receivedAt: string;
  readonly verdicts?: SesVerdicts;
}

/** Runs one stored message through the pipeline with `deps`. */
export async function ingestFromSmtp(deps: IngestDeps, mail: SmtpDelivery): Promise<IngestResult> {
  const { localVerdicts } = await import('#shared/mail/local-verdicts.ts');
  return ingest(deps, {
    raw: mail.raw,
    rawS3Key: mail.key,
    envelope: mail.envelope,
    sesVerdicts: mail.verdicts ?? (await localVerdicts(mail.raw, mail.envelope.mailFrom)),
    receivedAt: mail.receivedAt,
  });
}

/**
 * The local stack's inbound handler: each message through the pipeline with the ingest's
 * dependencies of this process, built from the environment as the function's are on AWS.
 */
export async function ingestInbound(mail: SmtpDelivery): Promise<IngestResult> {
  return ingestFromSmtp(await ingestDeps(), mail);
}
