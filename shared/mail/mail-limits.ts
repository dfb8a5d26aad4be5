/**
 * The limits on inbound mail and its attachments (MailLimits), their defaults, and the byte sizes
 * as the refusals write them.
 */
import * as z from 'zod';

export const MailLimits = z.strictObject({
  /** The whole raw message. */
  maxMessageBytes: z.number().int().positive(),
  /** Files sent (inline images of a signature are not counted). */
  maxAttachments: z.number().int().min(0),
  maxAttachmentBytes: z.number().int().positive(),
  /** An XLSX may inflate to at most this many bytes in total. */
  maxUncompressedBytes: z.number().int().positive(),
  /** ... and to at most this many times its own size. */
  maxCompressionRatio: z.number().positive(),
  /** ... and hold at most this many files. */
  maxArchiveEntries: z.number().int().positive(),
});
export type MailLimits = z.infer<typeof MailLimits>;

/** The limits given to checkLimits are not numbers it can use. */
export class InvalidMailLimits extends Error {
  override name = 'InvalidMailLimits' as const;
}

export const DEFAULT_MAIL_LIMITS: MailLimits = {
  maxMessageBytes: 20 * 1024 * 1024,
  maxAttachments: 10,
  maxAttachmentBytes: 10 * 1024 * 1024,
  maxUncompressedBytes: 100 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxArchiveEntries: 2000,
};

/** A size as a person reads it: KB below one megabyte, MB with one decimal above. */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Math.round(mb * 10) / 10} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
