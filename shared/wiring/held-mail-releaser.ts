/**
 * The held-mail releaser of the web function on AWS: the ingest-email function releases the message
 * (INGEST_FUNCTION_NAME, set by the stack with the grant to invoke it), so the web function carries
 * no mail pipeline. In one process (the local runtime, the CLI) the releaser runs the pipeline
 * itself: `ingestReleaser` in ingest.ts.
 */
import { LambdaHeldMailReleaser } from '../adapters/lambda-held-mail-releaser.ts';
import { part } from './wiring.ts';

export const lambdaReleaser = part(
  'heldMailReleaser',
  (wiring) => new LambdaHeldMailReleaser(wiring.env.INGEST_FUNCTION_NAME?.trim() || undefined),
);
