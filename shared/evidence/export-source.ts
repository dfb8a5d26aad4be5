/**
 * Where the evidence export reads a cycle's records from (EvidenceSource), so the same code runs
 * against the deployed stack, the local stack, or memory (shared/adapters/evidence-source.ts
 * wires the stores), and how it reports its progress.
 */
import type { Clock } from '../clock.ts';
import type { OutboxRecord } from '../mail/outbox.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { ReviewRepository } from '../store/repository.ts';
import type { AnchorStore } from './anchor.ts';
import type { AnchorSigner } from './signer.ts';

/** Where the records of a cycle are read from. */
export interface EvidenceSource {
  readonly repo: Pick<ReviewRepository, 'getCycleRecords' | 'getProgrammeVersion' | 'listMinutes'>;
  /** The sent messages of a cycle (their raw copies are in `evidence`). */
  readonly outbox: { listSent(cycleId: string): Promise<OutboxRecord[]> };
  /** The evidence bucket: package, attachments, outbound raw mail, minutes renderings. */
  readonly evidence: Pick<BlobStore, 'get'>;
  /** The raw mail bucket: inbound messages as received. */
  readonly rawMail: Pick<BlobStore, 'get'>;
  /** Anchors, copied into the bundle; absent: none are copied (a note says so). */
  readonly anchors?: Pick<AnchorStore, 'list'> | undefined;
  /** The anchoring key's public half, written as anchor-key.pem; absent: the bundle holds no key. */
  readonly anchorKey?: Pick<AnchorSigner, 'publicKey'> | undefined;
  /**
   * Signs manifest.json (manifest.sig) where the exporter may use the anchoring key (the local
   * stack); on AWS only the anchoring function may sign, and the anchors carry the signatures.
   */
  readonly manifestSigner?: Pick<AnchorSigner, 'sign'> | undefined;
  readonly clock: Clock;
}

export interface ExportProgress {
  (step: string): void;
}
