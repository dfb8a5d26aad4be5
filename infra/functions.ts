/**
 * The Lambda functions the stack deploys, one line each.
 *
 * Adding a function is adding one entry: the stack builds an `IsmsFunction` for it (safe
 * defaults: Node.js runtime, ARM64, X-Ray, log retention, on-failure queue, alarms), gives it the
 * runtime environment contract and exactly the permissions named in `grants`, and lets the state
 * machine invoke it. The entry file is relative to the repository root.
 */

/**
 * What a function may touch. Each grant maps to explicit IAM statements in the stack; there is no
 * broader grant than these.
 *
 * - `table:read`        GetItem, BatchGetItem, Query, ConditionCheckItem on the table and its indexes (no Scan).
 * - `table:readWrite`   `table:read` plus PutItem, UpdateItem, DeleteItem, BatchWriteItem.
 * - `rawMail:read`      GetObject on `inbound/*` of the raw mail bucket.
 * - `evidence:read`     GetObject (and versions, retention) on the evidence bucket, ListBucket.
 * - `evidence:readWrite` `evidence:read` plus PutObject (Object Lock keeps every version).
 * - `replyKey:read`     GetSecretValue on the reply-token HMAC key.
 * - `mail:send`         ses:SendRawEmail through the mail identities and the configuration set.
 * - `workflow:respond`  states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat on the review-cycle machine.
 * - `workflow:start`    states:StartExecution and DescribeExecution on the review-cycle machine.
 */
export type FunctionGrant =
  | 'table:read'
  | 'table:readWrite'
  | 'rawMail:read'
  | 'evidence:read'
  | 'evidence:readWrite'
  | 'replyKey:read'
  | 'mail:send'
  | 'workflow:respond'
  | 'workflow:start';

export interface FunctionSpec {
  /** Registry id, kebab-case; also the key the workflow definition uses to find the function. */
  readonly id: string;
  /** Handler file relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly grants: readonly FunctionGrant[];
  /** Seconds; default 30. */
  readonly timeoutSeconds?: number;
  /** MB; default 512. */
  readonly memorySize?: number;
  /** Reserved concurrency; default none (account pool). */
  readonly reservedConcurrency?: number;
}

// One line per function (kept unwrapped so the registry reads as a table).
// prettier-ignore
export const functions: readonly FunctionSpec[] = [
  { id: 'ingest-email', entry: 'functions/ingest-email.ts', description: 'Receives inbound mail from the SES receipt rule and records submissions', grants: ['table:readWrite', 'rawMail:read', 'replyKey:read', 'mail:send', 'workflow:respond'], timeoutSeconds: 60 },
];
