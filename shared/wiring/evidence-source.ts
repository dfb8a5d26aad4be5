/**
 * What a cycle's evidence bundle is read from (shared/evidence/export-source.ts), from the parts of
 * this wiring: the repository, the evidence and raw mail buckets, the clock; the outbox's records in
 * the table and the anchors in the evidence bucket, each built on first use; and the anchoring key's
 * public half when the environment names the key (locally, the data folder's key also signs the
 * manifest, as `isms-review evidence export` does there).
 */
import { anchorSignerFromEnvIfAny } from '../adapters/anchor-signer-env.ts';
import { createDynamoClients } from '../adapters/dynamodb.ts';
import { FileSigner } from '../adapters/file-signer.ts';
import { DynamoOutboxStore } from '../adapters/outbox-dynamodb.ts';
import type { AnchorStore } from '../evidence/anchor.ts';
import type { EvidenceSource } from '../evidence/export-source.ts';
import { anchorStore } from './anchor-store.ts';
import { evidenceBucket, rawMailBucket } from './buckets.ts';
import { clock } from './clock.ts';
import { repository } from './repository.ts';
import { part } from './wiring.ts';

export const evidenceSource = part('evidenceSource', async (wiring): Promise<EvidenceSource> => {
  const [repo, evidence, rawMail, now] = await Promise.all([
    wiring.get(repository),
    wiring.get(evidenceBucket),
    wiring.get(rawMailBucket),
    wiring.get(clock),
  ]);
  let records: DynamoOutboxStore | undefined;
  const outboxRecords = () => {
    if (!records) {
      const { client, tableName } = createDynamoClients(wiring.env);
      records = new DynamoOutboxStore({ client, tableName });
    }
    return records;
  };
  let anchors: Promise<AnchorStore> | undefined;
  const signer = anchorSignerFromEnvIfAny(wiring.env);
  return {
    repo,
    evidence,
    rawMail,
    clock: now,
    outbox: { listSent: (cycleId) => outboxRecords().listSent(cycleId) },
    anchors: { list: async (cycleId) => (await (anchors ??= wiring.get(anchorStore))).list(cycleId) },
    ...(signer ? { anchorKey: signer } : {}),
    ...(signer instanceof FileSigner ? { manifestSigner: signer } : {}),
  };
});
