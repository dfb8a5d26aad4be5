/**
 * How every Lambda function becomes a handler: middy with the shared Powertools logger (its state
 * cleared per invocation) and metrics, the event validated with zod (a bad event is a named error
 * the state machine's Catch, or the failure queue, records), and the business function called with
 * the dependencies its file wired (built once per execution environment).
 */
import middy from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod';
import { CycleId } from '../model/ids.ts';
import { logger, metrics } from './powertools.ts';
import { wire, type PartSet, type Wired, type Wiring } from './wiring.ts';

export class InvalidTaskEvent extends Error {
  override name = 'InvalidTaskEvent' as const;
}

/** The named error a handler throws for an event its schema refuses, given the issues found. */
export type InvalidEventError = new (issues: string) => Error;

export const CycleStepEvent = z.looseObject({ cycleId: CycleId });
export const TokenTaskEvent = z.looseObject({ cycleId: CycleId, taskToken: z.string().min(1) });

/** The event as `schema` reads it, or `Invalid` naming every issue (paths, never values). */
export function parseEvent<S extends z.ZodType>(
  schema: S,
  event: unknown,
  Invalid: InvalidEventError = InvalidTaskEvent,
): z.output<S> {
  const result = schema.safeParse(event);
  if (!result.success) {
    throw new Invalid(
      result.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

/** What a handler's `report` may use once its business function returned. */
export interface ReportTools {
  readonly logger: Logger;
  /** Adds 1 to the metric; with dimensions, as a metric of its own published at once. */
  count(name: string, dimensions?: Readonly<Record<string, string>>): void;
}

const tools: ReportTools = {
  logger,
  count(name, dimensions) {
    if (!dimensions) {
      metrics.addMetric(name, MetricUnit.Count, 1);
      return;
    }
    const single = metrics.singleMetric();
    for (const [key, value] of Object.entries(dimensions)) single.addDimension(key, value);
    single.addMetric(name, MetricUnit.Count, 1);
  },
};

export interface HandlerSpec<S extends z.ZodType, P extends PartSet, R> {
  /** The event's schema. */
  readonly event: S;
  /** Default InvalidTaskEvent. */
  readonly invalidEvent?: InvalidEventError;
  /**
   * The parts its business function uses, under the names it uses them by, e.g.
   * `{ repo: repository, clock, notifier }`: the function's bundle holds their adapters and no other.
   */
  readonly deps: P;
  readonly run: (deps: Wired<P>, event: z.output<S>) => Promise<R>;
  /**
   * A state of the review-cycle workflow (default): each completed run adds one to
   * WorkflowStepCompleted, so that a step that stops completing shows in CloudWatch.
   */
  readonly workflowStep?: boolean;
  /** Logs and counts what the run returned (never a token, a key or a message body). */
  readonly report?: (result: R, tools: ReportTools) => void;
  /** The wiring the parts come from; default this process's (a test gives one with overrides). */
  readonly wiring?: () => Wiring;
}

/** A Lambda handler for `spec`; the event's `cycleId`, when it has one, is on every log line. */
export function lambdaHandler<S extends z.ZodType, P extends PartSet, R>(spec: HandlerSpec<S, P, R>) {
  const deps = wire(spec.deps);
  return middy(async (event: unknown): Promise<R> => {
    const parsed = parseEvent(spec.event, event, spec.invalidEvent);
    const cycleId = (parsed as { cycleId?: unknown } | null)?.cycleId;
    if (typeof cycleId === 'string') logger.appendKeys({ cycleId });
    const result = await spec.run(await deps(spec.wiring?.()), parsed);
    spec.report?.(result, tools);
    if (spec.workflowStep ?? true) tools.count('WorkflowStepCompleted');
    return result;
  })
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));
}

/** A workflow step that takes `{ cycleId }`. */
export const cycleStepHandler = <P extends PartSet, R>(
  deps: P,
  run: (deps: Wired<P>, cycleId: string) => Promise<R>,
) => lambdaHandler({ event: CycleStepEvent, deps, run: (built, event) => run(built, event.cycleId) });
