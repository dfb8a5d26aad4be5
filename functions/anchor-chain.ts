// functions/anchor-chain.ts: signs the cycle's chain head and writes it, once, as an anchor.
// The only function allowed to use the anchoring key (kms:Sign) and to write under anchors/.
import { AnchorChainEvent, runAnchorChain } from '#shared/evidence/anchoring.ts';
import { anchorSigner } from '#shared/wiring/anchor-key.ts';
import { anchorStore } from '#shared/wiring/anchor-store.ts';
import { clock } from '#shared/wiring/clock.ts';
import { lambdaHandler } from '#shared/wiring/handler.ts';
import { repository } from '#shared/wiring/repository.ts';

export const handler = lambdaHandler({
  event: AnchorChainEvent,
  deps: { repo: repository, clock, anchors: anchorStore, signer: anchorSigner },
  run: runAnchorChain,
  report: (result, { logger, count }) => {
    for (const anchored of result.anchored) {
      logger.info('anchor', { ...anchored });
      if (anchored.status === 'written') count('AnchorWritten');
    }
  },
});
