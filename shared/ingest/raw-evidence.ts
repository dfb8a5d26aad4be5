/**
 * The raw message that became evidence, kept in the evidence bucket (under Object Lock on AWS) at
 * `cycles/<cycle>/inbound/<server message id>/message.eml` (shared/store/inbound-keys.ts), written
 * once. Its `mail.received` event names the key (`evidenceKey`) beside the SHA-256 (`rawSha256`),
 * and verify fails when the bundle lacks it (shared/evidence/inbound-evidence.ts).
 */
import type { BlobStore } from '../store/blob-store.ts';
import { rawMessageEvidenceKey } from '../store/inbound-keys.ts';

/** Copies the raw message into the evidence bucket (once); returns where, and its SHA-256. */
export async function keepRawMessage(
  evidence: Pick<BlobStore, 'putIfAbsent'>,
  message: { cycleId: string; rawS3Key: string; raw: Buffer },
): Promise<{ evidenceKey: string; sha256: string }> {
  const evidenceKey = rawMessageEvidenceKey(message.cycleId, message.rawS3Key);
  const stored = await evidence.putIfAbsent(evidenceKey, message.raw, 'message/rfc822');
  return { evidenceKey, sha256: stored.sha256 };
}
