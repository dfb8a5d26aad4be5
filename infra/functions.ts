/**
 * The Lambda functions the stack deploys, one line each.
 *
 * Adding a function is adding one entry: the stack builds an `IsmsFunction` for it (safe
 * defaults: Node.js runtime, ARM64, X-Ray, log retention, on-failure queue, alarms), gives it the
 * runtime environment contract and exactly the permissions named in `grants`, and lets the state
 * machine invoke it. The entry file is relative to the repository root.
 */
import { CHART_FONT_PACKAGE } from '#shared/package/charts.ts';

/**
 * What a function may touch. Each grant maps to explicit IAM statements in the stack; there is no
 * broader grant than these.
 *
 * - `table:read`        GetItem, BatchGetItem, Query, ConditionCheckItem on the table and its indexes (no Scan).
 * - `table:readWrite`   `table:read` plus PutItem, UpdateItem, DeleteItem, BatchWriteItem.
 * - `rawMail:read`      GetObject on `inbound/*` of the raw mail bucket.
 * - `evidence:read`     GetObject (and versions, retention) on the evidence bucket, ListBucket.
 * - `evidence:readWrite` `evidence:read` plus PutObject (Object Lock keeps every version), and PutObjectRetention on `anchors/*` (anchors carry their lock).
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
  /**
   * Packages shipped beside the bundle instead of inlined (native or file-reading modules the code
   * loads at run time), installed for the Lambda architecture at synth.
   */
  readonly nodeModules?: readonly string[];
}

/** The chart and PDF renderers the package functions load at run time (shared/package/renderers.ts). */
export const RENDERER_MODULES = ['vega', 'vega-lite', '@resvg/resvg-js', 'pdfkit'] as const;

/** What the package functions ship beside their bundles: the renderers and the chart font. */
export const PACKAGE_FUNCTION_MODULES = [...RENDERER_MODULES, CHART_FONT_PACKAGE] as const;

/** What the function that archives and sends the minutes ships: their PDF has no charts. */
export const MINUTES_FUNCTION_MODULES = ['pdfkit'] as const;

// One line per function (kept unwrapped so the registry reads as a table).
// prettier-ignore
export const functions: readonly FunctionSpec[] = [
  { id: 'ingest-email', entry: 'functions/ingest-email.ts', description: 'Receives inbound mail from the SES receipt rule and records submissions', grants: ['table:readWrite', 'rawMail:read', 'evidence:readWrite', 'replyKey:read', 'mail:send', 'workflow:respond'], timeoutSeconds: 60 },
  { id: 'start-cycle', entry: 'functions/start-cycle.ts', description: 'Schedule target: starts the review cycle named by its scheduled time', grants: ['workflow:start'] },
  { id: 'open-cycle', entry: 'functions/open-cycle.ts', description: 'Creates the cycle and its input requests; carries open actions into input (a)', grants: ['table:readWrite'] },
  { id: 'request-inputs', entry: 'functions/request-inputs.ts', description: 'Emails each input owner one request for their inputs', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'check-inputs', entry: 'functions/check-inputs.ts', description: 'Sends due input reminders and escalations; marks missing inputs at the deadline', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'await-inputs', entry: 'functions/await-inputs.ts', description: 'Parks the task token until the last input arrives', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'compile-package', entry: 'functions/compile-package.ts', description: 'Builds, hashes and freezes the review package', grants: ['table:readWrite', 'evidence:readWrite'], timeoutSeconds: 40, memorySize: 1024, nodeModules: PACKAGE_FUNCTION_MODULES },
  { id: 'distribute-package', entry: 'functions/distribute-package.ts', description: 'Emails the package and the calendar invitation to the attendees', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40, memorySize: 1024, nodeModules: PACKAGE_FUNCTION_MODULES },
  { id: 'request-minutes', entry: 'functions/request-minutes.ts', description: 'Asks the ISMS manager for the minutes', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'await-minutes', entry: 'functions/await-minutes.ts', description: 'Parks the task token until valid minutes are accepted', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'check-minutes', entry: 'functions/check-minutes.ts', description: 'Reminds the ISMS manager about the minutes, then the chair', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'record-outcomes', entry: 'functions/record-outcomes.ts', description: 'Archives the accepted minutes (HTML, PDF), distributes them and starts the follow-up', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40, memorySize: 1024, nodeModules: MINUTES_FUNCTION_MODULES },
  { id: 'follow-up-actions', entry: 'functions/follow-up-actions.ts', description: 'Reminds action owners and escalates overdue actions', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'close-cycle', entry: 'functions/close-cycle.ts', description: 'Seals the cycle once every action is closed or carried over', grants: ['table:readWrite', 'evidence:readWrite'] },
  { id: 'record-mail-event', entry: 'functions/record-mail-event.ts', description: 'Records SES delivery, bounce and complaint notifications in the cycle log', grants: ['table:readWrite'] },
  { id: 'record-failure', entry: 'functions/record-failure.ts', description: 'Records a workflow failure on the cycle and tells the ISMS manager', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
];
