/**
 * The event the SES receipt rule's Lambda action invokes ingest-email with, as zod schemas: the
 * shape of Powertools for AWS Lambda's `@aws-lambda-powertools/parser/schemas/ses` (MIT-0), field
 * for field, written here with zod's namespace import so that a bundle keeps only the zod it uses
 * (Powertools' module imports `{ z }`, which keeps every zod locale and the JSON Schema converters:
 * some 350 KB per bundle). functions/ingest-email.ts narrows it to what the pipeline relies on.
 *
 * @see https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-examples.html
 */
import * as z from 'zod';

const SesReceiptVerdict = z.object({
  status: z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED']),
});

const SesReceipt = z.object({
  timestamp: z.iso.datetime(),
  processingTimeMillis: z.number().int().positive(),
  recipients: z.array(z.string()),
  spamVerdict: SesReceiptVerdict,
  virusVerdict: SesReceiptVerdict,
  spfVerdict: SesReceiptVerdict,
  dmarcVerdict: SesReceiptVerdict,
  dkimVerdict: SesReceiptVerdict,
  dmarcPolicy: z.enum(['none', 'quarantine', 'reject']),
  action: z.object({
    type: z.enum(['Lambda']),
    invocationType: z.literal('Event'),
    functionArn: z.string(),
  }),
});

const SesMail = z.object({
  timestamp: z.iso.datetime(),
  source: z.string(),
  messageId: z.string(),
  destination: z.array(z.string()),
  headersTruncated: z.boolean(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  commonHeaders: z.object({
    from: z.array(z.string()),
    to: z.array(z.string()),
    cc: z.array(z.string()).optional(),
    bcc: z.array(z.string()).optional(),
    sender: z.array(z.string()).optional(),
    'reply-to': z.array(z.string()).optional(),
    returnPath: z.string(),
    messageId: z.string(),
    date: z.string(),
    subject: z.string(),
  }),
});

/** One record of an SES receipt event: `{ eventSource, eventVersion, ses: { mail, receipt } }`. */
export const SesRecordSchema = z.object({
  eventSource: z.literal('aws:ses'),
  eventVersion: z.string(),
  ses: z.object({ mail: SesMail, receipt: SesReceipt }),
});

/** The SES receipt event: at least one record. */
export const SesSchema = z.object({
  Records: z.array(SesRecordSchema).nonempty(),
});
