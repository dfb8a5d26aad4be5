// functions/publish-anchor-key.ts: the custom resource that reads the anchoring key's public half at
// deploy time, so the stack can output it (AnchorPublicKey) and its fingerprint outside the data path.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { KMSClient } from '@aws-sdk/client-kms';
import { deliverCfnResponse } from '#shared/adapters/cfn-response.ts';
import { KmsSigner } from '#shared/adapters/kms-signer.ts';
import { logger } from '#shared/adapters/runtime.ts';
import { publishAnchorKey, type KeyPublicationResponse } from '#shared/evidence/key-publication.ts';

let client: KMSClient | undefined;

export async function publishKey(event: unknown): Promise<KeyPublicationResponse> {
  client ??= new KMSClient({});
  const kms = client;
  const response = await publishAnchorKey(
    { signerFor: (keyId) => new KmsSigner({ client: kms, keyId }), deliver: deliverCfnResponse },
    event,
  );
  logger.info('anchor key publication', {
    status: response.Status,
    ...(response.Reason ? { reason: response.Reason } : {}),
    ...(response.Data ? { fingerprint: response.Data.Fingerprint } : {}),
  });
  return response;
}

export const handler = middy(publishKey).use(injectLambdaContext(logger, { clearState: true }));
