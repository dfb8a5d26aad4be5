// functions/anchor-chain.ts: signs the cycle's chain head and writes it, once, as an anchor.
// The only function allowed to use the anchoring key (kms:Sign) and to write under anchors/.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { anchorChainDeps } from '#shared/adapters/anchor-wiring.ts';
import { InvalidTaskEvent } from '#shared/adapters/handler.ts';
import { logger, metrics } from '#shared/adapters/runtime.ts';
import { AnchorChainEvent, runAnchorChain, type AnchorChainResult } from '#shared/evidence/anchoring.ts';

export async function anchorChain(event: unknown): Promise<AnchorChainResult> {
  const parsed = AnchorChainEvent.safeParse(event);
  if (!parsed.success) {
    throw new InvalidTaskEvent(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '),
    );
  }
  if ('cycleId' in parsed.data) logger.appendKeys({ cycleId: parsed.data.cycleId });
  const result = await runAnchorChain(anchorChainDeps(), parsed.data);
  for (const anchored of result.anchored) {
    logger.info('anchor', { ...anchored });
    if (anchored.status === 'written') metrics.addMetric('AnchorWritten', MetricUnit.Count, 1);
  }
  metrics.addMetric('WorkflowStepCompleted', MetricUnit.Count, 1);
  return result;
}

export const handler = middy(anchorChain)
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
