/**
 * How a workflow step becomes a Lambda handler: middy with the shared Powertools logger and metrics,
 * the event validated with zod (a bad event is a named error the state machine's Catch records),
 * and the business function called with the dependencies built once per execution environment.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { z } from 'zod';
import { CycleId } from '../model/ids.ts';
import type { CycleDeps } from '../cycle/ports.ts';
import { cycleDeps, logger, metrics } from './runtime.ts';

export class InvalidTaskEvent extends Error {
  override name = 'InvalidTaskEvent' as const;
}

export const CycleStepEvent = z.looseObject({ cycleId: CycleId });
export const TokenTaskEvent = z.looseObject({ cycleId: CycleId, taskToken: z.string().min(1) });

function parse<S extends z.ZodType>(schema: S, event: unknown): z.output<S> {
  const result = schema.safeParse(event);
  if (!result.success) {
    throw new InvalidTaskEvent(
      result.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

/** A Lambda handler around `run`, with logging (cycle id appended; never the task token) and metrics. */
export function lambdaHandler<S extends z.ZodType, R>(
  schema: S,
  run: (deps: CycleDeps, event: z.output<S>) => Promise<R>,
) {
  return middy(async (event: unknown): Promise<R> => {
    const parsed = parse(schema, event);
    const cycleId = (parsed as { cycleId?: unknown }).cycleId;
    if (typeof cycleId === 'string') logger.appendKeys({ cycleId });
    const result = await run(await cycleDeps(), parsed);
    // One data point per completed step, so a step that stops completing shows in CloudWatch metrics.
    metrics.addMetric('WorkflowStepCompleted', MetricUnit.Count, 1);
    return result;
  })
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));
}

/** A workflow step that takes `{ cycleId }`. */
export const cycleStepHandler = <R>(run: (deps: CycleDeps, cycleId: string) => Promise<R>) =>
  lambdaHandler(CycleStepEvent, (deps, event) => run(deps, event.cycleId));
