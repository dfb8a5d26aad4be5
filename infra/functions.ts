/**
 * The Lambda functions the stack deploys, one line each.
 *
 * Adding a function is adding one entry: the stack builds an `IsmsFunction` for it (safe
 * defaults: Node.js runtime, ARM64, X-Ray, log retention, on-failure queue, alarms), gives it the
 * runtime environment contract and exactly the permissions named in `grants`, and lets the state
 * machine invoke it. The entry file is relative to the repository root.
 */
import { FONT_PACKAGE } from '#shared/package/fonts.ts';

/**
 * What a function may touch. Each grant maps to explicit IAM statements in the stack; there is no
 * broader grant than these.
 *
 * - `table:read`        GetItem, BatchGetItem, Query, ConditionCheckItem on the table and its indexes (no
 *                       Scan), and GetItem, Query on the events table.
 * - `table:readWrite`   `table:read` plus PutItem and UpdateItem on the table, and PutItem (the code's
 *                       attribute_not_exists condition) on the events table. Nobody holds DeleteItem or
 *                       BatchWriteItem, and nobody may update or delete an event: the log is append-only.
 * - `rawMail:read`      GetObject on `inbound/*` of the raw mail bucket.
 * - `evidence:read`     GetObject (and versions, retention) on the evidence bucket, ListBucket.
 * - `evidence:readWrite` `evidence:read` plus PutObject under `cycles/*` (Object Lock keeps every
 *                       version); never under `anchors/`.
 * - `evidence:ingest`   what the internet-facing ingest function writes, and nothing else: Get and Put
 *                       under `cycles/<cycle>/inbound/` (raw messages and attachments, written once) and Put
 *                       under `cycles/<cycle>/mail/` (the copies of the answers it sends).
 * - `anchors:write`     Get/Put/PutObjectRetention under `anchors/*` (written once, with If-None-Match and
 *                       their COMPLIANCE lock) and the bucket's version listing. The bucket policy denies
 *                       every other principal any write under `anchors/`.
 * - `anchors:sign`      kms:Sign with the anchoring key; its key policy names this function's role alone
 *                       (at most one function may hold it). Sets ANCHOR_SIGNING_KEY_ID.
 * - `anchors:publicKey` kms:GetPublicKey and DescribeKey on the anchoring key, to put its fingerprint in
 *                       emails. Sets ANCHOR_SIGNING_KEY_ID.
 * - `replyKey:read`     GetSecretValue on the reply-token HMAC keyring (the web function derives its
 *                       session keys from it: shared/web/session.ts).
 * - `replyKey:rotate`   what Secrets Manager's rotation contract needs on the reply keyring secret
 *                       (DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage),
 *                       its data key through Secrets Manager only, and the secret's rotation schedule.
 * - `mail:send`         ses:SendRawEmail through the mail identities and the configuration set, only with
 *                       `ses:FromAddress` equal to the programme's sending address.
 * - `workflow:respond`  states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat on the review-cycle machine.
 * - `workflow:start`    states:StartExecution and DescribeExecution on the review-cycle machine.
 * - `ingest:invoke`     lambda:InvokeFunction on the ingest-email function alone (the web function releases
 *                       held mail through it: shared/ingest/release.ts). Sets INGEST_FUNCTION_NAME.
 * - `table:claimPeriod` GetItem and Query on the table (the programme, an existing claim), and PutItem
 *                       only on items whose partition key starts with `PERIOD#` (one cycle per period).
 */
export type FunctionGrant =
  | 'table:read'
  | 'table:readWrite'
  | 'table:claimPeriod'
  | 'rawMail:read'
  | 'evidence:read'
  | 'evidence:readWrite'
  | 'evidence:ingest'
  | 'anchors:write'
  | 'anchors:sign'
  | 'anchors:publicKey'
  | 'replyKey:read'
  | 'replyKey:rotate'
  | 'mail:send'
  | 'workflow:respond'
  | 'workflow:start'
  | 'ingest:invoke';

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

/**
 * Reserved concurrency of ingest-email, the function the internet reaches: a flood of inbound mail
 * waits in Lambda's asynchronous queue instead of taking the account's concurrency from the workflow.
 */
export const INGEST_RESERVED_CONCURRENCY = 5;

/** The chart and PDF renderers the package functions load at run time (shared/package/renderers.ts). */
export const RENDERER_MODULES = ['vega', 'vega-lite', '@resvg/resvg-js', 'pdfkit'] as const;

/** What the function that builds the package ships beside its bundle: renderers and fonts (charts, PDF). */
export const PACKAGE_FUNCTION_MODULES = [...RENDERER_MODULES, FONT_PACKAGE] as const;

/**
 * What the functions that archive the minutes ship (record-outcomes; check-approval, for the chair):
 * their PDF has no charts, but text.
 */
export const MINUTES_FUNCTION_MODULES = ['pdfkit', FONT_PACKAGE] as const;

// One line per function (kept unwrapped so the registry reads as a table).
// prettier-ignore
export const functions: readonly FunctionSpec[] = [
  { id: 'ingest-email', entry: 'functions/ingest-email.ts', description: 'Receives inbound mail from the SES receipt rule and records submissions', grants: ['table:readWrite', 'rawMail:read', 'evidence:ingest', 'replyKey:read', 'mail:send', 'workflow:respond'], timeoutSeconds: 60, reservedConcurrency: INGEST_RESERVED_CONCURRENCY },
  { id: 'held-mail-digest', entry: 'functions/held-mail-digest.ts', description: 'Daily: emails the ISMS manager the list of inbound mail held at the front door', grants: ['table:readWrite', 'mail:send'] },
  { id: 'start-cycle', entry: 'functions/start-cycle.ts', description: 'Schedule target: starts the review cycle named by its scheduled time', grants: ['table:claimPeriod', 'workflow:start'] },
  { id: 'open-cycle', entry: 'functions/open-cycle.ts', description: 'Creates the cycle and its input requests; carries open actions into input (a)', grants: ['table:readWrite'] },
  { id: 'request-inputs', entry: 'functions/request-inputs.ts', description: 'Emails each input owner one request for their inputs', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'check-inputs', entry: 'functions/check-inputs.ts', description: 'Sends due input reminders and escalations; marks missing inputs at the deadline', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'await-inputs', entry: 'functions/await-inputs.ts', description: 'Parks the task token until the last input arrives', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'compile-package', entry: 'functions/compile-package.ts', description: 'Builds, hashes and freezes the review package', grants: ['table:readWrite', 'evidence:readWrite'], timeoutSeconds: 40, memorySize: 1024, nodeModules: PACKAGE_FUNCTION_MODULES },
  { id: 'distribute-package', entry: 'functions/distribute-package.ts', description: 'Emails the package and the calendar invitation to the attendees', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send', 'anchors:publicKey'], timeoutSeconds: 40, memorySize: 1024 },
  { id: 'check-approval', entry: 'functions/check-approval.ts', description: 'Asks the ISMS manager to approve the package, the chair the minutes; reminds and escalates', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40, memorySize: 1024, nodeModules: MINUTES_FUNCTION_MODULES },
  { id: 'await-approval', entry: 'functions/await-approval.ts', description: 'Parks the task token until the package or the minutes are answered', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'request-minutes', entry: 'functions/request-minutes.ts', description: 'Asks the ISMS manager for the minutes', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'await-minutes', entry: 'functions/await-minutes.ts', description: 'Parks the task token until valid minutes are accepted', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'await-meeting', entry: 'functions/await-meeting.ts', description: 'Parks the task token until the meeting; a moved meeting wakes it', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'check-minutes', entry: 'functions/check-minutes.ts', description: 'Reminds the ISMS manager about the minutes, then the chair', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'record-outcomes', entry: 'functions/record-outcomes.ts', description: 'Archives the accepted minutes (HTML, PDF), distributes them and starts the follow-up', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send', 'anchors:publicKey'], timeoutSeconds: 40, memorySize: 1024, nodeModules: MINUTES_FUNCTION_MODULES },
  { id: 'follow-up-actions', entry: 'functions/follow-up-actions.ts', description: 'Reminds action owners and escalates overdue actions', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
  { id: 'await-follow-up', entry: 'functions/await-follow-up.ts', description: 'Parks the task token until the next follow-up step falls due; an action change wakes it', grants: ['table:readWrite', 'workflow:respond'] },
  { id: 'close-cycle', entry: 'functions/close-cycle.ts', description: 'Seals the cycle once every action is closed or carried over', grants: ['table:readWrite', 'evidence:readWrite'] },
  { id: 'anchor-chain', entry: 'functions/anchor-chain.ts', description: 'Signs the chain head of a cycle and writes it once as an anchor: at each milestone and daily', grants: ['table:read', 'anchors:write', 'anchors:sign'] },
  { id: 'publish-anchor-key', entry: 'functions/publish-anchor-key.ts', description: 'Custom resource: reads the public half of the anchoring key at deploy time for the stack outputs', grants: ['anchors:publicKey'] },
  { id: 'record-mail-event', entry: 'functions/record-mail-event.ts', description: 'Records SES delivery, bounce and complaint notifications in the cycle log', grants: ['table:readWrite'] },
  { id: 'rotate-reply-key', entry: 'functions/rotate-reply-key.ts', description: 'Secrets Manager rotation of the reply keyring: publishes a new key, retires the old one, drops expired ones', grants: ['replyKey:rotate'] },
  { id: 'web', entry: 'functions/web.ts', description: 'The web app behind the HTTP API: sign-in by emailed link, cycles, inputs, actions, held mail, cycle starts, evidence verification', grants: ['table:readWrite', 'rawMail:read', 'evidence:readWrite', 'replyKey:read', 'mail:send', 'workflow:respond', 'workflow:start', 'anchors:publicKey', 'ingest:invoke'], timeoutSeconds: 25, memorySize: 1024 },
  { id: 'record-failure', entry: 'functions/record-failure.ts', description: 'Records a workflow failure on the cycle and tells the ISMS manager', grants: ['table:readWrite', 'evidence:readWrite', 'replyKey:read', 'mail:send'], timeoutSeconds: 40 },
];
