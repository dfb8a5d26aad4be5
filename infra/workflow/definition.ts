/**
 * The review-cycle state machine definition the stack deploys: the workflow in review-cycle.ts,
 * given the registry's functions by id (see infra/functions.ts).
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  buildReviewCycleDefinition as buildWorkflow,
  workflowFunctionIds,
  type WorkflowFunctionId,
} from './review-cycle.ts';

export class MissingWorkflowFunction extends Error {
  override name = 'MissingWorkflowFunction' as const;
}

export function buildReviewCycleDefinition(scope: Construct, fns: Record<string, IFunction>): sfn.IChainable {
  const missing = workflowFunctionIds.filter((id) => !fns[id]);
  if (missing.length > 0) {
    throw new MissingWorkflowFunction(
      `the workflow needs these functions in infra/functions.ts: ${missing.join(', ')}`,
    );
  }
  // The states live in their own scope: their names (e.g. RecordFailure) may equal construct ids elsewhere.
  return buildWorkflow(
    new Construct(scope, 'ReviewCycleStates'),
    fns as Record<WorkflowFunctionId, IFunction>,
  );
}
