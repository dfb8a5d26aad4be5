/**
 * The inbound mail pipeline's dependencies (shared/ingest/pipeline.ts), as the ingest-email function
 * has them, the local SMTP server's handler and the CLI's `mail` commands too: the review's store,
 * clock, workflow and notifier, the outbox for answers, both buckets and the reply keyring.
 */
import { inProcessReleaser } from '../ingest/held.ts';
import type { IngestDeps } from '../ingest/pipeline.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { evidenceBucket, rawMailBucket } from './buckets.ts';
import { clock } from './clock.ts';
import { notifier } from './notifier.ts';
import { outbox } from './outbox.ts';
import { replyKey } from './reply-key.ts';
import { repository } from './repository.ts';
import { workflow } from './workflow.ts';
import { part, wire, Wiring, type WiringOptions } from './wiring.ts';

/** INBOUND_DOMAIN (reply addresses) and MAIL_FROM (our own address: never answered). */
export const ingestSettings = part('ingestSettings', (wiring) => ({
  inboundDomain: wiring.env.INBOUND_DOMAIN?.trim() ?? '',
  ownAddresses: wiring.env.MAIL_FROM?.trim() ? [wiring.env.MAIL_FROM.trim()] : [],
}));

export const ingestParts = {
  repo: repository,
  clock,
  workflow,
  notifier,
  outbox,
  evidence: evidenceBucket,
  rawMail: rawMailBucket,
  replyKey,
  settings: ingestSettings,
} as const;

/** The ingest's dependencies in this process (or `wiring`'s), each built once. */
export const ingestDeps: (wiring?: Wiring) => Promise<IngestDeps & { readonly rawMail: BlobStore }> =
  wire(ingestParts);

/** The releaser that runs the pipeline in this process: the local web app's (infra/local/web.ts). */
export const ingestReleaser = part('heldMailReleaser', async (wiring) =>
  inProcessReleaser(await ingestDeps(wiring)),
);

/** The ingest's dependencies on a wiring of their own: from `env`, with `overrides` given. */
export function wireIngest(
  options: WiringOptions = {},
): Promise<IngestDeps & { readonly rawMail: BlobStore }> {
  return ingestDeps(new Wiring(options));
}
