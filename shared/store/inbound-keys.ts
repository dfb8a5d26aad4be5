/**
 * Where inbound mail that became evidence is kept in the evidence bucket, by the receiving
 * server's message id (SES's `mail.messageId`; locally the SMTP server's id), never by the sender's
 * Message-ID, which anyone can reuse:
 *
 * | object                                   | key                                              |
 * | ---------------------------------------- | ------------------------------------------------ |
 * | the raw message as received              | `cycles/<cycle>/inbound/<server id>/message.eml` |
 * | each attachment, by its content          | `cycles/<cycle>/inbound/<server id>/<sha256>`    |
 *
 * Both are written once (BlobStore.putIfAbsent): a second message can never replace what the first
 * left, and the same message delivered twice writes nothing new.
 */

/** The raw message's key in the raw mail bucket is not `<prefix>/<server message id>`. */
export class InvalidInboundKey extends Error {
  override name = 'InvalidInboundKey' as const;
}

const SERVER_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** The receiving server's message id: the last part of the raw key `inbound/<id>`. */
export function serverMessageIdOf(rawS3Key: string): string {
  const id = typeof rawS3Key === 'string' ? rawS3Key.slice(rawS3Key.lastIndexOf('/') + 1) : '';
  if (!SERVER_ID.test(id) || id === '.' || id === '..') {
    throw new InvalidInboundKey(
      `"${String(rawS3Key).slice(0, 200)}" does not end in a message id (letters, digits, . _ -): expected inbound/<message id>`,
    );
  }
  return id;
}

/** The folder of one received message's evidence. */
export function inboundEvidencePrefix(cycleId: string, rawS3Key: string): string {
  return `cycles/${cycleId}/inbound/${serverMessageIdOf(rawS3Key)}/`;
}

/** Where the raw message is kept as evidence. */
export function rawMessageEvidenceKey(cycleId: string, rawS3Key: string): string {
  return `${inboundEvidencePrefix(cycleId, rawS3Key)}message.eml`;
}

/** Where an attachment of the message is kept, by the SHA-256 of its bytes. */
export function attachmentEvidenceKey(cycleId: string, rawS3Key: string, sha256: string): string {
  if (!SHA256.test(sha256)) throw new InvalidInboundKey(`"${sha256}" is not a SHA-256 in lower-case hex`);
  return `${inboundEvidencePrefix(cycleId, rawS3Key)}${sha256}`;
}
