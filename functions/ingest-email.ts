// functions/ingest-email.ts: what happens when someone answers a review email.
//
// On AWS the SES receipt rule stores the raw message in RAW_MAIL_BUCKET under `inbound/<messageId>`
// and then invokes this function with `Records[0].ses` (`mail` and `receipt`, whose verdicts we
// pass on). Locally the SMTP server stores it the same way and calls `ingestFromSmtp`. Both run
// the same pipeline: shared/ingest/pipeline.ts.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { cycleDeps, logger, metrics } from '#shared/adapters/runtime.ts';
import type { CycleDeps } from '#shared/cycle/ports.ts';
import { SesVerdicts } from '#shared/mail/inbound.ts';
import type { BlobStore } from '#shared/store/blob-store.ts';
import { ingest, type IngestDeps, type IngestResult } from '#shared/ingest/pipeline.ts';

export class InvalidSesEvent extends Error {
  override name = 'InvalidSesEvent' as const;
}

/** The parts of the SES receipt event the pipeline reads (other fields are ignored). */
export const SesReceiptEvent = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        ses: z.looseObject({
          mail: z.looseObject({
            messageId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, { error: 'expected an SES message id' }),
            source: z.string(),
            timestamp: z.iso.datetime({ offset: true }),
          }),
          receipt: z.looseObject({
            recipients: z.array(z.string()),
            ...SesVerdicts.shape,
          }),
        }),
      }),
    )
    .min(1, { error: 'expected one SES record' }),
});

/** Where the receipt rule's S3 action keeps raw messages. */
export const INBOUND_PREFIX = 'inbound/';

/** The pipeline's dependencies, built once per execution environment. */
let built: Promise<IngestDeps & { rawMail: BlobStore }> | undefined;

async function build(env: NodeJS.ProcessEnv): Promise<IngestDeps & { rawMail: BlobStore }> {
  const [
    { S3BlobStore },
    { Outbox },
    { DynamoOutboxStore },
    { createDynamoClients },
    { SesMailer },
    { replyKeyFromEnv },
  ] = await Promise.all([
    import('#shared/adapters/s3-blob-store.ts'),
    import('#shared/mail/outbox.ts'),
    import('#shared/adapters/outbox-dynamodb.ts'),
    import('#shared/adapters/dynamodb.ts'),
    import('#shared/adapters/ses-mailer.ts'),
    import('#shared/adapters/notifier-wiring.ts'),
  ]);
  const base: CycleDeps = await cycleDeps(env);
  const evidence = S3BlobStore.fromEnv('EVIDENCE_BUCKET', env);
  const { client, tableName } = createDynamoClients(env);
  const configurationSet = env.SES_CONFIGURATION_SET?.trim();
  return {
    ...base,
    evidence,
    rawMail: S3BlobStore.fromEnv('RAW_MAIL_BUCKET', env),
    outbox: new Outbox({
      store: new DynamoOutboxStore({ client, tableName }),
      mailer: SesMailer.fromEnv(env),
      blobs: evidence,
      clock: base.clock,
      ...(configurationSet ? { configurationSet } : {}),
    }),
    replyKey: await replyKeyFromEnv(env),
    settings: {
      inboundDomain: env.INBOUND_DOMAIN?.trim() ?? '',
      ownAddresses: env.MAIL_FROM?.trim() ? [env.MAIL_FROM.trim()] : [],
    },
  };
}

/** The ingest dependencies from the environment (runtime contract), built once. */
export function ingestDeps(
  env: NodeJS.ProcessEnv = process.env,
): Promise<IngestDeps & { rawMail: BlobStore }> {
  built ??= build(env).catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

/** Forget the built dependencies (tests and the local stack change the environment). */
export function resetIngestDeps(): void {
  built = undefined;
}

/** One SES receipt event: read the raw message the receipt rule stored, then run the pipeline. */
export async function ingestFromSes(
  deps: IngestDeps & { rawMail: Pick<BlobStore, 'get'> },
  event: unknown,
): Promise<IngestResult> {
  const parsed = SesReceiptEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidSesEvent(
      `not an SES receipt event: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')}`,
    );
  }
  const { mail, receipt } = parsed.data.Records[0]!.ses;
  const rawS3Key = `${INBOUND_PREFIX}${mail.messageId}`;
  const raw = await deps.rawMail.get(rawS3Key);
  return ingest(deps, {
    raw,
    rawS3Key,
    envelope: { mailFrom: mail.source, rcptTo: receipt.recipients },
    sesVerdicts: {
      spamVerdict: receipt.spamVerdict,
      virusVerdict: receipt.virusVerdict,
      spfVerdict: receipt.spfVerdict,
      dkimVerdict: receipt.dkimVerdict,
      dmarcVerdict: receipt.dmarcVerdict,
      ...(receipt.dmarcPolicy ? { dmarcPolicy: receipt.dmarcPolicy } : {}),
    },
    receivedAt: new Date(mail.timestamp).toISOString(),
  });
}

/**
 * What the local SMTP server calls for each message it stored (the same pipeline as on AWS), with
 * the verdicts the server computed (infra/local/emulators/smtp.ts), or, when none are given, the
 * same local verdicts computed here (shared/mail/local-verdicts.ts). Never used on AWS.
 */
export async function ingestFromSmtp(
  deps: IngestDeps,
  mail: {
    bucket: string;
    key: string;
    raw: Buffer;
    envelope: { mailFrom: string; rcptTo: string[] };
    receivedAt: string;
    verdicts?: SesVerdicts;
  },
): Promise<IngestResult> {
  const { localVerdicts } = await import('#shared/mail/local-verdicts.ts');
  return ingest(deps, {
    raw: mail.raw,
    rawS3Key: mail.key,
    envelope: mail.envelope,
    sesVerdicts: mail.verdicts ?? (await localVerdicts(mail.raw, mail.envelope.mailFrom)),
    receivedAt: mail.receivedAt,
  });
}

async function run(event: unknown): Promise<IngestResult> {
  const result = await ingestFromSes(await ingestDeps(), event);
  if (result.cycleId) logger.appendKeys({ cycleId: result.cycleId });
  // The outcome and reason only: never the body, the token or the key.
  logger.info('inbound message handled', {
    outcome: result.outcome,
    ...(result.heldId ? { heldId: result.heldId } : {}),
    reason: result.reason.slice(0, 300),
    messageId: result.messageId,
    answer: result.answer,
  });
  // One metric, InboundMessage, with the outcome as its dimension (accepted, rejected, held, ...).
  const outcome = metrics.singleMetric();
  outcome.addDimension('outcome', result.outcome);
  outcome.addMetric('InboundMessage', MetricUnit.Count, 1);
  return result;
}

export const handler = middy(run)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
