// functions/ingest-email.ts: what happens when someone answers a review email.
//
// On AWS the SES receipt rule stores the raw message in RAW_MAIL_BUCKET under `inbound/<messageId>`
// and then invokes this function with `Records[0].ses` (`mail` and `receipt`, whose verdicts we
// pass on). Locally the SMTP server stores it the same way and infra/local/ingest.ts hands it to
// the same pipeline: shared/ingest/pipeline.ts.
//
// The web function invokes it too (RequestResponse), with a release request
// `{ kind: 'release-held-mail', heldId, by }` (shared/ingest/release.ts): the ISMS manager vouches for
// a held message and it runs through the same pipeline (releaseHeldMail). The known refusals come back
// as data (`{ released: false, refusal }`); anything else fails the invocation.
import { SesRecordSchema, SesSchema } from '#shared/mail/ses-receipt-event.ts';
import * as z from 'zod';
import { releaseHeldMail } from '#shared/ingest/held.ts';
import { ingest, type IngestDeps, type IngestResult } from '#shared/ingest/pipeline.ts';
import { answerRelease, ReleaseHeldMailRequest, type ReleaseAnswer } from '#shared/ingest/release.ts';
import { SesVerdicts } from '#shared/mail/inbound.ts';
import type { BlobStore } from '#shared/store/blob-store.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { ingestParts } from '#shared/wiring/ingest.ts';
import type { Wiring } from '#shared/wiring/wiring.ts';

export class InvalidSesEvent extends Error {
  override name = 'InvalidSesEvent' as const;
  constructor(issues: string) {
    super(`not an SES receipt event: ${issues}`);
  }
}

const { mail, receipt } = SesRecordSchema.shape.ses.shape;

/**
 * The SES receipt event as Powertools reads it, narrowed to what the pipeline relies on: a message
 * id that is a safe S3 key, and our verdict statuses (SES also says DISABLED when the rule does not
 * scan). The headers SES summarises in `mail` are not checked: the pipeline reads them from the
 * stored raw message, so a message SES summarises differently (no Subject, Bcc only) still arrives.
 */
export const SesReceiptEvent = SesSchema.extend({
  Records: z
    .array(
      SesRecordSchema.extend({
        ses: SesRecordSchema.shape.ses.extend({
          mail: mail.omit({ headers: true, commonHeaders: true }).extend({
            messageId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, { error: 'expected an SES message id' }),
          }),
          receipt: receipt.extend(SesVerdicts.shape),
        }),
      }),
    )
    .min(1, { error: 'expected one SES record' }),
});
export type SesReceiptEvent = z.output<typeof SesReceiptEvent>;

export class InvalidIngestEvent extends Error {
  override name = 'InvalidIngestEvent' as const;
  constructor(issues: string) {
    super(
      `neither an SES receipt event nor a held-mail release request ({ kind: 'release-held-mail', heldId, by }): ${issues}`,
    );
  }
}

/**
 * What this function is invoked with: an SES receipt event (it has no `kind`) or a release request
 * from the web function.
 */
export const IngestEvent = z.discriminatedUnion('kind', [
  ReleaseHeldMailRequest,
  SesReceiptEvent.extend({ kind: z.undefined().optional() }),
]);
export type IngestEvent = z.output<typeof IngestEvent>;

/** Where the receipt rule's S3 action keeps raw messages. */
export const INBOUND_PREFIX = 'inbound/';

/** One SES receipt event: read the raw message the receipt rule stored, then run the pipeline. */
export async function ingestFromSes(
  deps: IngestDeps & { rawMail: Pick<BlobStore, 'get'> },
  event: SesReceiptEvent,
): Promise<IngestResult> {
  const { mail, receipt } = event.Records[0]!.ses;
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

/** One release request: the held message through the pipeline, its known refusals as data. */
export function releaseFromRequest(
  deps: IngestDeps & { rawMail: Pick<BlobStore, 'get'> },
  request: ReleaseHeldMailRequest,
): Promise<ReleaseAnswer> {
  return answerRelease(() => releaseHeldMail(deps, { id: request.heldId, by: request.by }));
}

/** The handler on `wiring` (default: this process's, from process.env). */
export const ingestHandler = (wiring?: () => Wiring) =>
  lambdaHandler({
    event: IngestEvent,
    invalidEvent: InvalidIngestEvent,
    deps: ingestParts,
    ...(wiring ? { wiring } : {}),
    run: (deps, event): Promise<IngestResult | ReleaseAnswer> =>
      event.kind === 'release-held-mail' ? releaseFromRequest(deps, event) : ingestFromSes(deps, event),
    workflowStep: false,
    report: (result, { logger, count }) => {
      if ('released' in result) {
        logger.info('held mail release answered', {
          ...(result.released
            ? {
                heldId: result.held.id,
                outcome: result.result.outcome,
                ...(result.result.cycleId ? { cycleId: result.result.cycleId } : {}),
              }
            : { refusal: result.refusal.name }),
        });
        count('HeldMailRelease', { result: result.released ? 'released' : result.refusal.name });
        return;
      }
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
      count('InboundMessage', { outcome: result.outcome });
    },
  });

export const handler = ingestHandler();
