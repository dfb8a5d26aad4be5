// functions/publish-anchor-key.ts: the custom resource that reads the anchoring key's public half at
// deploy time, so the stack can output it (AnchorPublicKey) and its fingerprint outside the data path.
import * as z from 'zod';
import { deliverCfnResponse } from '#shared/adapters/cfn-response.ts';
import { publishAnchorKey } from '#shared/evidence/key-publication.ts';
import { kmsSigners } from '#shared/wiring/kms-signers.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';

// Any request is answered to CloudFormation, a malformed one with FAILED (publishAnchorKey checks it):
// a request left unanswered would hold the deployment until CloudFormation gives up on it.
export const handler = lambdaHandler({
  event: z.unknown(),
  deps: { signerFor: kmsSigners },
  run: (deps, event) => publishAnchorKey({ ...deps, deliver: deliverCfnResponse }, event),
  workflowStep: false,
  report: (response, { logger, count }) => {
    logger.info('anchor key publication', {
      status: response.Status,
      ...(response.Reason ? { reason: response.Reason } : {}),
      ...(response.Data ? { fingerprint: response.Data.Fingerprint } : {}),
    });
    count('AnchorKeyPublication', { status: response.Status });
  },
});
