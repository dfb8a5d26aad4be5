/**
 * An estimate of what one review cycle costs on AWS, from the figures the bench measured: DynamoDB
 * capacity units per operation (as DynamoDB Local reported them), Lambda duration per operation,
 * emails sent. How often each operation runs in a cycle, and the state transitions, come from the
 * cycle model below (written out, so a reader can check it against the state machine).
 *
 * Unit prices: AWS us-east-1 list prices (on-demand, no free tier), printed beside the estimate.
 */
import { functions } from '#infra/functions.ts';
import type { OperationName, SizeFigures } from './operations.ts';

export const PRICE_REGION = 'us-east-1 list prices (on-demand, free tier not deducted)';

/** USD per `per` units. */
export const UNIT_PRICES_USD = {
  dynamodbWriteRequestUnits: { usd: 0.625, per: 1_000_000 },
  dynamodbReadRequestUnits: { usd: 0.125, per: 1_000_000 },
  stepFunctionsStandardStateTransitions: { usd: 0.025, per: 1_000 },
  lambdaArmGbSeconds: { usd: 0.0000133334, per: 1 },
  lambdaRequests: { usd: 0.2, per: 1_000_000 },
  sesOutboundEmails: { usd: 0.1, per: 1_000 },
  sesInboundEmails: { usd: 0.1, per: 1_000 },
} as const;

const price = (name: keyof typeof UNIT_PRICES_USD, units: number) =>
  (units * UNIT_PRICES_USD[name].usd) / UNIT_PRICES_USD[name].per;

/** Which function runs each measured operation (its memory size decides the GB-seconds). */
const FUNCTION_OF: Record<OperationName, string> = {
  openCycle: 'open-cycle',
  requestInputs: 'request-inputs',
  ingestReply: 'ingest-email',
  checkInputs: 'check-inputs',
  compilePackage: 'compile-package',
  distributePackage: 'distribute-package',
  escalationSweep: 'follow-up-actions',
  escalationSweepIdle: 'follow-up-actions',
};

export interface CycleModel {
  /** Replies ingested in a cycle: one per asked input plus corrections. */
  readonly replies: number;
  /** Times the input check runs (reminder and escalation steps until the deadline). */
  readonly inputChecks: number;
  /** Follow-up sweeps that send reminders or escalations. */
  readonly sweeps: number;
  /** Follow-up sweeps with nothing due (most days until the last action closes). */
  readonly idleSweeps: number;
  /** State transitions of one execution (Task, Choice, Wait, Pass states entered). */
  readonly stateTransitions: number;
  /** Emails the minutes and the follow-up send beyond those the bench's cycle sent. */
  readonly moreEmails: number;
}

/** A quarterly cycle of the example programme, followed up for 90 days. */
export const QUARTERLY_CYCLE: CycleModel = {
  replies: 12,
  inputChecks: 10,
  sweeps: 6,
  idleSweeps: 84,
  // ~6 per input check loop and per sweep loop (task, choice, wait, ...) plus ~40 straight-line states.
  stateTransitions: 40 + 6 * 10 + 6 * 90,
  moreEmails: 20,
};

export interface CostEstimate {
  readonly model: CycleModel;
  readonly dynamodbReadUnits: number;
  readonly dynamodbWriteUnits: number;
  readonly lambdaInvocations: number;
  readonly lambdaGbSeconds: number;
  readonly emails: number;
  readonly usd: {
    readonly dynamodb: number;
    readonly stepFunctions: number;
    readonly lambda: number;
    readonly ses: number;
    readonly total: number;
  };
}

export function estimateCycleCost(figures: SizeFigures, model: CycleModel = QUARTERLY_CYCLE): CostEstimate {
  const runs: Record<OperationName, number> = {
    openCycle: 1,
    requestInputs: 1,
    ingestReply: model.replies,
    checkInputs: model.inputChecks,
    compilePackage: 1,
    distributePackage: 1,
    escalationSweep: model.sweeps,
    escalationSweepIdle: model.idleSweeps,
  };
  let reads = 0;
  let writes = 0;
  let gbSeconds = 0;
  let invocations = 0;
  for (const [name, times] of Object.entries(runs) as [OperationName, number][]) {
    const op = figures.operations[name];
    const memoryMb = functions.find((f) => f.id === FUNCTION_OF[name])?.memorySize ?? 512;
    reads += op.readUnits * times;
    writes += op.writeUnits * times;
    gbSeconds += (op.ms / 1000) * (memoryMb / 1024) * times;
    invocations += times;
  }
  const emails = figures.emailsSent + model.moreEmails;
  const dynamodb = price('dynamodbReadRequestUnits', reads) + price('dynamodbWriteRequestUnits', writes);
  const stepFunctions = price('stepFunctionsStandardStateTransitions', model.stateTransitions);
  const lambda = price('lambdaArmGbSeconds', gbSeconds) + price('lambdaRequests', invocations);
  const ses = price('sesOutboundEmails', emails) + price('sesInboundEmails', model.replies);
  const usd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;
  return {
    model,
    dynamodbReadUnits: Math.round(reads),
    dynamodbWriteUnits: Math.round(writes),
    lambdaInvocations: invocations,
    lambdaGbSeconds: Math.round(gbSeconds * 100) / 100,
    emails,
    usd: {
      dynamodb: usd(dynamodb),
      stepFunctions: usd(stepFunctions),
      lambda: usd(lambda),
      ses: usd(ses),
      total: usd(dynamodb + stepFunctions + lambda + ses),
    },
  };
}
