/**
 * An estimate of what one review cycle costs on AWS, from figures counted over one whole quarterly
 * cycle run through the synthesized state machine (cycle.ts): state transitions, Lambda invocations
 * and their GB-seconds, emails sent and received, DynamoDB capacity units.
 *
 * The counted cycle starts on an empty table. What a long history adds to DynamoDB is modelled, and
 * labelled so: per measured operation, its capacity units at the large history size minus those at
 * the small one (operations.ts), times the counted invocations of the function that runs it.
 *
 * Unit prices: AWS us-east-1 list prices (on-demand, no free tier), printed beside the estimate.
 */
import type { CycleFigures } from './cycle.ts';
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

/**
 * The function whose counted invocations carry each measured operation's history surcharge. The
 * follow-up's sweeps take the idle sweep's figures: most sweeps have nothing due.
 */
const SURCHARGED: Record<string, OperationName> = {
  'open-cycle': 'openCycle',
  'request-inputs': 'requestInputs',
  'ingest-email': 'ingestReply',
  'check-inputs': 'checkInputs',
  'compile-package': 'compilePackage',
  'distribute-package': 'distributePackage',
  'follow-up-actions': 'escalationSweepIdle',
};

/** What the history adds to the counted cycle's DynamoDB units (modelled, see the file comment). */
export interface HistorySurcharge {
  readonly modelled: string;
  readonly readUnits: number;
  readonly writeUnits: number;
}

export interface CostEstimate {
  /** Counted over one cycle run through the synthesized state machine. */
  readonly counted: {
    readonly cycleId: string;
    readonly simulatedDays: number;
    readonly stateTransitions: number;
    readonly lambdaInvocations: number;
    readonly lambdaGbSeconds: number;
    readonly emailsSent: number;
    readonly emailRecipients: number;
    readonly emailsReceived: number;
    readonly dynamodbReadUnits: number;
    readonly dynamodbWriteUnits: number;
  };
  readonly historySurcharge: HistorySurcharge;
  /** What the estimate leaves out. */
  readonly notCounted: readonly string[];
  readonly stateTransitions: number;
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

export function historySurcharge(
  cycle: CycleFigures,
  small: SizeFigures,
  large: SizeFigures,
): HistorySurcharge {
  let readUnits = 0;
  let writeUnits = 0;
  for (const [id, operation] of Object.entries(SURCHARGED)) {
    const times = cycle.lambda[id]?.invocations ?? 0;
    const [from, to] = [small.operations[operation], large.operations[operation]];
    readUnits += Math.max(0, to.readUnits - from.readUnits) * times;
    writeUnits += Math.max(0, to.writeUnits - from.writeUnits) * times;
  }
  return {
    modelled:
      `per operation, capacity units at ${large.size.cycles} cycles/${large.size.closedActions} actions ` +
      `minus at ${small.size.cycles} cycles/${small.size.closedActions} actions, times the counted invocations`,
    readUnits: Math.round(readUnits),
    writeUnits: Math.round(writeUnits),
  };
}

/** What the local stack does not run, so the cycle cannot count it. */
const NOT_COUNTED = [
  'SES sending events (send, delivery, ...) delivered to record-mail-event through EventBridge',
  'S3 requests and storage of raw mail and evidence',
  'CloudWatch logs and metrics, X-Ray traces',
];

export function estimateCycleCost(cycle: CycleFigures, surcharge: HistorySurcharge): CostEstimate {
  const reads = cycle.dynamodb.readUnits + surcharge.readUnits;
  const writes = cycle.dynamodb.writeUnits + surcharge.writeUnits;
  const dynamodb = price('dynamodbReadRequestUnits', reads) + price('dynamodbWriteRequestUnits', writes);
  const stepFunctions = price('stepFunctionsStandardStateTransitions', cycle.stateTransitions);
  const lambda =
    price('lambdaArmGbSeconds', cycle.lambdaGbSeconds) + price('lambdaRequests', cycle.lambdaInvocations);
  const ses =
    price('sesOutboundEmails', cycle.emailRecipients) + price('sesInboundEmails', cycle.emailsReceived);
  const usd = (value: number) => Math.round(value * 1_000_000) / 1_000_000;
  return {
    counted: {
      cycleId: cycle.cycleId,
      simulatedDays: cycle.simulatedDays,
      stateTransitions: cycle.stateTransitions,
      lambdaInvocations: cycle.lambdaInvocations,
      lambdaGbSeconds: cycle.lambdaGbSeconds,
      emailsSent: cycle.emailsSent,
      emailRecipients: cycle.emailRecipients,
      emailsReceived: cycle.emailsReceived,
      dynamodbReadUnits: Math.round(cycle.dynamodb.readUnits),
      dynamodbWriteUnits: Math.round(cycle.dynamodb.writeUnits),
    },
    historySurcharge: surcharge,
    notCounted: NOT_COUNTED,
    stateTransitions: cycle.stateTransitions,
    dynamodbReadUnits: Math.round(reads),
    dynamodbWriteUnits: Math.round(writes),
    lambdaInvocations: cycle.lambdaInvocations,
    lambdaGbSeconds: cycle.lambdaGbSeconds,
    emails: cycle.emailRecipients + cycle.emailsReceived,
    usd: {
      dynamodb: usd(dynamodb),
      stepFunctions: usd(stepFunctions),
      lambda: usd(lambda),
      ses: usd(ses),
      total: usd(dynamodb + stepFunctions + lambda + ses),
    },
  };
}
